/**
 * A collected answer replayed as the event stream a front door renders: what a buffered streaming
 * request sends once its final answer has passed the gates (or escalation stopped). The order is
 * the one back ends produce: metadata, reasoning, text, tool calls, usage, finish.
 */
import type { ChatEvent, ChatResult } from "../protocol/chat-types.js";

/** Text is sent in pieces of this size, so clients see an ordinary stream. */
const PIECE = 256;

export async function* resultEvents(result: ChatResult): AsyncGenerator<ChatEvent> {
  if (result.id !== undefined || result.model !== undefined) {
    yield {
      type: "response-metadata",
      ...(result.id !== undefined ? { id: result.id } : {}),
      ...(result.model !== undefined ? { model: result.model } : {}),
    };
  }
  for (let offset = 0; offset < result.reasoning.length; offset += PIECE) {
    yield { type: "reasoning-delta", text: result.reasoning.slice(offset, offset + PIECE) };
  }
  for (let offset = 0; offset < result.text.length; offset += PIECE) {
    yield { type: "text-delta", text: result.text.slice(offset, offset + PIECE) };
  }
  for (const [index, call] of result.toolCalls.entries()) {
    yield { type: "tool-call-start", index, id: call.id, name: call.name };
    if (call.arguments !== "") yield { type: "tool-call-delta", index, argumentsDelta: call.arguments };
  }
  yield { type: "usage", usage: result.usage };
  yield {
    type: "finish",
    reason: result.finishReason,
    ...(result.stopSequence !== undefined ? { stopSequence: result.stopSequence } : {}),
  };
}
