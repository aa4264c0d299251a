/**
 * The demo's simulated Engine speaks Ollama's API: driven by Switchyard's own Ollama back end and
 * management calls over loopback, as the Brain drives a real Engine. Time runs 10,000× fast, so a
 * 20 s generation takes 2 ms; the reported stats are the simulated model time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  listInstalledOllamaModels,
  listLoadedOllamaModels,
  showOllamaModel,
} from "../../src/backends/ollama/ollama-api.js";
import { OllamaBackend } from "../../src/backends/ollama/ollama-backend.js";
import { createAnswerWriter } from "../../src/demo/simulated-answers.js";
import { SimulatedEngineScheduler } from "../../src/demo/simulated-engine-scheduler.js";
import { SIMULATED_LOCAL_MODELS } from "../../src/demo/simulated-model-speeds.js";
import { type SimulatedOllama, startSimulatedOllama } from "../../src/demo/simulated-ollama.js";
import { SimulatedTime } from "../../src/demo/simulated-time.js";
import { loadOllamaModel, pullOllamaModel } from "../../src/engines/engine-ollama-calls.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { type ChatEvent, type ChatRequest, collectChatEvents } from "../../src/protocol/chat-types.js";

const CODER = "qwen2.5-coder:32b";
const REASONER = "deepseek-r1:32b";
let engine: SimulatedOllama;
let backend: OllamaBackend;

beforeEach(async () => {
  engine = await startSimulatedOllama({ time: new SimulatedTime(10_000), answers: createAnswerWriter() });
  backend = new OllamaBackend({ id: "simulated-engine", baseUrl: engine.url });
});

afterEach(async () => {
  await backend.close();
  await engine.close();
});

function ask(model: string, content: string, extra: Partial<ChatRequest> = {}, think?: boolean) {
  return backend.chat({
    request: { model, messages: [{ role: "user", content }], stream: true, ...extra },
    model,
    options: { keepAlive: -1, ...(think === undefined ? {} : { think }) },
    signal: new AbortController().signal,
  });
}

async function drain(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const all: ChatEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe("the simulated Engine", () => {
  it("streams an answer token by token with Ollama's final stats, at the reference Engine's speed", async () => {
    const events = await drain(await ask(CODER, "Write a commit message for: fix off-by-one in pager"));
    const deltas = events.filter((event) => event.type === "text-delta");
    expect(deltas.length).toBeGreaterThan(5);
    const text = deltas.map((event) => event.text).join("");
    expect(text).toMatch(/^fix\(pager\): fix off-by-one in pager/);
    expect(text).toContain("Simulated-by: Switchyard demo stand-in for qwen2.5-coder:32b");
    const usage = events.find((event) => event.type === "usage");
    if (usage?.type !== "usage") throw new Error("no usage event");
    expect(usage.usage.outputTokens).toBe(deltas.length);
    expect(usage.usage.inputTokens).toBeGreaterThan(5);
    // The planner's M4 Max figure: 546 GB/s ÷ 19.85 GB × 65% ≈ 17.9 tok/s, one stream alone.
    expect(usage.usage.tokensPerSecond).toBeGreaterThan(17);
    expect(usage.usage.tokensPerSecond).toBeLessThan(18.5);
    // The model was not resident: the first request paid for its load (19.85 GB ÷ 3 GB/s + 2 s).
    expect(usage.usage.loadMs).toBeGreaterThan(8_000);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "stop" });

    const again = await drain(await ask(CODER, "Write a commit message for: bump version"));
    const warm = again.find((event) => event.type === "usage");
    expect(warm?.type === "usage" && warm.usage.loadMs).toBeLessThan(100);
  });

  it("answers without streaming as one JSON object, and stops at num_predict with done_reason length", async () => {
    const whole = await collectChatEvents(
      await ask(CODER, "Write a TypeScript function slugify(title: string): string", { stream: false }),
    );
    expect(whole.text).toContain('```ts title="slugify.ts"');
    expect(whole.finishReason).toBe("stop");
    const cut = await collectChatEvents(
      await ask(CODER, "Write a TypeScript function slugify(title: string): string", {
        stream: false,
        maxTokens: 12,
      }),
    );
    expect(cut.finishReason).toBe("length");
    expect(cut.usage.outputTokens).toBe(12);
  });

  it("thinks apart from the answer for deepseek-r1 with think: true, and refuses think for the coder", async () => {
    const result = await collectChatEvents(
      await ask(REASONER, "Draft a user story for exporting invoices as CSV", {}, true),
    );
    expect(result.reasoning).toMatch(/^\[simulated reasoning\] /);
    expect(result.text).toContain("## Story:");
    expect(result.text).not.toContain("<think>");
    expect(result.usage.outputTokens).toBeGreaterThan(result.text.length / 8);

    const refused = await ask(CODER, "Hi", { reasoning: { enabled: true } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SwitchyardError);
    expect((refused as SwitchyardError).message).toContain("does not support thinking");
  });

  it("answers 404 for a model that is not pulled, as Ollama does", async () => {
    const missing = await ask("llama3.3:70b", "Hi").catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(SwitchyardError);
    expect((missing as SwitchyardError).upstreamStatus).toBe(404);
  });

  it("lists, shows, loads and pulls models through the management API", async () => {
    const connection = { baseUrl: engine.url };
    const installed = await listInstalledOllamaModels(connection);
    expect(installed.map((model) => model.name)).toEqual([CODER, REASONER]);
    expect(installed[0]?.sizeBytes).toBeGreaterThan(19e9);
    const shown = await showOllamaModel(connection, REASONER);
    expect(shown.capabilities).toContain("thinking");
    expect(shown.contextLength).toBe(131_072);

    expect(await listLoadedOllamaModels(connection)).toEqual([]);
    const load = await loadOllamaModel(connection, CODER, -1);
    expect(load.model).toBe(CODER);
    const loaded = await listLoadedOllamaModels(connection);
    expect(loaded.map((model) => model.name)).toEqual([CODER]);
    expect(new Date(loaded[0]!.expiresAt!).getFullYear()).toBeGreaterThan(2200);

    const statuses: string[] = [];
    await pullOllamaModel(connection, "qwen3:8b", (progress) => statuses.push(progress.status));
    expect(statuses[0]).toBe("pulling manifest");
    expect(statuses.at(-1)).toBe("success");
    expect((await listInstalledOllamaModels(connection)).map((model) => model.name)).toContain("qwen3:8b");
  });

  it("answers 503 with Ollama's message when its queue is full", async () => {
    const scheduler = engine.scheduler;
    await scheduler.preload(CODER, -1);
    // Take the four slots, then fill Ollama's queue (OLLAMA_MAX_QUEUE, 512): the next one is refused.
    const running = await Promise.all(Array.from({ length: 4 }, () => scheduler.admit(CODER, -1)));
    const waiting = Array.from({ length: 512 }, () => scheduler.admit(CODER, -1));
    expect(waiting.every((ticket) => ticket !== undefined)).toBe(true);
    const refused = await ask(CODER, "Hi").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SwitchyardError);
    expect((refused as SwitchyardError).code).toBe("upstream-busy");
    expect((refused as SwitchyardError).message).toContain("server busy");
    for (const ticket of running) ticket?.release();
    for (const ticket of waiting) (await ticket)?.release();
  });

  it("gives a slot back when the client goes away mid-stream", async () => {
    const slow = await startSimulatedOllama({ time: new SimulatedTime(20), answers: createAnswerWriter() });
    const slowBackend = new OllamaBackend({ id: "simulated-engine", baseUrl: slow.url });
    try {
      await loadOllamaModel({ baseUrl: slow.url }, CODER, -1).catch(() => {});
      const controller = new AbortController();
      const events = await slowBackend.chat({
        request: { model: CODER, messages: [{ role: "user", content: "Write an LRU cache" }], stream: true },
        model: CODER,
        options: {},
        signal: controller.signal,
      });
      for await (const event of events) {
        if (event.type === "text-delta") break;
      }
      expect(slow.scheduler.load(CODER).sameModel).toBe(1);
      controller.abort();
      await vi.waitFor(() => expect(slow.scheduler.load(CODER).sameModel).toBe(0));
    } finally {
      await slowBackend.close();
      await slow.close();
    }
  });
});

describe("the simulated Engine's scheduler", () => {
  const time = new SimulatedTime(1_000_000);

  it("keeps four requests per model decoding, queues the rest, and refuses past the queue", async () => {
    const scheduler = new SimulatedEngineScheduler(
      SIMULATED_LOCAL_MODELS,
      { slots: 2, maxLoadedModels: 2, maxQueue: 3 },
      time,
    );
    const first = await scheduler.admit(CODER, -1)!;
    expect(first.loadMs).toBeGreaterThan(8_000);
    const second = await scheduler.admit(CODER, -1)!;
    const third = scheduler.admit(CODER, -1)!;
    expect(scheduler.load(CODER).sameModel).toBe(2);
    let thirdAdmitted = false;
    void third.then(() => {
      thirdAdmitted = true;
    });
    expect(scheduler.admit(CODER, -1)).toBeDefined();
    expect(scheduler.admit(CODER, -1)).toBeDefined();
    expect(scheduler.admit(CODER, -1)).toBeUndefined();
    first.release();
    const admitted = await third;
    expect(thirdAdmitted).toBe(true);
    expect(admitted.loadMs).toBe(0);
    second.release();
  });

  it("unloads the least recently used idle model past its limit, and a model whose keep_alive ran out", async () => {
    const scheduler = new SimulatedEngineScheduler(
      SIMULATED_LOCAL_MODELS,
      { slots: 4, maxLoadedModels: 1, maxQueue: 10 },
      time,
    );
    await scheduler.preload(CODER, -1);
    expect(scheduler.resident().map((entry) => entry.spec.name)).toEqual([CODER]);
    await scheduler.preload(REASONER, "10m");
    expect(scheduler.resident().map((entry) => entry.spec.name)).toEqual([REASONER]);
    await scheduler.preload(REASONER, "1ms");
    await time.wait(1_000);
    expect(scheduler.resident()).toEqual([]);
    await scheduler.preload(CODER, -1);
    await scheduler.preload(CODER, 0);
    expect(scheduler.resident()).toEqual([]);
  });
});
