/**
 * A bug hunt's fan-out is as wide as the Engine's slots for the model less the slots kept for the
 * gateway's interactive requests (`workflows.reserve_interactive_slots`), and no wider — and it
 * counts model attempts on the model they run on: an explorer's answer on the reasoner, the judge
 * that grades it on the coder. A real gateway in front of the fake Ollama (4 slots) runs `bughunt`
 * over 8 modules, the fake holding every explorer's answer, and every judge's grading, until the
 * test lets it go. Three explorers reach the fake and no fourth — so an interactive request on the
 * same model is answered at once, beside them. As each explorer is let go the next one comes in,
 * while every judge is still held: an answer being judged holds no place on the reasoner. The
 * judges are held to three at the fake too, on their own model. Counted by events, not time: at
 * each arrival, the arrivals less those let go bound what is at the fake.
 */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { makeRepository, openRuns, taskOf } from "../helpers/workflow-harness.js";

const REASONER = "deepseek-r1:32b";
/** The bug-hunting judge, `local`: the other local model. */
const JUDGE = "qwen2.5-coder:32b";
const SCORE = '{"score": 9, "reasons": ["points at the code"]}';
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

  it("leaves one Engine slot of four to interactive requests, on the explorers' model and the judges'", async () => {
    harness = await startHarness({
      configYaml: `
backends: { engine: { slots: 4 } }
gates:
  bug-hunting: { judge: { alias: local, threshold: 6, tiers: [1] } }
workflows: { reserve_interactive_slots: 1 }
`,
    });
    runs = await openRuns(harness.runtime);
    const explorers = heldRequests();
    const judges = heldRequests();
    const models = { explorers: new Set<string>(), judges: new Set<string>() };
    // biome-ignore lint/suspicious/noExplicitAny: the fake hands over the raw request body.
    harness.ollama.setDefault((body: any) => {
      const task = taskOf(body.messages ?? []);
      // Only an explorer's judge is held (the interactive answer is judged too, at once).
      if (task === "judge" && JSON.stringify(body.messages).includes("Loose equality")) {
        models.judges.add(body.model);
        return { kind: "reply", reply: { content: SCORE }, until: judges.arrive() };
      }
      if (task === "judge") return { kind: "reply", reply: { content: SCORE } };
      if (task !== "bug-hunting") return { kind: "reply", reply: { content: "Answered at once." } };
      models.explorers.add(body.model);
      return { kind: "reply", reply: { content: FINDINGS }, until: explorers.arrive() };
    });

    const repo = makeRepository(
      Object.fromEntries(MODULES.map((name) => [`src/${name}/index.mjs`, `export const ${name} = 1;\n`])),
    );
    const started = await runs.start("bughunt", { repo });
    await explorers.arrived(3);
    // Three explorers hold three slots; the fourth is the gateway's: an interactive request on the
    // same model is answered there and then, while no explorer has been let go.
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: "local-reasoner", messages: [{ role: "user", content: "Why is the build red?" }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Answered at once.");
    expect(response.headers.get("x-switchyard-alias")).toBe("local-reasoner");
    expect(explorers.count).toBe(3);
    expect(harness.ollama.maxConcurrent(REASONER)).toBe(4);

    // Let the explorers go one at a time: each one's place goes to the next explorer while its
    // answer waits for its judge — no judge has answered yet, all eight explorers get in.
    for (let index = 0; index < MODULES.length; index++) {
      const next = index + 4 <= MODULES.length ? explorers.arrived(index + 4) : undefined;
      explorers.release(index);
      await next;
    }
    expect(explorers.count).toBe(8);
    expect(judges.released).toBe(0);
    // Eight answers wait to be judged; three judges are at the fake, the rest wait in the fan-out.
    await judges.arrived(3);
    expect(judges.peak).toBe(3);
    for (let index = 0; index < MODULES.length; index++) {
      const next = index + 4 <= MODULES.length ? judges.arrived(index + 4) : undefined;
      judges.release(index);
      await next;
    }

    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ modules: 8 });
    expect({ explorers: explorers.count, judges: judges.count }).toEqual({ explorers: 8, judges: 8 });
    expect(models).toEqual({ explorers: new Set([REASONER]), judges: new Set([JUDGE]) });
    expect(explorers.peak).toBe(3);
    expect(judges.peak).toBe(3);
    expect(runs.limiter.peaks.get("local-reasoner")).toBe(3);
    expect(runs.limiter.peaks.get("local-coder")).toBe(3);
    const explored = (await runs.show(started.id)).steps.filter((step) => step.node === "explore");
    expect(explored).toHaveLength(8);
    expect(explored.every((step) => step.status === "done")).toBe(true);
  });

  it("runs a fan-out wider than ten without Node's listener-leak warning (the run's signal, each superstep's)", async () => {
    harness = await startHarness({ configYaml: "backends: { engine: { slots: 4 } }\n" });
    runs = await openRuns(harness.runtime);
    // biome-ignore lint/suspicious/noExplicitAny: the fake hands over the raw request body.
    harness.ollama.setDefault((body: any) => {
      const task = taskOf(body.messages ?? []);
      if (task === "judge") return { kind: "reply", reply: { content: SCORE } };
      return { kind: "reply", reply: { content: task === "bug-hunting" ? FINDINGS : "Answered." } };
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    try {
      const names = Array.from({ length: 14 }, (_, index) => `module${index}`);
      const repo = makeRepository(
        Object.fromEntries(names.map((name) => [`src/${name}/index.mjs`, `export const ${name} = 1;\n`])),
      );
      const started = await runs.start("bughunt", { repo });
      const done = await runs.halted(started.id);
      expect(done.status, done.reason ?? "").toBe("done");
      expect(done.outcome).toMatchObject({ modules: 14 });
      // Node hands a warning to its listeners on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.startsWith("MaxListenersExceededWarning"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

/**
 * Requests the fake holds until the test lets each go, in order of arrival: how many came, how
 * many were let go, and the most at the fake at once (arrived less let go, at each arrival).
 */
function heldRequests() {
  const releases: Array<() => void> = [];
  const waiters: Array<{ count: number; wake: () => void }> = [];
  const held = {
    count: 0,
    released: 0,
    peak: 0,
    /** Called by the fake for each request: what it waits for. */
    arrive(): Promise<void> {
      held.count++;
      held.peak = Math.max(held.peak, held.count - held.released);
      const answered = new Promise<void>((resolve) => releases.push(resolve));
      for (const waiter of waiters.filter((waiter) => held.count >= waiter.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.wake();
      }
      return answered;
    },
    /** Resolves once `count` requests have arrived. */
    arrived(count: number): Promise<void> {
      if (held.count >= count) return Promise.resolve();
      return new Promise((wake) => waiters.push({ count, wake }));
    },
    release(index: number): void {
      held.released++;
      releases[index]!();
    },
  };
  return held;
}
