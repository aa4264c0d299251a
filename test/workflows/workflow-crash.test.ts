/**
 * Killing the Brain mid-run: a real `switchyard serve` runs the feature workflow against the fake
 * Engine and the fake OpenRouter, over the admin API; it is SIGKILLed once the code review has
 * finished (seen on the run's server-sent events) while the QA call hangs. Started again, it
 * resumes the run by itself, from the last completed step: the fake OpenRouter sees no paid call
 * that had completed a second time, and the run ends with its commit.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";
import { type ServeProcess, startServeProcess } from "../helpers/serve-process.js";
import { TEST_OPENROUTER_KEY } from "../helpers/switchyard-harness.js";
import { DEFAULT_ANSWERS, git, makeRepository, taskOf } from "../helpers/workflow-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: the fakes hand over the raw request body.
const taskOfBody = (body: any) => taskOf(body.messages ?? []);

/** Reads a run's server-sent events until `until` says stop; resolves with every event seen. */
async function watchEvents(
  url: string,
  runId: string,
  until: (event: { type: string; step?: { key: string } }) => boolean,
) {
  const response = await fetch(`${url}/admin/runs/${runId}/events`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const seen: Array<{ type: string; step?: { key: string } }> = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const data = buffer
        .slice(0, end)
        .split("\n")
        .find((line) => line.startsWith("data: "));
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (!data) continue;
      const event = JSON.parse(data.slice(6));
      seen.push(event);
      if (until(event)) {
        await reader.cancel();
        return seen;
      }
    }
  }
}

async function post(url: string, path: string, body: unknown = {}) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { run: { id: string } } };
}

describe("a Brain killed mid-run", { timeout: 240_000 }, () => {
  let ollama: FakeOllama;
  let openRouter: FakeOpenRouter;
  const serves: ServeProcess[] = [];
  afterAll(async () => {
    for (const serve of serves) if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
    await Promise.all([ollama?.close(), openRouter?.close()]);
  });

  it("resumes by itself from the last completed step, repeating no completed paid call", async () => {
    ollama = await startFakeOllama();
    openRouter = await startFakeOpenRouter({ apiKey: TEST_OPENROUTER_KEY });
    const answer = (body: unknown) => DEFAULT_ANSWERS[taskOfBody(body)] ?? "ok";
    ollama.setDefault((body) => ({ kind: "reply", reply: { content: answer(body) } }));
    let qaCalls = 0;
    openRouter.setDefault((body) =>
      taskOfBody(body) === "qa-verification" && ++qaCalls === 1
        ? { kind: "hang" }
        : { kind: "reply", reply: { content: answer(body) } },
    );

    const home = mkdtempSync(join(tmpdir(), "switchyard-crash-"));
    const configPath = join(home, "switchyard.yaml");
    writeFileSync(
      configPath,
      stringify({
        server: { host: "127.0.0.1", port: 0 },
        backends: {
          engine: { base_url: ollama.url, warm: false, health: { poll_interval_ms: 0 } },
          openrouter: { base_url: openRouter.baseUrl, api_key: TEST_OPENROUTER_KEY },
        },
        database: { url: join(home, "ledger.db") },
        budget: {
          key_check_interval_minutes: 0,
          catalog: { path: join(home, "catalog.json"), sync_on_start: false },
        },
        workflows: { test_command: "node --test" },
        logging: { level: "info" },
      }),
    );
    const repo = makeRepository();

    const first = await startServeProcess(configPath, home);
    serves.push(first);
    const started = await post(first.url, "/admin/runs", {
      workflow: "feature",
      input: { story: "Add two numbers", repo },
    });
    expect(started.status).toBe(201);
    const runId = started.body.run.id;
    const untilPaused = await watchEvents(first.url, runId, (event) => event.type === "run-paused");
    expect(untilPaused.at(-1)?.type).toBe("run-paused");

    expect((await post(first.url, `/admin/runs/${runId}/approve`)).status).toBe(200);
    const seen = await watchEvents(
      first.url,
      runId,
      (event) => event.type === "step-finished" && event.step?.key === "code-review#1.1",
    );
    expect(seen.map((event) => event.type)).toContain("node-finished");
    // Paid so far: gap analysis, decision gate, code review; the fourth is the QA call, which hangs.
    await openRouter.waitForChatRequests(4);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await startServeProcess(configPath, home);
    serves.push(second);
    const ended = await watchEvents(second.url, runId, (event) => event.type === "run-ended");
    const run = (await (await fetch(`${second.url}/admin/runs/${runId}`)).json()) as {
      run: { branch: string };
    };
    expect(ended.at(-1)).toMatchObject({ type: "run-ended", status: "done" });
    expect(run.run).toMatchObject({ status: "done", owner: null });
    expect(git(repo, "log", "--format=%s", run.run.branch)).toContain("feat(add): add two numbers");

    const paidTasks = openRouter.requests
      .filter((request) => request.path.endsWith("/chat/completions"))
      .map((request) => taskOfBody(request.body));
    expect(paidTasks.filter((task) => task === "gap-analysis")).toHaveLength(1);
    expect(paidTasks.filter((task) => task === "decision-gate")).toHaveLength(1);
    expect(paidTasks.filter((task) => task === "code-review")).toHaveLength(1);
    // The QA call that was in flight when the Brain died never completed; it is asked once more.
    expect(paidTasks.filter((task) => task === "qa-verification")).toHaveLength(2);
    second.child.kill("SIGTERM");
    await second.exited;
  });
});
