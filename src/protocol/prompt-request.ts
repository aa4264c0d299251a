/**
 * A chat request made from a bare prompt — what `switchyard route`, `POST /admin/route` and the MCP
 * tools `route` and `ask` start from: an optional system prompt, one user turn, and the virtual
 * model `switchyard/auto` so the router decides (a task, when named, goes as the task hint).
 */
import type { ChatRequest } from "./chat-types.js";

export interface PromptInput {
  prompt: string;
  system?: string | undefined;
  /** The `model` to send; default `switchyard/auto`. */
  model?: string | undefined;
  maxTokens?: number | undefined;
}

export function promptChatRequest(input: PromptInput): ChatRequest {
  return {
    model: input.model ?? "switchyard/auto",
    messages: [
      ...(input.system ? [{ role: "system" as const, content: input.system }] : []),
      { role: "user" as const, content: input.prompt },
    ],
    ...(input.maxTokens !== undefined ? { maxTokens: input.maxTokens } : {}),
    stream: false,
  };
}
