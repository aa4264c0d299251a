/**
 * Owns the meaning of Ollama's streamed answer: turns each NDJSON line of `/api/chat` into
 * `ChatEvent`s — text (through the `<think>` splitter), reasoning, tool calls, usage and the finish
 * reason — and notices when the stream is broken (an `{"error"}` line, a line that is not JSON, or
 * no final `done` line). No I/O: the back end feeds it lines.
 */
import { randomBytes } from "node:crypto";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { ChatEvent, FinishReason, Usage } from "../../protocol/chat-types.js";
import { jsonParseError, parseJsonOrUndefined } from "../../protocol/safe-json.js";
import { describeOllama } from "./ollama-errors.js";
import { ThinkSplitter } from "./ollama-think-splitter.js";
import { type OllamaChatLine, ollamaChatLineSchema } from "./ollama-wire.js";

export interface OllamaStreamDecoderOptions {
  /** The back end id, for error messages and `SwitchyardError.backend`. */
  backend: string;
  /** Where the stream came from, for error messages. */
  baseUrl: string;
}

export class OllamaStreamDecoder {
  private readonly thinkSplitter = new ThinkSplitter();
  private metadataSent = false;
  private toolCallCount = 0;
  private finished = false;

  constructor(private readonly options: OllamaStreamDecoderOptions) {}

  /** Decodes one line (without its newline). Blank lines decode to nothing. */
  decodeLine(line: string): ChatEvent[] {
    if (line.trim() === "") return [];
    const parsed = this.parse(line);
    const events: ChatEvent[] = [];
    if (!this.metadataSent && parsed.model) {
      this.metadataSent = true;
      events.push({ type: "response-metadata", model: parsed.model });
    }
    const message = parsed.message;
    if (message?.thinking) events.push({ type: "reasoning-delta", text: message.thinking });
    if (message?.content) this.pushContent(events, this.thinkSplitter.push(message.content));
    for (const call of message?.tool_calls ?? []) {
      const index = this.toolCallCount++;
      const argumentsText =
        typeof call.function.arguments === "string"
          ? call.function.arguments
          : JSON.stringify(call.function.arguments ?? {});
      events.push({
        type: "tool-call-start",
        index,
        id: call.id || newToolCallId(),
        name: call.function.name,
      });
      events.push({ type: "tool-call-delta", index, argumentsDelta: argumentsText });
    }
    if (parsed.done) {
      this.pushContent(events, this.thinkSplitter.flush());
      events.push({ type: "usage", usage: toUsage(parsed) });
      events.push({ type: "finish", reason: this.finishReason(parsed.done_reason) });
      this.finished = true;
    }
    return events;
  }

  /** Called when the body ends; throws when the final `done` line never came. */
  end(): void {
    if (!this.finished) {
      throw this.error("stream ended early, before the final line with `done: true`");
    }
  }

  private parse(line: string): OllamaChatLine {
    // The hot path: one parse per line and no wrapper object; the reason is worked out on failure only.
    const json = parseJsonOrUndefined(line);
    if (json === undefined) {
      throw this.error(`sent a line that is not JSON (${jsonParseError(line)}): ${abbreviate(line)}`);
    }
    const result = ollamaChatLineSchema.safeParse(json);
    if (!result.success) throw this.error(`sent an unexpected line: ${abbreviate(line)}`, result.error);
    // Ollama reports a failure after streaming began as an error line on an HTTP 200 response.
    if (result.data.error) throw this.error(`failed mid-stream: ${result.data.error}`);
    return result.data;
  }

  private pushContent(events: ChatEvent[], pieces: ReturnType<ThinkSplitter["push"]>): void {
    for (const piece of pieces) {
      events.push({ type: piece.kind === "text" ? "text-delta" : "reasoning-delta", text: piece.text });
    }
  }

  private finishReason(doneReason: string | null | undefined): FinishReason {
    switch (doneReason) {
      case "stop":
        // Ollama says "stop" after a tool call too; callers need to know the turn wants tools run.
        return this.toolCallCount > 0 ? "tool-calls" : "stop";
      case "length":
        return "length";
      default:
        return "other";
    }
  }

  private error(detail: string, cause?: unknown): SwitchyardError {
    return new SwitchyardError("upstream-error", `${describeOllama(this.options)} ${detail}`, {
      backend: this.options.backend,
      upstreamStatus: 200,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function toUsage(line: OllamaChatLine): Usage {
  const usage: Usage = { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 };
  // Ollama reports durations in nanoseconds.
  if (line.load_duration != null) usage.loadMs = line.load_duration / 1e6;
  if (line.prompt_eval_duration != null) usage.promptEvalMs = line.prompt_eval_duration / 1e6;
  if (line.eval_duration != null) {
    usage.evalMs = line.eval_duration / 1e6;
    if (line.eval_duration > 0) usage.tokensPerSecond = usage.outputTokens / (line.eval_duration / 1e9);
  }
  return usage;
}

function newToolCallId(): string {
  return `call_${randomBytes(12).toString("base64url")}`;
}

function abbreviate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
