/**
 * Two Engines end to end: the official `openai` client → Switchyard on loopback → two fake Ollamas
 * (plus the fake OpenRouter above them). Requests spread over both Engines, an Engine that goes
 * away is failed over (the first requests up the ladder, the rest to the other Engine) and comes
 * back through a half-open probe; `GET /admin/engines` shows the fleet.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { RequestCounter } from "../fakes/request-counter.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { eventually, sleep } from "./engine-test-kit.js";

let harness: Harness;
let second: FakeOllama;
let client: OpenAI;

// Four slots each: eight requests at once run without queueing, whatever the shipped profile's slots.
const engineSettings = (extra: string) =>
  `{ warm: true, slots: 4, ${extra}busy_retry: { attempts: 2, delay_ms: 10 }, health: { poll_interval_ms: 0, failure_threshold: 2, half_open_after_ms: 200 } }`;

beforeAll(async () => {
  second = await startFakeOllama();
  harness = await startHarness({
    configYaml: [
      "backends:",
      `  engine: ${engineSettings("")}`,
      `  engine-2: ${engineSettings(`type: ollama, base_url: "${second.url}", serves: [local-coder, local-reasoner], `)}`,
    ].join("\n"),
  });
  await harness.runtime.engines?.start();
  // The first eight answers wait until all eight have reached an Engine, so none finishes (and
  // frees its slot) before the last is placed, however busy the machine: the spread is decided by
  // the gateway's choice alone, not by how fast the answers come back.
  const arrivals = new RequestCounter("the two fake Ollamas", "chat requests");
  for (const fake of [harness.ollama, second]) {
    fake.setDefault((body) => {
      arrivals.record();
      return {
        kind: "reply",
        reply: { content: `Hello from ${String(body.model)}` },
        delayMs: 80,
        until: arrivals.waitFor(8, 15_000),
      };
    });
  }
  client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await harness.close();
  await second.close();
});

const chats = (fake: FakeOllama) => fake.requests.filter((request) => request.path === "/api/chat").length;
const ask = () =>
  client.chat.completions
    .create({ model: "local-coder", messages: [{ role: "user", content: "write a function" }] })
    .withResponse();

describe("two Engines behind the gateway", () => {
  it("warms both and spreads concurrent requests over them", async () => {
    for (const fake of [harness.ollama, second]) {
      expect(fake.requests.filter((request) => request.path === "/api/generate")).toHaveLength(2);
    }
    const answers = await Promise.all(Array.from({ length: 8 }, ask));
    expect(
      answers.every(({ data }) => data.choices[0]?.message.content === "Hello from qwen2.5-coder:32b"),
    ).toBe(true);
    expect([chats(harness.ollama), chats(second)]).toEqual([4, 4]);
    const rows = (await harness.ledgerRows()).slice(0, 8);
    expect(rows.every((row) => row.status === "ok" && row.queueMs === 0)).toBe(true);

    const response = await fetch(`${harness.url}/admin/engines`);
    const snapshot = (await response.json()) as {
      engines: Array<{
        id: string;
        state: string;
        counters: { served: number };
        models: Array<{ residency: string }>;
      }>;
    };
    expect(snapshot.engines.map((engine) => [engine.id, engine.state, engine.counters.served])).toEqual([
      ["engine", "up", 4],
      ["engine-2", "up", 4],
    ]);
    expect(snapshot.engines[0]?.models.map((model) => model.residency)).toEqual(["resident", "resident"]);
  });

  it("fails an Engine over to the other one and takes it back after a half-open probe", async () => {
    harness.ollama.down = true;
    // The first two requests find the Engine gone: they fall back up the ladder, and it is marked down.
    for (let attempt = 0; attempt < 2; attempt++) {
      const { response } = await ask();
      expect(response.headers.get("x-switchyard-fallback")).toBe("local-coder->cloud-sonnet");
      expect(response.headers.get("x-switchyard-fallback-reason")).toContain("upstream-unreachable");
    }
    const before = chats(second);
    const during = await Promise.all(Array.from({ length: 3 }, ask));
    expect(during.every(({ response }) => response.headers.get("x-switchyard-alias") === "local-coder")).toBe(
      true,
    );
    expect(during.every(({ response }) => response.headers.get("x-switchyard-fallback") === null)).toBe(true);
    expect(chats(second) - before).toBe(3);

    harness.ollama.down = false;
    await sleep(220);
    const engineChats = chats(harness.ollama);
    await ask();
    expect(chats(harness.ollama)).toBe(engineChats + 1);
    await eventually(() => harness.runtime.engines?.snapshot().engines[0]?.state === "up");
    const rows = (await harness.ledgerRows()).slice(0, 6);
    expect(rows.map((row) => row.alias)).toEqual([
      "local-coder",
      "local-coder",
      "local-coder",
      "local-coder",
      "cloud-sonnet",
      "cloud-sonnet",
    ]);
  });

  it("records in the ledger which Engine answered", async () => {
    harness.ollama.down = true;
    await ask();
    await ask();
    await ask();
    harness.ollama.down = false;
    const [row] = await harness.ledgerRows();
    expect(row?.backend).toBe("engine-2");
  });
});
