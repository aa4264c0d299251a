/**
 * A bug hunt's fan-out is as wide as the Engine's slots for the model less the slots kept for the
 * gateway's interactive requests (`workflows.reserve_interactive_slots`), and no wider: a real
 * gateway in front of the fake Ollama (4 slots) runs `bughunt` over 8 modules, the fake holding
 * every explorer's answer until the test lets it go. Three explorers reach the fake and no fourth
 * — so an interactive request on the same model is answered at once, beside them — and as the
 * explorers are let go one by one, the others follow, never more than three at the fake at once.
 * Counted by events, not time: an explorer's call frees its place in the fan-out only once its
 * answer is in and judged (the bug-hunting judge, on the other local model), so at each
 * explorer's arrival, explorers arrived less judges asked bounds those still at the fake.
 */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { makeRepository, openRuns, taskOf } from "../helpers/workflow-harness.js";

const REASONER = "deepseek-r1:32b";
const MODULES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
const FINDINGS = JSON.stringify({
  findings: [
    {
      file: "src/x/index.mjs",
      line: 1,
      title: "Loose equality",
      severity: "low",
      evidence: "==",
      suggestion: "===",
    },
  ],
});

describe("a bug hunt's fan-out", { timeout: 120_000 }, () => {
  let harness: Harness | undefined;
  let runs: Awaited<ReturnType<typeof openRuns>> | undefined;
  afterEach(async () => {
    await runs?.close();
    await harness?.close();
    harness = undefined;
    runs = undefined;
  });

  it("leaves one Engine slot of four to interactive requests, however many modules it explores", async () => {
    harness = await startHarness({
      configYaml: `
backends: { engine: { slots: 4 } }
gates:
  bug-hunting: { judge: { alias: local, threshold: 6, tiers: [1] } }
workflows: { reserve_interactive_slots: 1 }
`,
    });
    runs = await openRuns(harness.runtime);
    const released: Array<() => void> = [];
    const arrivals: Array<() => void> = [];
    const counts = { explorers: 0, judges: 0, peak: 0 };
    const nextArrival = () => new Promise<void>((resolve) => arrivals.push(resolve));
    // biome-ignore lint/suspicious/noExplicitAny: the fake hands over the raw request body.
    harness.ollama.setDefault((body: any) => {
      const task = taskOf(body.messages ?? []);
      if (task === "judge") {
        // Only an explorer's judge frees a place in the fan-out (the interactive answer is judged too).
        if (JSON.stringify(body.messages).includes("Loose equality")) counts.judges++;
        return { kind: "reply", reply: { content: '{"score": 9, "reasons": ["points at the code"]}' } };
      }
      if (task !== "bug-hunting") return { kind: "reply", reply: { content: "Answered at once." } };
      counts.explorers++;
      counts.peak = Math.max(counts.peak, counts.explorers - counts.judges);
      const answered = new Promise<void>((resolve) => released.push(resolve));
      for (const wake of arrivals.splice(0)) wake();
      return { kind: "reply", reply: { content: FINDINGS }, until: answered };
    });

    const repo = makeRepository(
      Object.fromEntries(MODULES.map((name) => [`src/${name}/index.mjs`, `export const ${name} = 1;\n`])),
    );
    const started = await runs.start("bughunt", { repo });
    while (counts.explorers < 3) await nextArrival();
    // Three explorers hold three slots; the fourth is the gateway's: an interactive request on the
    // same model is answered there and then, while no explorer has been let go.
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: "local-reasoner", messages: [{ role: "user", content: "Why is the build red?" }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Answered at once.");
    expect(response.headers.get("x-switchyard-alias")).toBe("local-reasoner");
    expect(counts.explorers).toBe(3);
    expect(harness.ollama.maxConcurrent(REASONER)).toBe(4);

    // Let the explorers go one at a time; each freed place lets the next one in.
    for (let index = 0; index < MODULES.length; index++) {
      const waitForNext = counts.explorers < MODULES.length ? nextArrival() : undefined;
      released[index]!();
      await waitForNext;
    }
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ modules: 8 });
    expect(counts).toEqual({ explorers: 8, judges: 8, peak: 3 });
    expect(runs.limiter.peaks.get("local-reasoner")).toBe(3);
    const explored = (await runs.show(started.id)).steps.filter((step) => step.node === "explore");
    expect(explored).toHaveLength(8);
    expect(explored.every((step) => step.status === "done")).toBe(true);
  });
});
