/**
 * `kill -9` in the middle of traffic: a real `switchyard serve` process with paid requests in
 * flight (their worst case reserved) is killed without warning. After a restart every committed
 * ledger row is still there and no reservation is left holding budget.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseConfigText } from "../../src/config/config-load.js";
import { openReportSources } from "../../src/planning/budget-reports.js";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { startFakeOpenRouter } from "../fakes/fake-openrouter.js";
import { startServeProcess } from "../helpers/serve-process.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-crash-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

async function serve(configPath: string) {
  const running = await startServeProcess(configPath, directory);
  children.push(running.child);
  return running;
}

describe("kill -9 in the middle of traffic", () => {
  it("loses no committed row and leaves no reservation stuck after restart", async () => {
    const ollama = await startFakeOllama();
    const openRouter = await startFakeOpenRouter({ apiKey: "sk-or-crash" });
    const configPath = join(directory, "switchyard.yaml");
    const config = {
      server: { port: 0 },
      backends: {
        engine: { base_url: ollama.url },
        openrouter: { base_url: openRouter.baseUrl, api_key: "sk-or-crash" },
      },
      database: { url: join(directory, "ledger.db") },
      budget: { key_check_interval_minutes: 0, catalog: { sync_on_start: false } },
      logging: { level: "info" },
    };
    writeFileSync(configPath, stringify(config));
    const first = await serve(configPath);
    const client = new OpenAI({ baseURL: `${first.url}/v1`, apiKey: "unused", maxRetries: 0 });

    const completed = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        client.chat.completions
          .create({
            model: index % 2 ? "switchyard/code-review" : "switchyard/lint",
            messages: [{ role: "user", content: `n${index}` }],
          })
          .withResponse(),
      ),
    );
    const completedIds = completed.map(({ response }) => response.headers.get("x-switchyard-request-id"));
    // Let the last batch commit (rows are committed every 20 ms), then start requests that hang
    // with their budget reserved, and kill the server under them.
    await new Promise((resolve) => setTimeout(resolve, 200));
    openRouter.setDefault({ kind: "hang" });
    const inFlight = Array.from({ length: 5 }, () =>
      client.chat.completions
        .create({
          model: "switchyard/code-review",
          messages: [{ role: "user", content: "hang" }],
          max_tokens: 2_000,
        })
        .catch((error: unknown) => error),
    );
    await expect
      .poll(
        () => openRouter.requests.filter((request) => JSON.stringify(request.body).includes("hang")).length,
      )
      .toBe(5);
    const sources = await openReportSources(parseConfigText(stringify(config), "crash config", {}), {});
    const before = await sources.budget.status();
    expect(before.lines[0]?.reservedUsd).toBeGreaterThan(0);
    await sources.close();

    first.child.kill("SIGKILL");
    await Promise.all(inFlight);

    const second = await serve(configPath);
    const after = await openReportSources(parseConfigText(stringify(config), "crash config", {}), {});
    try {
      const rows = await after.ledger.recent(1_000);
      const ids = new Set(rows.map((row) => row.id));
      for (const id of completedIds) expect(ids.has(id!)).toBe(true);
      const status = await after.budget.status();
      expect(status.lines.every((line) => line.reservedUsd === 0)).toBe(true);
      expect(status.lines[0]?.settledUsd).toBeGreaterThan(0);
    } finally {
      await after.close();
      second.child.kill("SIGKILL");
      await Promise.all([ollama.close(), openRouter.close()]);
    }
  }, 60_000);
});
