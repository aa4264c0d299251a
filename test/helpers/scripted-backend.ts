/**
 * An in-memory back end for the spine's own tests: it answers each call from a script — text,
 * reasoning, tool calls, a failure before the first event, a break mid-stream — and keeps every
 * call it was given. Where a test is about the spine (routing, budgets, gates, the ledger) and not
 * about a wire protocol, this is the back end; the protocol-faithful fakes test the real ones.
 */
import type { Backend, BackendCall } from "../../src/backends/backend.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import type { ChatEvent, FinishReason, ToolCall, Usage } from "../../src/protocol/chat-types.js";

export type ScriptedAnswer =
  | {
      kind: "reply";
      text?: string;
      reasoning?: string;
      toolCalls?: ToolCall[];
      finish?: FinishReason;
      usage?: Partial<Usage>;
      /** The answer waits for this before its first event (a slow load, a test's checkpoint). */
      after?: Promise<unknown>;
    }
  /** Refused before any event, as an upstream would (the code decides whether fallback follows). */
  | { kind: "fail"; error: SwitchyardError }
  /** Some text, then the stream breaks. */
  | { kind: "break"; text: string; error: SwitchyardError };

export class ScriptedBackend implements Backend {
  readonly calls: BackendCall[] = [];
  private readonly script: ScriptedAnswer[] = [];
  /** Streams started and not yet ended (finished, broken or abandoned). */
  open = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(
    readonly id: string,
    readonly kind: Backend["kind"],
    private readonly fallback: (call: BackendCall) => ScriptedAnswer = (call) => ({
      kind: "reply",
      text: `Hello from ${call.model}`,
    }),
  ) {}

  /** Answers the next calls in order; then the default answer. */
  enqueue(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  /** Resolves once `count` calls have arrived. */
  called(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async chat(call: BackendCall): Promise<AsyncIterable<ChatEvent>> {
    this.calls.push(call);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.calls.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    const answer = this.script.shift() ?? this.fallback(call);
    if (answer.kind === "fail") throw answer.error;
    if (answer.kind === "reply" && answer.after) await answer.after;
    if (call.signal.aborted) throw new SwitchyardError("aborted", "The caller went away");
    this.open++;
    return this.stream(answer, call);
  }

  async close(): Promise<void> {}

  private async *stream(answer: ScriptedAnswer, call: BackendCall): AsyncGenerator<ChatEvent> {
    try {
      yield { type: "response-metadata", model: call.model };
      if (answer.kind === "break") {
        yield { type: "text-delta", text: answer.text };
        throw answer.error;
      }
      if (answer.kind !== "reply") return;
      if (answer.reasoning) yield { type: "reasoning-delta", text: answer.reasoning };
      if (answer.text) yield { type: "text-delta", text: answer.text };
      for (const [index, toolCall] of (answer.toolCalls ?? []).entries()) {
        yield { type: "tool-call-start", index, id: toolCall.id, name: toolCall.name };
        yield { type: "tool-call-delta", index, argumentsDelta: toolCall.arguments };
      }
      if (call.signal.aborted) throw new SwitchyardError("aborted", "The caller went away");
      yield { type: "usage", usage: { inputTokens: 12, outputTokens: 8, ...answer.usage } };
      yield { type: "finish", reason: answer.finish ?? (answer.toolCalls?.length ? "tool-calls" : "stop") };
    } finally {
      this.open--;
    }
  }
}
