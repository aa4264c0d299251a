/**
 * The seam between the simulated servers and the answers they give: what a simulated model is
 * asked (the conversation as plain text, whether it should think, any structured-output format)
 * and what it answers. The servers read their wire formats into a `SimulatedAsk`; an
 * `AnswerWriter` turns it into a reply; the servers pace and frame the reply.
 */

export interface SimulatedMessage {
  role: "system" | "user" | "assistant" | "tool";
  /** The message's text; images and other parts are left out (the simulator cannot see them). */
  content: string;
}

export type SimulatedFormat = { type: "json" } | { type: "json-schema"; schema: unknown };

export interface SimulatedAsk {
  /** The model as the request named it: `qwen2.5-coder:32b`, `anthropic/claude-sonnet-4.5`. */
  model: string;
  messages: SimulatedMessage[];
  /** The caller asked for the model's reasoning (Ollama `think: true`, OpenRouter `reasoning`). */
  think: boolean;
  format?: SimulatedFormat | undefined;
}

export interface SimulatedReply {
  content: string;
  /** Reasoning, sent apart from the answer when the caller asked to think. */
  thinking?: string | undefined;
  /**
   * The model ran into its output limit: the server stops after about two thirds of the content
   * and reports `length` as the finish reason, as a real model that rambled would.
   */
  runsOutOfTokens?: boolean | undefined;
}

export type AnswerWriter = (ask: SimulatedAsk) => SimulatedReply;

/** Text of a wire message's content: a string, or OpenAI/Anthropic-style parts with `text`. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) =>
      typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string"
        ? (part as { text: string }).text
        : "",
    )
    .filter((text) => text !== "")
    .join("\n");
}

/** The wire messages (Ollama's or OpenAI's) as simulated ones; unknown roles read as user. */
export function simulatedMessages(wire: unknown): SimulatedMessage[] {
  if (!Array.isArray(wire)) return [];
  return wire.map((message) => {
    const fields = (typeof message === "object" && message !== null ? message : {}) as Record<
      string,
      unknown
    >;
    const role = fields.role;
    return {
      role: role === "system" || role === "assistant" || role === "tool" ? role : "user",
      content: contentText(fields.content),
    };
  });
}
