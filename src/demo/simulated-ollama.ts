/**
 * The demo's simulated Engine: an HTTP server on loopback that speaks Ollama's API — `/api/chat`
 * (NDJSON streaming, one line per token, and `stream: false`), `/api/generate` (loading a model
 * with no prompt, as Switchyard's warm-up does, or answering a prompt), `/api/tags`, `/api/ps`,
 * `/api/show`, `/api/version`, `/api/pull` and `GET /`. Models load, queue for slots and decode at
 * the reference Engine's speed (simulated-model-speeds.ts) in simulated time; the answers come
 * from an AnswerWriter. Errors are Ollama's: 404 for a model not pulled, 400 for `think` or tools
 * a model cannot do, 503 when the queue is full.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AnswerWriter, type SimulatedFormat, simulatedMessages } from "./simulated-ask.js";
import {
  type EngineLimits,
  REFERENCE_ENGINE_LIMITS,
  SimulatedEngineScheduler,
} from "./simulated-engine-scheduler.js";
import { closeServer, listen, readBody, sendJson } from "./simulated-http.js";
import { type LocalModelSpec, SIMULATED_LOCAL_MODELS, streamDecodeRate } from "./simulated-model-speeds.js";
import { pullModel } from "./simulated-ollama-pull.js";
import {
  doneFields,
  generationLine,
  line,
  NDJSON_TYPE,
  OLLAMA_BUSY_MESSAGE,
  psEntry,
  SIMULATED_OLLAMA_VERSION,
  showEntry,
  tagsEntry,
} from "./simulated-ollama-wire.js";
import { pace, planReply, promptTokenCount } from "./simulated-pacing.js";
import type { SimulatedTime } from "./simulated-time.js";

export interface SimulatedOllamaOptions {
  time: SimulatedTime;
  answers: AnswerWriter;
  models?: readonly LocalModelSpec[];
  limits?: EngineLimits;
  /** Default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
}

export interface SimulatedOllama {
  /** e.g. http://127.0.0.1:41234 — what `base_url` of an Ollama back end names. */
  url: string;
  scheduler: SimulatedEngineScheduler;
  close(): Promise<void>;
}

/** What a resident model reports as load_duration: Ollama's bookkeeping for a warm runner. */
const WARM_LOAD_MS = 18;

export async function startSimulatedOllama(options: SimulatedOllamaOptions): Promise<SimulatedOllama> {
  const { time } = options;
  const limits = options.limits ?? REFERENCE_ENGINE_LIMITS;
  const scheduler = new SimulatedEngineScheduler(options.models ?? SIMULATED_LOCAL_MODELS, limits, time);
  const contextOf = new Map<string, number>();

  const findModel = (name: unknown): LocalModelSpec | undefined => {
    if (typeof name !== "string" || name === "") return undefined;
    return scheduler.spec(name) ?? scheduler.spec(name.includes(":") ? name : `${name}:latest`);
  };

  /** `/api/chat` and `/api/generate` with a prompt: the same generation, framed differently. */
  const generate = async (
    response: ServerResponse,
    body: Record<string, unknown>,
    spec: LocalModelSpec,
    shape: "chat" | "generate",
  ) => {
    const think =
      body.think === true || body.think === "high" || body.think === "medium" || body.think === "low";
    if (think && !spec.capabilities.includes("thinking"))
      return sendJson(response, 400, { error: `"${spec.name}" does not support thinking` });
    if (Array.isArray(body.tools) && body.tools.length > 0 && !spec.capabilities.includes("tools"))
      return sendJson(response, 400, {
        error: `registry.ollama.ai/library/${spec.name} does not support tools`,
      });
    const modelOptions = (
      typeof body.options === "object" && body.options !== null ? body.options : {}
    ) as Record<string, unknown>;
    if (typeof modelOptions.num_ctx === "number") contextOf.set(spec.name, modelOptions.num_ctx);

    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) gone.abort();
    });
    const admitted = scheduler.admit(spec.name, body.keep_alive);
    if (!admitted) return sendJson(response, 503, { error: OLLAMA_BUSY_MESSAGE });
    const ticket = await admitted;
    try {
      if (gone.signal.aborted) return;
      const messages =
        shape === "chat"
          ? simulatedMessages(body.messages)
          : [
              ...(typeof body.system === "string" ? [{ role: "system" as const, content: body.system }] : []),
              { role: "user" as const, content: typeof body.prompt === "string" ? body.prompt : "" },
            ];
      const reply = options.answers({ model: spec.name, messages, think, format: formatOf(body) });
      // Asked nothing about thinking, a thinking model shows it inline, as older Ollama did.
      const inline = body.think === undefined && spec.capabilities.includes("thinking") && reply.thinking;
      const content = inline ? `<think>\n${reply.thinking}\n</think>\n\n${reply.content}` : reply.content;
      const predict = modelOptions.num_predict;
      const planned = planReply(
        { content, reasoning: think ? (reply.thinking ?? "") : "", runsOutOfTokens: reply.runsOutOfTokens },
        typeof predict === "number" && predict >= 0 ? predict : Number.POSITIVE_INFINITY,
      );
      const promptTokens = promptTokenCount(messages.map((message) => message.content));
      const promptMs = (promptTokens / spec.promptTokensPerSecond) * 1000;
      await time.wait(promptMs, gone.signal);
      if (gone.signal.aborted) return;

      const pieces = [
        ...planned.reasoning.map((text) => ({ thinking: text })),
        ...planned.content.map((text) => ({ content: text })),
      ];
      const frame = (piece: { thinking?: string; content?: string }) =>
        generationLine(shape, spec.name, piece.content ?? "", piece.thinking);
      const streaming = body.stream !== false;
      let sent = 0;
      const decodeMs = await pace({
        total: pieces.length,
        rate: () => {
          const now = scheduler.load(spec.name);
          return streamDecodeRate(spec, Math.max(1, now.sameModel), now.otherModels);
        },
        time,
        signal: gone.signal,
        onProgress: (released) => {
          if (!streaming) return;
          if (!response.headersSent) response.writeHead(200, NDJSON_TYPE);
          response.write(pieces.slice(sent, released).map(frame).map(line).join(""));
          sent = released;
        },
      });
      if (gone.signal.aborted) return;
      const stats = doneFields({
        doneReason: planned.finishReason,
        loadMs: ticket.loadMs > 0 ? ticket.loadMs : WARM_LOAD_MS,
        promptTokens,
        promptMs,
        outputTokens: pieces.length,
        decodeMs,
      });
      if (streaming) {
        if (!response.headersSent) response.writeHead(200, NDJSON_TYPE);
        response.end(line({ ...frame({ content: "" }), ...stats }));
        return;
      }
      const whole = generationLine(
        shape,
        spec.name,
        planned.content.join(""),
        planned.reasoning.length > 0 ? planned.reasoning.join("") : undefined,
      );
      sendJson(response, 200, { ...whole, ...stats });
    } finally {
      ticket.release();
    }
  };

  /** `/api/generate` without a prompt loads the model (keep_alive 0 unloads it), as Ollama does. */
  const loadOnly = async (response: ServerResponse, body: Record<string, unknown>, spec: LocalModelSpec) => {
    const unloading = body.keep_alive === 0 || body.keep_alive === "0";
    await scheduler.preload(spec.name, body.keep_alive);
    sendJson(response, 200, {
      model: spec.name,
      created_at: new Date().toISOString(),
      response: "",
      done: true,
      done_reason: unloading ? "unload" : "load",
    });
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const text = await readBody(request);
    let body: Record<string, unknown> = {};
    if (text.trim() !== "") {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        return sendJson(response, 400, { error: "invalid character in request body" });
      }
    }
    switch (`${request.method} ${path}`) {
      case "GET /":
      case "HEAD /":
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        return response.end("Ollama is running");
      case "GET /api/version":
        return sendJson(response, 200, { version: SIMULATED_OLLAMA_VERSION });
      case "GET /api/tags":
        return sendJson(response, 200, { models: scheduler.installed().map(tagsEntry) });
      case "GET /api/ps":
        return sendJson(response, 200, {
          models: scheduler
            .resident()
            .map(({ spec, expiresAt }) =>
              psEntry(spec, (expiresAt - time.now()) / time.speed, contextOf.get(spec.name) ?? 4096),
            ),
        });
      case "POST /api/show": {
        const spec = findModel(body.model ?? body.name);
        if (!spec)
          return sendJson(response, 404, { error: `model '${String(body.model ?? body.name)}' not found` });
        return sendJson(response, 200, showEntry(spec));
      }
      case "POST /api/chat":
      case "POST /api/generate": {
        if (typeof body.model !== "string" || body.model === "")
          return sendJson(response, 400, { error: "model is required" });
        const spec = findModel(body.model);
        if (!spec)
          return sendJson(response, 404, { error: `model "${body.model}" not found, try pulling it first` });
        if (path === "/api/chat") {
          if (body.messages !== undefined && !Array.isArray(body.messages))
            return sendJson(response, 400, { error: "messages must be an array" });
          if (!Array.isArray(body.messages) || body.messages.length === 0)
            return loadOnly(response, body, spec);
          return generate(response, body, spec, "chat");
        }
        if (typeof body.prompt !== "string" || body.prompt === "") return loadOnly(response, body, spec);
        return generate(response, body, spec, "generate");
      }
      case "POST /api/pull":
        return pullModel({ response, body, scheduler, time });
      default:
        response.writeHead(404, { "content-type": "text/plain" });
        return response.end("404 page not found");
    }
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { error: String(error) });
    });
  });
  const url = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return { url, scheduler, close: () => closeServer(server) };
}

function formatOf(body: Record<string, unknown>): SimulatedFormat | undefined {
  if (body.format === "json") return { type: "json" };
  if (typeof body.format === "object" && body.format !== null)
    return { type: "json-schema", schema: body.format };
  return undefined;
}
