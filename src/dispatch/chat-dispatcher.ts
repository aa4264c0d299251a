/**
 * The spine's last step before a back end: send a routed request to its first rung, move up the
 * ladder when a rung fails before the first byte (unreachable, 5xx, 429, busy), and record the
 * outcome in the ledger once the stream ends — however it ends. Every front door calls this; there
 * is no second way to call a model.
 */
import { randomUUID } from "node:crypto";
import type { Backend, ModelOptions } from "../backends/backend.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { ChatEvent, ChatRequest, Usage } from "../protocol/chat-types.js";
import type { Route, RouteStep } from "../routing/task-router.js";
import type { FallbackHop, LedgerStore, RequestStatus } from "../store/ledger-store.js";

export interface DispatchInput {
  request: ChatRequest;
  route: Route;
  /** "openai", "anthropic", "cli": recorded in the ledger. */
  frontDoor: string;
  /** Aborted when the caller goes away; the upstream request is aborted with it. */
  signal: AbortSignal;
  /** performance.now() when the request arrived, for latency and time to first token. */
  arrivedAt: number;
  caller?: string | undefined;
}

export interface Dispatch {
  /** The ledger id of this request; also used as the response id. */
  id: string;
  route: Route;
  /** The rung that is answering. */
  step: RouteStep;
  /** Rungs that failed before this one, and why. */
  hops: FallbackHop[];
  /**
   * The answer. Iterate it to the end (or call `return()`); the ledger row is written when it ends.
   * Errors thrown from it are SwitchyardErrors.
   */
  events: AsyncIterable<ChatEvent>;
}

export interface ChatDispatcherOptions {
  config: SwitchyardConfig;
  backends: ReadonlyMap<string, Backend>;
  ledger: LedgerStore;
}

export class ChatDispatcher {
  private readonly modelOptions = new Map<string, ModelOptions>();

  constructor(private readonly options: ChatDispatcherOptions) {
    for (const [alias, entry] of Object.entries(options.config.aliases)) {
      const backend = options.config.backends[entry.backend];
      const modelOptions: ModelOptions = {};
      if (backend?.type === "ollama" && entry.context_window) modelOptions.numCtx = entry.context_window;
      if (entry.keep_alive !== undefined) modelOptions.keepAlive = entry.keep_alive;
      if (entry.think !== undefined) modelOptions.think = entry.think;
      if (entry.max_output_tokens !== undefined) modelOptions.maxOutputTokens = entry.max_output_tokens;
      this.modelOptions.set(alias, modelOptions);
    }
  }

  async dispatch(input: DispatchInput): Promise<Dispatch> {
    const id = randomUUID();
    const startedAt = Date.now() - (performance.now() - input.arrivedAt);
    const hops: FallbackHop[] = [];
    const ladder = input.route.ladder;
    for (let index = 0; index < ladder.length; index++) {
      const step = ladder[index]!;
      try {
        const backend = this.options.backends.get(step.backend);
        if (!backend) throw new SwitchyardError("internal", `Back end "${step.backend}" is not running`);
        const stream = await backend.chat({
          request: input.request,
          model: step.model,
          options: this.modelOptions.get(step.alias) ?? {},
          signal: input.signal,
        });
        const iterator = stream[Symbol.asyncIterator]();
        // Pull the first event before answering the caller: a failure here is still "before the
        // first byte" and may move up the ladder; after it, the answer is committed to this rung.
        const first = await iterator.next();
        const record = { id, startedAt, input, step, hops };
        return { id, route: input.route, step, hops, events: this.track(first, iterator, record) };
      } catch (thrown) {
        const error = toSwitchyardError(thrown);
        const next = ladder[index + 1];
        const canFallBack =
          this.options.config.routing.fallback &&
          error.retryable &&
          next !== undefined &&
          !input.signal.aborted;
        if (!canFallBack) {
          this.writeRow(
            { id, startedAt, input, step, hops },
            input.signal.aborted ? "aborted" : "error",
            error,
            undefined,
            null,
          );
          if (hops.length > 0) {
            throw new SwitchyardError(
              error.code,
              `${error.message} (after falling back: ${describeHops(hops)})`,
              {
                ...(error.backend ? { backend: error.backend } : {}),
                ...(error.upstreamStatus ? { upstreamStatus: error.upstreamStatus } : {}),
                ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
                details: { ...error.details, fallback: hops },
                cause: error,
              },
            );
          }
          throw error;
        }
        hops.push({ fromAlias: step.alias, toAlias: next.alias, reason: `${error.code}: ${error.message}` });
      }
    }
    throw new SwitchyardError("internal", `Route for ${input.route.task} has an empty ladder`);
  }

  private async *track(
    first: IteratorResult<ChatEvent>,
    iterator: AsyncIterator<ChatEvent>,
    record: RowContext,
  ): AsyncGenerator<ChatEvent> {
    let usage: Usage | undefined;
    let firstTokenAt: number | null = null;
    let status: RequestStatus = "aborted";
    let failure: SwitchyardError | undefined;
    try {
      let current = first;
      while (!current.done) {
        const event = current.value;
        if (firstTokenAt === null && isTokenEvent(event)) firstTokenAt = performance.now();
        if (event.type === "usage") usage = usage ? { ...usage, ...event.usage } : event.usage;
        yield event;
        current = await iterator.next();
      }
      status = "ok";
    } catch (thrown) {
      failure = toSwitchyardError(thrown);
      status = failure.code === "aborted" || record.input.signal.aborted ? "aborted" : "error";
      throw failure;
    } finally {
      if (status === "aborted") await iterator.return?.();
      const ttft = firstTokenAt === null ? null : firstTokenAt - record.input.arrivedAt;
      this.writeRow(record, status, failure, usage, ttft);
    }
  }

  private writeRow(
    context: RowContext,
    status: RequestStatus,
    error: SwitchyardError | undefined,
    usage: Usage | undefined,
    ttftMs: number | null,
  ): void {
    const { input, step } = context;
    this.options.ledger.record({
      id: context.id,
      startedAt: Math.round(context.startedAt),
      frontDoor: input.frontDoor,
      task: input.route.task,
      selector: input.route.selector,
      tier: step.tier,
      alias: step.alias,
      model: step.model,
      backend: step.backend,
      stream: input.request.stream,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      costUsd: usage?.costUsd ?? 0,
      ttftMs,
      latencyMs: performance.now() - input.arrivedAt,
      status,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      fallbackHops: context.hops,
      tokensPerSecond: usage?.tokensPerSecond ?? null,
      caller: input.caller ?? null,
    });
  }
}

interface RowContext {
  id: string;
  startedAt: number;
  input: DispatchInput;
  step: RouteStep;
  hops: FallbackHop[];
}

function isTokenEvent(event: ChatEvent): boolean {
  return event.type === "text-delta" || event.type === "reasoning-delta" || event.type === "tool-call-start";
}

export function describeHops(hops: FallbackHop[]): string {
  return hops.map((hop) => `${hop.fromAlias} → ${hop.toAlias} (${hop.reason})`).join("; ");
}
