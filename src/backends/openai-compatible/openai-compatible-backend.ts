/**
 * The back end for every server that speaks OpenAI Chat Completions: OpenRouter (the default
 * flavor), vLLM, LM Studio and llama.cpp server. Owns the HTTP exchange — a keep-alive undici
 * pool, status → error mapping before the first byte, and turning the SSE body (or, for a caller
 * that does not stream, the one JSON completion) into `ChatEvent`s — while the wire shapes live in
 * `openai-compatible-wire.ts`.
 */

import { Agent, type Dispatcher } from "undici";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";
import type { ChatEvent } from "../../protocol/chat-types.js";
import type { Backend, BackendCall } from "../backend.js";
import {
  type ResponseBody,
  ResponseTooLargeError,
  type StreamingResponse,
  streamingRequest,
} from "../streaming-request.js";
import {
  errorFromCompletion,
  errorFromEarlyEnd,
  errorFromStatus,
  errorFromStream,
  errorFromTransport,
  type UpstreamErrorContext,
} from "./openai-compatible-errors.js";
import {
  convertCompletion,
  convertStreamChunk,
  createStreamState,
  finishStream,
  type OpenAICompatibleFlavor,
  type StreamState,
  toChatCompletionsBody,
} from "./openai-compatible-wire.js";
import { SSE_DONE_DATA, type SseEvent, SseParser } from "./sse-parser.js";

export interface OpenAICompatibleBackendOptions {
  /** The configured id ("openrouter", "vllm"); errors and the ledger name the back end by it. */
  id: string;
  /** The API root that `/chat/completions` hangs off, e.g. `https://openrouter.ai/api/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; local servers usually need none. */
  apiKey?: string;
  /** Extra headers on every request — OpenRouter attribution (`HTTP-Referer`, `X-Title`). */
  headers?: Record<string, string>;
  /** Bring your own undici dispatcher (tests, proxies); the back end then does not close it. */
  dispatcher?: Dispatcher;
  /** How long to wait for the response status and headers; undici's default (300 s) otherwise. */
  firstByteTimeoutMs?: number;
  /**
   * How long a non-streamed answer may take, headers and body alike (some servers send nothing
   * until it is complete). Default 30 min: a guard against a hung upstream, not a latency goal.
   */
  answerTimeoutMs?: number;
  /** A non-streamed completion larger than this is refused rather than held; default 64 MiB. */
  answerLimitBytes?: number;
  /** "openrouter" (default) adds OpenRouter's `reasoning` and `usage` parameters. */
  flavor?: OpenAICompatibleFlavor;
}

/** An error body larger than this is cut: we only want its message. */
const ERROR_BODY_LIMIT_BYTES = 64 * 1024;
const DEFAULT_ANSWER_LIMIT_BYTES = 64 * 1024 * 1024;
const DEFAULT_ANSWER_TIMEOUT_MS = 1_800_000;

export class OpenAICompatibleBackend implements Backend {
  readonly id: string;
  readonly kind = "openai-compatible" as const;
  /** Origin and path of `/chat/completions`, split once: undici then parses no URL per request. */
  private readonly chatOrigin: string;
  private readonly chatPath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly baseHeaders: Record<string, string>;
  private readonly wholeAnswerHeaders: Record<string, string>;
  private readonly flavor: OpenAICompatibleFlavor;
  private readonly firstByteTimeoutMs: number | undefined;
  private readonly answerTimeoutMs: number;
  private readonly answerLimitBytes: number;
  private readonly errorContext: UpstreamErrorContext;
  /** OpenRouter without a key refuses every call: fail at once rather than ask it. */
  private readonly missingKey: SwitchyardError | undefined;

  constructor(options: OpenAICompatibleBackendOptions) {
    this.id = options.id;
    this.flavor = options.flavor ?? "openrouter";
    this.firstByteTimeoutMs = options.firstByteTimeoutMs;
    this.answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
    this.answerLimitBytes = options.answerLimitBytes ?? DEFAULT_ANSWER_LIMIT_BYTES;
    const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    const chatUrl = new URL("chat/completions", base);
    this.chatOrigin = chatUrl.origin;
    this.chatPath = `${chatUrl.pathname}${chatUrl.search}`;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 });
    this.baseHeaders = mergeHeaders(options.headers, {
      "content-type": "application/json",
      accept: "text/event-stream",
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    });
    this.wholeAnswerHeaders = { ...this.baseHeaders, accept: "application/json" };
    this.errorContext = {
      backendId: options.id,
      host: base.host,
      flavor: this.flavor,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    };
    this.missingKey =
      this.flavor === "openrouter" && !options.apiKey
        ? new SwitchyardError(
            "upstream-authentication",
            `No OpenRouter key for back end "${options.id}": set OPENROUTER_API_KEY (in the environment or a .env file where switchyard runs) or backends.${options.id}.api_key to use the cloud models.`,
            { backend: options.id },
          )
        : undefined;
  }

  async chat(call: BackendCall): Promise<AsyncIterable<ChatEvent>> {
    if (this.missingKey) throw this.missingKey;
    const body = JSON.stringify(toChatCompletionsBody(call.request, call.model, call.options, this.flavor));
    const streamed = call.request.stream;
    const before = {
      phase: "before-response",
      signal: call.signal,
      timeoutSetting: streamed ? "first_byte_timeout_ms" : "answer_timeout_ms",
    } as const;
    if (call.signal.aborted) throw errorFromTransport(call.signal.reason, this.errorContext, before);
    const ownHeaders = streamed ? this.baseHeaders : this.wholeAnswerHeaders;
    let response: StreamingResponse;
    try {
      response = await streamingRequest(this.dispatcher, {
        origin: this.chatOrigin,
        path: this.chatPath,
        method: "POST",
        // Per-model headers (forwarded anthropic-beta) may add to ours but not replace auth.
        headers: call.options.headers ? mergeHeaders(call.options.headers, ownHeaders) : ownHeaders,
        body,
        signal: call.signal,
        ...(streamed
          ? this.firstByteTimeoutMs !== undefined
            ? { headersTimeout: this.firstByteTimeoutMs }
            : {}
          : { headersTimeout: this.answerTimeoutMs, bodyTimeout: this.answerTimeoutMs }),
      });
    } catch (error) {
      throw errorFromTransport(error, this.errorContext, before);
    }

    const { statusCode, headers } = response;
    if (statusCode < 200 || statusCode >= 300) {
      const text = await response.body.text(ERROR_BODY_LIMIT_BYTES);
      throw errorFromStatus(statusCode, headers["retry-after"], text, this.errorContext);
    }
    const contentType = String(headers["content-type"] ?? "");
    if (!streamed && !contentType.includes("text/event-stream")) {
      return this.wholeAnswer(response.body, call.signal);
    }
    if (!contentType.includes("text/event-stream")) {
      // A 200 that is not a stream is almost always an error body from a proxy or a server that
      // ignored `stream: true`; report what it says rather than an empty answer.
      const text = await response.body.text(ERROR_BODY_LIMIT_BYTES);
      const status = /"code"\s*:\s*(\d{3})/.exec(text)?.[1];
      throw errorFromStatus(status ? Number(status) : 502, undefined, text, this.errorContext);
    }
    return this.streamEvents(response.body, call.signal);
  }

  private async *streamEvents(body: ResponseBody, signal: CancelSignal): AsyncGenerator<ChatEvent> {
    const parser = new SseParser();
    const state = createStreamState();
    let sawDone = false;
    let finished = false;
    try {
      for await (const chunk of body) {
        if (sawDone) continue; // drain the rest so the connection can be reused
        sawDone = yield* this.convertEvents(parser.push(chunk), state);
      }
      if (!sawDone) sawDone = yield* this.convertEvents(parser.end(), state);
      finished = true;
    } catch (error) {
      throw errorFromTransport(error, this.errorContext, { phase: "mid-stream", signal });
    } finally {
      // The consumer stopped early (break, error): close the upstream so it stops generating.
      if (!finished && !body.destroyed) body.destroy();
    }
    const closing = finishStream(state, sawDone);
    if (!closing) throw errorFromEarlyEnd(this.errorContext);
    for (const chatEvent of closing) yield chatEvent;
  }

  /**
   * A non-streamed completion, read whole and yielded as its events. A failure the body reports
   * throws at the first event, before anything reached the caller, so the ladder may move on.
   */
  private async *wholeAnswer(body: ResponseBody, signal: CancelSignal): AsyncGenerator<ChatEvent> {
    let text: string;
    try {
      text = await body.readAll(this.answerLimitBytes);
    } catch (error) {
      if (error instanceof ResponseTooLargeError) {
        throw errorFromCompletion({ message: error.message }, "", this.errorContext);
      }
      // The body's wait is the whole answer's (`answerTimeoutMs`), like the headers'.
      throw errorFromTransport(error, this.errorContext, {
        phase: "mid-stream",
        signal,
        timeoutSetting: "answer_timeout_ms",
      });
    }
    const outcome = convertCompletion(text);
    if (outcome.error) throw errorFromCompletion(outcome.error, text, this.errorContext);
    yield* outcome.events;
  }

  /** Converts parsed SSE events; returns true once `[DONE]` arrives. */
  private *convertEvents(events: SseEvent[], state: StreamState): Generator<ChatEvent, boolean> {
    for (const event of events) {
      if (event.data === SSE_DONE_DATA) return true;
      const outcome = convertStreamChunk(event.data, state);
      yield* outcome.events;
      if (outcome.error) throw errorFromStream(outcome.error, this.errorContext);
    }
    return false;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

/** Header names are case-insensitive; lower-case them so a later source really replaces an earlier one. */
function mergeHeaders(...sources: Array<Record<string, string> | undefined>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (!source) continue;
    for (const [name, value] of Object.entries(source)) merged[name.toLowerCase()] = value;
  }
  return merged;
}
