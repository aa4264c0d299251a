/**
 * The Ollama back end: sends a `ChatRequest` to `/api/chat` over a keep-alive undici pool and
 * streams the NDJSON answer back as `ChatEvent`s (a caller that does not stream gets one JSON
 * object from Ollama, decoded as the one line it is). Converting the request and decoding the lines
 * live in `ollama-wire.ts` and `ollama-stream-decoder.ts`; this module owns the HTTP exchange:
 * timeouts, status handling, line splitting, aborts and the pool's lifetime.
 */
import { type Dispatcher, Pool } from "undici";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";
import type { ChatEvent } from "../../protocol/chat-types.js";
import type { Backend, BackendCall } from "../backend.js";
import { type ResponseBody, type StreamingResponse, streamingRequest } from "../streaming-request.js";
import { type OllamaEndpoint, ollamaHttpError, ollamaNetworkError } from "./ollama-errors.js";
import { NdjsonLineSplitter } from "./ollama-line-splitter.js";
import { OllamaStreamDecoder } from "./ollama-stream-decoder.js";
import { toOllamaChatBody } from "./ollama-wire.js";

export interface OllamaBackendOptions {
  /** The configured id ("engine"); errors and the ledger name the back end by it. */
  id: string;
  /** Where Ollama listens, e.g. `http://engine.local:11434` (a path prefix is kept, for proxies). */
  baseUrl: string;
  /** Bring your own undici dispatcher (tests, shared pools); the back end then does not close it. */
  dispatcher?: Dispatcher;
  /** Extra headers on every request (an auth proxy's token). */
  headers?: Record<string, string>;
  /** How long to wait for the TCP connection. Default 5 s: the Engine is on the LAN. */
  connectTimeoutMs?: number;
  /**
   * How long to wait for the response headers. Ollama answers only once the model is loaded, and a
   * 32B model can take a minute to load from disk, so the default is generous: 300 s.
   */
  firstByteTimeoutMs?: number;
  /**
   * How long to wait for a whole non-streamed answer (its headers come only once it is done):
   * model load plus generation. Default 30 min, a guard against a hung Engine, not a latency goal.
   */
  answerTimeoutMs?: number;
}

const defaultConnectTimeoutMs = 5_000;
const defaultFirstByteTimeoutMs = 300_000;
const defaultAnswerTimeoutMs = 1_800_000;
/** Error bodies are short JSON; a proxy's HTML error page is not worth reading past this. */
const errorBodyLimitBytes = 16_384;

export class OllamaBackend implements Backend {
  readonly id: string;
  readonly kind = "ollama" as const;
  /** The dispatcher requests go through; `ollama-api.ts` helpers can share it. */
  readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly pathPrefix: string;
  private readonly endpoint: OllamaEndpoint;
  private readonly headers: Record<string, string>;
  private readonly firstByteTimeoutMs: number;
  private readonly answerTimeoutMs: number;

  constructor(options: OllamaBackendOptions) {
    this.id = options.id;
    const url = parseBaseUrl(options);
    this.origin = url.origin;
    this.pathPrefix = url.pathname.replace(/\/+$/, "");
    this.endpoint = { backend: options.id, baseUrl: `${url.origin}${this.pathPrefix}` };
    this.headers = { ...options.headers };
    this.firstByteTimeoutMs = options.firstByteTimeoutMs ?? defaultFirstByteTimeoutMs;
    this.answerTimeoutMs = options.answerTimeoutMs ?? defaultAnswerTimeoutMs;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Pool(this.origin, {
        connect: { timeout: options.connectTimeoutMs ?? defaultConnectTimeoutMs },
        headersTimeout: this.firstByteTimeoutMs,
      });
  }

  async chat(call: BackendCall): Promise<AsyncIterable<ChatEvent>> {
    const body = this.requestBody(call);
    if (call.signal.aborted) {
      throw ollamaNetworkError(this.endpoint, call.signal.reason, {
        phase: "before-response",
        signal: call.signal,
      });
    }
    const streamed = call.request.stream;
    let response: StreamingResponse;
    try {
      response = await streamingRequest(this.dispatcher, {
        origin: this.origin,
        path: `${this.pathPrefix}/api/chat`,
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: streamed ? "application/x-ndjson" : "application/json",
          ...this.headers,
          ...call.options.headers,
        },
        body,
        signal: call.signal,
        headersTimeout: streamed ? this.firstByteTimeoutMs : this.answerTimeoutMs,
      });
    } catch (error) {
      throw ollamaNetworkError(this.endpoint, error, {
        phase: "before-response",
        signal: call.signal,
        timeoutSetting: streamed ? "first_byte_timeout_ms" : "answer_timeout_ms",
      });
    }
    if (response.statusCode !== 200) {
      const bodyText = (await response.body.text(errorBodyLimitBytes)).slice(0, errorBodyLimitBytes);
      throw ollamaHttpError(this.endpoint, {
        status: response.statusCode,
        headers: response.headers,
        bodyText,
        model: call.model,
      });
    }
    return this.streamEvents(response.body, call.signal);
  }

  /** Conversion errors (an image given by URL, bad tool arguments) reject before any I/O. */
  private requestBody(call: BackendCall): string {
    try {
      return JSON.stringify(toOllamaChatBody(call.request, call.model, call.options));
    } catch (error) {
      if (!(error instanceof SwitchyardError)) throw error;
      throw new SwitchyardError(error.code, `Ollama back end "${this.id}": ${error.message}`, {
        backend: this.id,
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** NDJSON lines, or the one object of a non-streamed answer (a "line" with no newline after it). */
  private async *streamEvents(body: ResponseBody, signal: CancelSignal): AsyncGenerator<ChatEvent> {
    const decoder = new OllamaStreamDecoder(this.endpoint);
    // The decoder's errors are already SwitchyardErrors; anything else came from the socket.
    try {
      const lines = new NdjsonLineSplitter();
      for await (const chunk of body) {
        for (const line of lines.push(chunk)) {
          for (const event of decoder.decodeLine(line)) yield event;
        }
      }
      for (const event of decoder.decodeLine(lines.rest())) yield event;
      decoder.end();
    } catch (error) {
      throw ollamaNetworkError(this.endpoint, error, { phase: "mid-stream", signal });
    } finally {
      // Stopping early (the consumer broke off, or an error line) must not leave the socket open.
      if (!body.destroyed) body.destroy();
    }
  }
}

export function createOllamaBackend(options: OllamaBackendOptions): OllamaBackend {
  return new OllamaBackend(options);
}

function parseBaseUrl(options: OllamaBackendOptions): URL {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch (error) {
    throw new SwitchyardError(
      "invalid-request",
      `Ollama back end "${options.id}": baseUrl "${options.baseUrl}" is not a URL; use e.g. http://engine.local:11434`,
      { backend: options.id, cause: error },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SwitchyardError(
      "invalid-request",
      `Ollama back end "${options.id}": baseUrl must start with http:// or https://; got "${options.baseUrl}"`,
      { backend: options.id },
    );
  }
  return url;
}
