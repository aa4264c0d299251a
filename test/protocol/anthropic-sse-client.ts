/**
 * Test helpers for the Anthropic front door: a strict SSE frame parser, and the official SDK
 * reading our SSE text through a stub `fetch`, so stream tests check what a real client assembles.
 */
import Anthropic from "@anthropic-ai/sdk";

export interface SseFrame {
  event: string;
  data: Record<string, unknown>;
}

/** Parses `event: <type>\ndata: <json>\n\n` frames and fails on any other framing. */
export function parseSseFrames(text: string): SseFrame[] {
  if (text === "") return [];
  if (!text.endsWith("\n\n")) throw new Error(`SSE text must end with a blank line: ${JSON.stringify(text)}`);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((frame) => {
      const match = /^event: ([a-z_]+)\ndata: (.*)$/s.exec(frame);
      if (!match?.[1] || match[2] === undefined)
        throw new Error(`Malformed SSE frame: ${JSON.stringify(frame)}`);
      const data = JSON.parse(match[2]) as Record<string, unknown>;
      if (match[1] !== "error" && data.type !== match[1])
        throw new Error(`event ${match[1]} carries ${data.type}`);
      return { event: match[1], data };
    });
}

/** An SDK client whose every request is answered with `body` (SSE unless said otherwise). */
export function anthropicClientAnswering(
  body: string,
  status = 200,
  contentType = "text/event-stream",
): Anthropic {
  return new Anthropic({
    apiKey: "test-key",
    baseURL: "http://switchyard.test",
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { "content-type": contentType } }),
  });
}

/** The message the official SDK's MessageStream assembles from our SSE text, as plain JSON. */
export async function assembleWithSdk(sse: string): Promise<Record<string, unknown>> {
  const client = anthropicClientAnswering(sse);
  const stream = client.messages.stream({
    model: "claude-test",
    max_tokens: 1024,
    messages: [{ role: "user", content: "hello" }],
  });
  const message = await stream.finalMessage();
  return JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
}

/** The fields of a Messages response that our renderers produce, for comparisons. */
export function comparableMessage(message: object): Record<string, unknown> {
  const { id, type, role, model, content, stop_reason, stop_sequence, usage } = JSON.parse(
    JSON.stringify(message),
  ) as Record<string, unknown>;
  return { id, type, role, model, content, stop_reason, stop_sequence, usage };
}
