/**
 * Stopping a real `switchyard serve` process with answers in flight: SIGTERM lets them finish for
 * up to `server.shutdown_grace_seconds`, then (or at a second signal) closes their connections.
 * Either way the process exits 0 with every request in the ledger and nothing left reserved.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseConfigText } from "../../src/config/config-load.js";
import { openReportSources } from "../../src/planning/budget-reports.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";
import { type ServeProcess, startServeProcess } from "../helpers/serve-process.js";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("stopping with answers in flight", () => {
  let directory: string;
  let ollama: FakeOllama;
  let openRouter: FakeOpenRouter;
  let config: Record<string, unknown>;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "switchyard-stop-"));
    ollama = await startFakeOllama();
    openRouter = await startFakeOpenRouter({ apiKey: "sk-or-stop" });
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), openRouter.close()]);
  });

  async function serve(graceSeconds: number): Promise<ServeProcess> {
    config = {
      server: { port: 0, shutdown_grace_seconds: graceSeconds },
      backends: {
        engine: { base_url: ollama.url, warm: false },
        openrouter: { base_url: openRouter.baseUrl, api_key: "sk-or-stop" },
      },
      database: { url: join(directory, "ledger.db") },
      budget: { key_check_interval_minutes: 0, catalog: { sync_on_start: false } },
      logging: { level: "info" },
    };
    const configPath = join(directory, "switchyard.yaml");
    writeFileSync(configPath, stringify(config));
    const running = await startServeProcess(configPath, directory);
    children.push(running.child);
    return running;
  }

  /** Three paid requests that hang upstream, and one that finishes in 500 ms. */
  async function startTraffic(running: ServeProcess) {
    const client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const ask = (content: string) =>
      client.chat.completions
        .create({ model: "switchyard/code-review", messages: [{ role: "user", content }], stream: true })
        .then(async (stream) => {
          let text = "";
          for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
          return text;
        });
    openRouter.setDefault({ kind: "hang" });
    const hanging = Array.from({ length: 3 }, (_, index) =>
      ask(`hang ${index}`).catch((error: Error) => error),
    );
    await expect.poll(() => openRouter.requests.length).toBe(3);
    openRouter.setDefault({ kind: "reply", reply: { content: "done in time" }, delayMs: 500 });
    const finishing = ask("finish");
    await expect.poll(() => openRouter.requests.length).toBe(4);
    return { hanging, finishing };
  }

  async function books() {
    const sources = await openReportSources(parseConfigText(stringify(config), "stop config", {}), {});
    try {
      const rows = await sources.ledger.recent(100);
      const status = await sources.budget.status();
      return { statuses: rows.map((row) => row.status).sort(), reserved: status.lines[0]?.reservedUsd };
    } finally {
      await sources.close();
    }
  }

  it("SIGTERM finishes what it can within the grace, then cuts off the rest and exits 0", async () => {
    const running = await serve(1.5);
    const { hanging, finishing } = await startTraffic(running);
    const started = Date.now();
    running.child.kill("SIGTERM");
    expect(await finishing).toBe("done in time");
    expect(await running.exited).toBe(0);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(10_000);
    for (const outcome of await Promise.all(hanging)) expect(outcome).toBeInstanceOf(Error);
    expect(running.lines.some((line) => line.includes("finishing 4 requests in flight"))).toBe(true);
    expect(
      running.lines.some((line) => line.includes("closing the connections of 3 requests still answering")),
    ).toBe(true);
    expect(await books()).toEqual({ statuses: ["aborted", "aborted", "aborted", "ok"], reserved: 0 });
  }, 60_000);

  it("a second SIGTERM stops at once", async () => {
    const running = await serve(600);
    const { hanging, finishing } = await startTraffic(running);
    const cutShort = finishing.catch((error: Error) => error);
    running.child.kill("SIGTERM");
    await expect.poll(() => running.lines.some((line) => line.includes("SIGTERM received"))).toBe(true);
    const started = Date.now();
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const outcome of await Promise.all([...hanging, cutShort])) expect(outcome).toBeInstanceOf(Error);
    expect(await books()).toEqual({ statuses: ["aborted", "aborted", "aborted", "aborted"], reserved: 0 });
  }, 60_000);
});
