/**
 * The spine without HTTP: a real runtime (config, router, budget, dispatcher, gates, a SQLite
 * ledger in a fresh file) whose two back ends — the Engine ("engine", Ollama's kind) and
 * OpenRouter ("openrouter") — are scripted in memory. Tests call `switchyard.chat` the way every
 * door does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { parse, stringify } from "yaml";
import type { BackendCall } from "../../src/backends/backend.js";
import { parseConfigText } from "../../src/config/config-load.js";
import type { SwitchyardConfig } from "../../src/config/config-schema.js";
import type { ChatAnswer, ChatCall, ChatCaller } from "../../src/core/chat-call.js";
import { type SwitchyardRuntime, startRuntime } from "../../src/core/switchyard-runtime.js";
import { Cancellation } from "../../src/protocol/cancel-signal.js";
import { type ChatRequest, type ChatResult, collectChatEvents } from "../../src/protocol/chat-types.js";
import type { RequestRecord } from "../../src/store/ledger-store.js";
import { type ScriptedAnswer, ScriptedBackend } from "./scripted-backend.js";
import { mergeDeep, quietEngine } from "./switchyard-harness.js";

export interface Spine {
  runtime: SwitchyardRuntime;
  config: SwitchyardConfig;
  engine: ScriptedBackend;
  openRouter: ScriptedBackend;
  /** `switchyard.chat` as a door calls it; `caller` fields override the defaults. */
  call(request: Partial<ChatRequest> & { content?: string }, caller?: Partial<ChatCaller>): ChatCall;
  /** The answer and its text, collected. */
  ask(
    request: Partial<ChatRequest> & { content?: string },
    caller?: Partial<ChatCaller>,
  ): Promise<{ answer: ChatAnswer; result: ChatResult }>;
  /** Every ledger row once the spine is idle, oldest first (attempts in order). */
  rows(): Promise<RequestRecord[]>;
  close(): Promise<void>;
}

export interface SpineOptions {
  /** Default answers when a back end's script is empty (default: "Hello from <model>"). */
  engine?: (call: BackendCall) => ScriptedAnswer;
  openRouter?: (call: BackendCall) => ScriptedAnswer;
  /** The runtime's logger (default: silent). */
  logger?: Logger;
  /** The runtime's clock for throttled warnings. */
  now?: () => number;
}

export async function startSpine(configYaml = "", options: SpineOptions = {}): Promise<Spine> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-spine-"));
  const engine = new ScriptedBackend("engine", "ollama", options.engine);
  const openRouter = new ScriptedBackend("openrouter", "openai-compatible", options.openRouter);
  const base = {
    backends: {
      // Nothing listens here: the scripted back ends answer instead of the configured URLs.
      engine: { base_url: "http://127.0.0.1:9", ...quietEngine },
      openrouter: { base_url: "http://127.0.0.1:9/api/v1", api_key: "sk-or-test-0123456789abcdef" },
    },
    database: { url: join(directory, "ledger.db") },
    budget: {
      key_check_interval_minutes: 0,
      catalog: { path: join(directory, "model-catalog.json"), sync_on_start: false },
    },
    logging: { level: "silent" },
  };
  const yaml = stringify(mergeDeep(base, parse(configYaml) ?? {}));
  const config = parseConfigText(yaml, "spine test config", {});
  const runtime = await startRuntime(config, {
    logger: options.logger ?? pino({ level: "silent" }),
    ...(options.now ? { now: options.now } : {}),
    env: { SWITCHYARD_HOME: directory },
    backends: new Map([
      ["engine", engine],
      ["openrouter", openRouter],
    ]),
  });
  const call = (request: Partial<ChatRequest> & { content?: string }, caller: Partial<ChatCaller> = {}) => {
    const { content, ...rest } = request;
    const chatRequest: ChatRequest = {
      model: "switchyard/auto",
      messages: [{ role: "user", content: content ?? "Write add(a, b) in TypeScript" }],
      stream: false,
      ...rest,
    };
    return runtime.switchyard.chat(chatRequest, { frontDoor: "test", signal: new Cancellation(), ...caller });
  };
  return {
    runtime,
    config,
    engine,
    openRouter,
    call,
    async ask(request, caller) {
      const answer = await call(request, caller).answer;
      return { answer, result: answer.gated?.result ?? (await collectChatEvents(answer.events)) };
    },
    async rows() {
      await runtime.switchyard.idle();
      await runtime.ledger.flush();
      const rows = await runtime.ledger.recent(10_000);
      return rows.sort((a, b) => a.startedAt - b.startedAt || a.attempt - b.attempt);
    },
    async close() {
      await runtime.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
