/**
 * Property tests for the Anthropic front door:
 * 1. Anthropic request → ChatRequest → Anthropic request keeps the conversation's meaning: the same
 *    system text, texts, images, tool calls with their inputs, tool results with `is_error`,
 *    signed thinking and options. Compared after normalising what Anthropic itself treats as
 *    equal (consecutive same-role turns merge; tool results lead a user turn; blocks of one kind
 *    in an assistant turn concatenate).
 * 2. Any ChatEvent stream, rendered as SSE and assembled by the official SDK, gives the message
 *    that `chatResultToAnthropicMessage` renders from the collected result — exactly when the
 *    stream arrives in Anthropic's block order, and block-kind by block-kind otherwise.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnthropicMessage,
  type AnthropicMessagesRequest,
  parseAnthropicMessagesRequest,
} from "../../src/protocol/anthropic/anthropic-schema.js";
import { anthropicToChatRequest } from "../../src/protocol/anthropic/anthropic-to-chat.js";
import { chatRequestToAnthropic } from "../../src/protocol/anthropic/chat-request-to-anthropic.js";
import {
  AnthropicStreamRenderer,
  chatResultToAnthropicMessage,
} from "../../src/protocol/anthropic/chat-to-anthropic.js";
import { type ChatEvent, collectChatEvents, type FinishReason } from "../../src/protocol/chat-types.js";
import { assembleWithSdk, comparableMessage } from "./anthropic-sse-client.js";

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 12 }));
const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,10}$/);
const toolId = fc.stringMatching(/^toolu_[A-Za-z0-9]{1,8}$/);
const jsonObject = fc
  .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
  .map((value) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>)
  .filter((value) => !JSON.stringify(value).includes("__proto__"));

const textBlock = fc.record({ type: fc.constant("text"), text });
const imageBlock = fc.record({
  type: fc.constant("image"),
  source: fc.oneof(
    fc.record({
      type: fc.constant("base64"),
      media_type: fc.constantFrom("image/png", "image/jpeg", "image/gif", "image/webp"),
      data: fc.base64String({ minLength: 4, maxLength: 24 }),
    }),
    fc.record({ type: fc.constant("url"), url: fc.webUrl() }),
  ),
});
const toolResultBlock = fc.record(
  {
    type: fc.constant("tool_result"),
    tool_use_id: toolId,
    content: fc.oneof(text, fc.array(textBlock, { maxLength: 3 })),
    is_error: fc.boolean(),
  },
  { requiredKeys: ["type", "tool_use_id"] },
);
const thinkingBlock = fc.record({
  type: fc.constant("thinking"),
  thinking: text,
  signature: fc.string({ minLength: 1, maxLength: 10 }),
});
const toolUseBlock = fc.record({ type: fc.constant("tool_use"), id: toolId, name, input: jsonObject });

const userMessage = fc.record({
  role: fc.constant("user"),
  content: fc.oneof(text, fc.array(fc.oneof(textBlock, imageBlock, toolResultBlock), { maxLength: 4 })),
});
const assistantMessage = fc.record({
  role: fc.constant("assistant"),
  content: fc.oneof(text, fc.array(fc.oneof(textBlock, thinkingBlock, toolUseBlock), { maxLength: 4 })),
});

const anthropicRequest = fc.record(
  {
    model: name,
    max_tokens: fc.integer({ min: 1, max: 100_000 }),
    messages: fc.array(fc.oneof(userMessage, assistantMessage), { minLength: 1, maxLength: 6 }),
    system: fc.oneof(text, fc.array(textBlock, { maxLength: 3 })),
    tools: fc.array(
      fc.record(
        { name, description: text, input_schema: jsonObject },
        { requiredKeys: ["name", "input_schema"] },
      ),
      { maxLength: 3 },
    ),
    tool_choice: fc.oneof(
      fc.record({ type: fc.constantFrom("auto", "any", "none") }),
      fc.record({ type: fc.constant("tool"), name }),
    ),
    thinking: fc.oneof(
      fc.record({ type: fc.constant("enabled"), budget_tokens: fc.nat(50_000) }),
      fc.record({ type: fc.constantFrom("disabled", "adaptive") }),
    ),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    top_k: fc.nat(200),
    stop_sequences: fc.array(text, { maxLength: 3 }),
    stream: fc.boolean(),
    metadata: fc.record({ user_id: text }),
  },
  { requiredKeys: ["model", "max_tokens", "messages"] },
);

type UserTurn = { role: "user"; toolResults: unknown[]; parts: unknown[] };
type AssistantTurn = {
  role: "assistant";
  thinking: string;
  signature: string | undefined;
  text: string;
  toolUses: unknown[];
};
type UserBlock = Extract<AnthropicMessage, { role: "user" }>["content"][number];
type AssistantBlock = Extract<AnthropicMessage, { role: "assistant" }>["content"][number];

function addUserBlock(turn: UserTurn, block: UserBlock | string): void {
  if (typeof block === "string") turn.parts.push({ text: block });
  else if (block.type === "text") turn.parts.push({ text: block.text });
  else if (block.type === "image") turn.parts.push({ image: block.source });
  else if (block.type === "tool_result") {
    const content =
      typeof block.content === "string"
        ? block.content
        : (block.content ?? []).map((part) => (part.type === "text" ? part.text : "")).join("\n");
    turn.toolResults.push({ id: block.tool_use_id, content, isError: block.is_error === true });
  }
}

function addAssistantBlock(turn: AssistantTurn, block: AssistantBlock | string): void {
  if (typeof block === "string") turn.text += block;
  else if (block.type === "text") turn.text += block.text;
  else if (block.type === "tool_use")
    turn.toolUses.push({ id: block.id, name: block.name, input: block.input });
  else if (block.type === "thinking") {
    turn.thinking += block.thinking;
    turn.signature ??= block.signature || undefined;
  }
}

/** The meaning of a request, in a form where Anthropic-equivalent requests are deep-equal. */
function meaning(body: AnthropicMessagesRequest) {
  const turns: (UserTurn | AssistantTurn)[] = [];
  for (const message of body.messages) {
    if (message.role === "system") continue;
    const blocks = typeof message.content === "string" ? [message.content] : message.content;
    const last = turns.at(-1);
    if (message.role === "user") {
      const turn: UserTurn = last?.role === "user" ? last : { role: "user", toolResults: [], parts: [] };
      if (turn !== last) turns.push(turn);
      for (const block of blocks as (UserBlock | string)[]) addUserBlock(turn, block);
    } else {
      const turn: AssistantTurn =
        last?.role === "assistant"
          ? last
          : { role: "assistant", thinking: "", signature: undefined, text: "", toolUses: [] };
      if (turn !== last) turns.push(turn);
      for (const block of blocks as (AssistantBlock | string)[]) addAssistantBlock(turn, block);
    }
  }
  const system =
    typeof body.system === "string"
      ? body.system
      : (body.system ?? []).map((block) => block.text).join("\n\n");
  return {
    model: body.model,
    max_tokens: body.max_tokens,
    system,
    turns,
    tools: (body.tools ?? []).map((tool) => ({
      name: tool.name,
      description: tool.description,
      schema: tool.input_schema,
    })),
    tool_choice: body.tool_choice && {
      type: body.tool_choice.type,
      name: "name" in body.tool_choice ? body.tool_choice.name : undefined,
    },
    thinking: body.thinking,
    temperature: body.temperature,
    top_p: body.top_p,
    top_k: body.top_k,
    stop_sequences: body.stop_sequences?.length ? body.stop_sequences : undefined,
    stream: body.stream === true,
    user: body.metadata?.user_id || undefined,
  };
}

describe("Anthropic request round trip", () => {
  it("keeps the meaning of any valid request", () => {
    fc.assert(
      fc.property(anthropicRequest, (generated) => {
        const original = parseAnthropicMessagesRequest(generated);
        const back = parseAnthropicMessagesRequest(chatRequestToAnthropic(anthropicToChatRequest(original)));
        expect(meaning(back)).toEqual(meaning(original));
      }),
      { numRuns: 300 },
    );
  });
});

type Segment =
  | { kind: "reasoning" | "text"; chunks: string[] }
  | { kind: "tool"; id: string; name: string; input: Record<string, unknown>; cuts: number[] };

const segment: fc.Arbitrary<Segment> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("reasoning" as const, "text" as const),
    chunks: fc.array(text, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("tool" as const),
    id: fc.oneof(fc.constant(""), fc.stringMatching(/^call_[a-z0-9]{1,6}$/)),
    name,
    input: jsonObject,
    cuts: fc.array(fc.nat(), { maxLength: 3 }),
  }),
);
const finishReason = fc.constantFrom<FinishReason>(
  "stop",
  "stop-sequence",
  "length",
  "tool-calls",
  "content-filter",
  "other",
);
const usageEvent = fc
  .record({ inputTokens: fc.nat(10_000), outputTokens: fc.nat(10_000) })
  .map((usage): ChatEvent => ({ type: "usage", usage }));

const eventStream = fc.record({
  segments: fc.array(segment, { maxLength: 6 }),
  extras: fc.array(
    fc.tuple(
      fc.nat(),
      fc.oneof(usageEvent, fc.constant<ChatEvent>({ type: "response-metadata", id: "up-1", model: "qwen" })),
    ),
    { maxLength: 3 },
  ),
  finish: fc.option(fc.record({ reason: finishReason, stopSequence: fc.option(text, { nil: undefined }) }), {
    nil: undefined,
  }),
});

function toEvents(
  segments: Segment[],
  extras: [number, ChatEvent][],
  finish?: { reason: FinishReason; stopSequence?: string | undefined },
): ChatEvent[] {
  const events: ChatEvent[] = [];
  let toolIndex = 0;
  for (const part of segments) {
    if (part.kind === "tool") {
      const index = toolIndex++;
      events.push({ type: "tool-call-start", index, id: part.id, name: part.name });
      const json = JSON.stringify(part.input);
      const cuts = [...new Set(part.cuts.map((cut) => cut % (json.length + 1)))].sort((a, b) => a - b);
      let from = 0;
      for (const cut of [...cuts, json.length]) {
        events.push({ type: "tool-call-delta", index, argumentsDelta: json.slice(from, cut) });
        from = cut;
      }
    } else {
      for (const chunk of part.chunks)
        events.push({ type: part.kind === "text" ? "text-delta" : "reasoning-delta", text: chunk });
    }
  }
  for (const [position, extra] of extras) events.splice(position % (events.length + 1), 0, extra);
  if (finish)
    events.push({
      type: "finish",
      reason: finish.reason,
      ...(finish.stopSequence === undefined ? {} : { stopSequence: finish.stopSequence }),
    });
  return events;
}

async function streamedAndCollected(events: ChatEvent[]) {
  const renderer = new AnthropicStreamRenderer({ model: "local-coder", id: "msg_prop" });
  const sse = renderer.start() + events.map((event) => renderer.push(event)).join("") + renderer.finish();
  const streamed = comparableMessage(await assembleWithSdk(sse));
  const collected = await collectChatEvents(
    (async function* () {
      yield* events;
    })(),
  );
  return {
    streamed,
    rendered: comparableMessage(chatResultToAnthropicMessage(collected, "local-coder", "msg_prop")),
  };
}

const kindOrder = { reasoning: 0, text: 1, tool: 2 };

/** Per block kind: joined thinking, joined text, and the tool calls in order. */
function byKind(message: Record<string, unknown>) {
  const content = message.content as { type: string; thinking?: string; text?: string }[];
  return {
    ...message,
    content: {
      thinking: content
        .filter((block) => block.type === "thinking")
        .map((block) => block.thinking)
        .join(""),
      text: content
        .filter((block) => block.type === "text")
        .map((block) => block.text)
        .join(""),
      tools: content.filter((block) => block.type === "tool_use"),
    },
  };
}

describe("streamed rendering", () => {
  it("assembles, in the SDK, to the non-streamed message when blocks come in Anthropic's order", async () => {
    await fc.assert(
      fc.asyncProperty(eventStream, async ({ segments, extras, finish }) => {
        const ordered = [...segments].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]);
        const { streamed, rendered } = await streamedAndCollected(toEvents(ordered, extras, finish));
        expect(streamed).toEqual(rendered);
      }),
      { numRuns: 150 },
    );
  });

  it("assembles to the same thinking, text and tool calls in any order", async () => {
    await fc.assert(
      fc.asyncProperty(eventStream, async ({ segments, extras, finish }) => {
        const { streamed, rendered } = await streamedAndCollected(toEvents(segments, extras, finish));
        expect(byKind(streamed)).toEqual(byKind(rendered));
      }),
      { numRuns: 150 },
    );
  });
});
