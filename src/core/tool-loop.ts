/**
 * The agent tool loop: a request that names MCP tools (`x-switchyard-tools`, `ChatCaller.tools`,
 * or its task's defaults under `tools.tasks`) is answered by a model that may call them. Each turn
 * is one ordinary request through the spine — routed (to an alias that can call tools), budgeted,
 * gated, in the ledger — and each tool it asks for goes through the hub, audited against that
 * turn's ledger row. The loop ends when the model answers without asking for a hub tool, at
 * `tools.loop.max_steps` (one last turn with tools off, so the model answers from what it has), at
 * `tools.loop.timeout_ms`, or when the caller goes away.
 *
 * Tool names go to models as `server__tool`: OpenAI and Anthropic allow only letters, digits, `_`
 * and `-` in a tool's name, and the hub's `server.tool` has a dot.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";
import { Cancellation, type CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatMessage, ChatRequest, ToolDefinition } from "../protocol/chat-types.js";
import type { ToolHub } from "../tools/tool-hub.js";
import type { ChatAnswer, ChatCall, ChatCaller } from "./chat-call.js";

export interface ToolLoopSettings {
  /** Model turns that may ask for tools; one more with tools off may follow. */
  maxSteps: number;
  /** The whole loop's time limit. */
  timeoutMs: number;
  /** Each tool call's own limit. */
  callTimeoutMs: number;
}

export interface ToolLoopInput {
  request: ChatRequest;
  caller: ChatCaller;
  /** The hub tools this request may use: `git.*,fs.read`-style patterns. */
  patterns: readonly string[];
  /** The task the first turn was planned as: every turn keeps it (tool results read like anything). */
  task: string;
  /** One turn through the spine, without a loop; `firstId` is the id its first attempt takes. */
  turn: (request: ChatRequest, caller: ChatCaller, firstId?: string) => ChatCall;
  /** The request's id: the first turn's first attempt takes it. */
  firstId: string;
  /** Called when the first turn has been admitted by the budget. */
  onAdmitted: () => void;
}

export class ToolLoop {
  constructor(
    private readonly hub: ToolHub,
    private readonly settings: ToolLoopSettings,
  ) {}

  async run(input: ToolLoopInput): Promise<ChatAnswer> {
    const cancellation = linkedCancellation(input.caller.signal);
    const timer = setTimeout(
      () =>
        cancellation.abort(
          new SwitchyardError(
            "upstream-timeout",
            `The tool loop did not finish within tools.loop.timeout_ms (${this.settings.timeoutMs} ms)`,
          ),
        ),
      this.settings.timeoutMs,
    );
    timer.unref();
    try {
      return await this.loop(input, cancellation);
    } catch (error) {
      // The deadline's own error says more than the "aborted" its cancellation caused downstream.
      if (cancellation.reason instanceof SwitchyardError && !input.caller.signal.aborted)
        throw cancellation.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async loop(input: ToolLoopInput, signal: Cancellation): Promise<ChatAnswer> {
    const tools = await this.hub.listTools({ filter: input.patterns, signal });
    const byWireName = new Map<string, string>();
    const offered: ToolDefinition[] = [...(input.request.tools ?? [])];
    for (const tool of tools) {
      const name = wireName(tool.name, byWireName);
      byWireName.set(name, tool.name);
      offered.push({ ...tool, name });
    }
    const caller: ChatCaller = { ...input.caller, signal, taskHint: input.task, tools: undefined };
    let messages: ChatMessage[] = [...input.request.messages];
    for (let step = 1; ; step++) {
      const lastTurn = step > this.settings.maxSteps;
      const request: ChatRequest = {
        ...input.request,
        messages,
        tools: offered,
        // Each turn is gated whole; the final answer is replayed as a stream when one was asked for.
        stream: false,
        ...(lastTurn ? { toolChoice: "none" as const } : {}),
      };
      const call = input.turn(request, caller, step === 1 ? input.firstId : undefined);
      if (step === 1) call.admitted.then(input.onAdmitted, () => {});
      const answer = await call.answer;
      const result = answer.gated?.result;
      const calls = result?.toolCalls ?? [];
      const hubCalls = calls.filter((call) => byWireName.has(call.name));
      // Done: no hub tool wanted, or the caller's own tools are wanted (only the caller can run those).
      if (!result || lastTurn || hubCalls.length === 0 || hubCalls.length < calls.length) {
        return answer;
      }
      messages = [...messages, { role: "assistant", content: result.text || null, toolCalls: calls }];
      for (const toolCall of hubCalls) {
        const outcome = await this.hub.callTool({
          name: byWireName.get(toolCall.name)!,
          arguments: toolCall.arguments,
          signal,
          timeoutMs: this.settings.callTimeoutMs,
          filter: input.patterns,
          requestId: answer.id,
        });
        messages.push({
          role: "tool",
          toolCallId: toolCall.id,
          content: outcome.text,
          ...(outcome.isError ? { isError: true } : {}),
        });
      }
    }
  }
}

/** `server.tool` as a model may see it: letters, digits, `_` and `-`, unique among the offered. */
function wireName(name: string, taken: ReadonlyMap<string, string>): string {
  const base = name
    .replace(".", "__")
    .replace(/[^A-Za-z0-9_-]/g, "_")
    .slice(0, 60);
  let candidate = base;
  for (let index = 2; taken.has(candidate); index++) candidate = `${base}_${index}`;
  return candidate;
}

/** A cancellation that also fires when the caller's does. */
function linkedCancellation(parent: CancelSignal): Cancellation {
  const cancellation = new Cancellation();
  if (parent.aborted) cancellation.abort(parent.reason);
  else parent.addEventListener("abort", () => cancellation.abort(parent.reason), { once: true });
  return cancellation;
}
