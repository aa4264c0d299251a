/**
 * The contract every back end implements. A back end turns one `ChatRequest` for one concrete
 * model into a stream of `ChatEvent`s, and nothing else: routing, budgets and the ledger live above
 * it. Adding a back end means one folder under `backends/` and one line in `backend-registry.ts`.
 */

import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent, ChatRequest } from "../protocol/chat-types.js";

/** Per-model settings that come from the alias in config, not from the caller. */
export interface ModelOptions {
  /** Context window to ask for (Ollama `options.num_ctx`). */
  numCtx?: number;
  /** How long the model stays loaded after the call (Ollama `keep_alive`; -1 = forever). */
  keepAlive?: string | number;
  /**
   * Whether to ask a reasoning model for its reasoning separately (Ollama `think`). The caller's
   * `reasoning` option overrides this when it is set.
   */
  think?: boolean;
  /** Default output token limit when the caller sets none. */
  maxOutputTokens?: number;
  /** Extra headers for this model's requests (Anthropic beta headers forwarded to OpenRouter). */
  headers?: Record<string, string>;
}

export interface BackendCall {
  request: ChatRequest;
  /** The concrete upstream model name (`qwen2.5-coder:32b`, `anthropic/claude-sonnet-4.5`). */
  model: string;
  options: ModelOptions;
  /** Aborted when the caller disconnects; the back end must abort its upstream request. */
  signal: CancelSignal;
}

export interface Backend {
  /** The configured id ("engine", "openrouter"); errors and the ledger name the back end by it. */
  readonly id: string;
  /** Which protocol this back end speaks. */
  readonly kind: "ollama" | "openai-compatible";
  /**
   * Sends the call. Resolves once the upstream has answered with a success status, so that a
   * failure before the first byte rejects (and the caller can move down the ladder) while a failure
   * mid-stream is thrown from the iterator. Errors are always `SwitchyardError`s naming this back end.
   */
  chat(call: BackendCall): Promise<AsyncIterable<ChatEvent>>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
