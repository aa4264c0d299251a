/**
 * The Anthropic Messages request body (`POST /v1/messages` and `/v1/messages/count_tokens`) as
 * zod schemas, and the parse functions that turn a bad body into an `invalid-request` error whose
 * message reads like Anthropic's own (`messages.0.content: Field required`).
 *
 * Leniency is deliberate where Claude Code and the SDKs send more than we use: unknown top-level
 * keys and unknown keys inside blocks (`cache_control`, `citations`, `context_management`, …) pass.
 * Strictness is deliberate where guessing would change the meaning of the conversation: an unknown
 * content block type or a server tool (`web_search_…`, `code_execution_…`) is rejected with a
 * message saying what Switchyard accepts, because silently dropping it would let a local model
 * answer as if it had searched or run code.
 */
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { formatAnthropicIssues } from "./anthropic-validation-message.js";

/** Any JSON object: tool inputs and input schemas. */
const jsonObjectSchema = z.record(z.string(), z.json());

const textBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

const imageSourceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal("url"), url: z.string() }),
]);
const imageBlockSchema = z.looseObject({ type: z.literal("image"), source: imageSourceSchema });

/**
 * Documents are accepted only when their text is in the request (`text` and `content` sources);
 * PDFs and file ids need a back end that reads them, which no Switchyard back end does.
 */
const documentSourceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text"), data: z.string(), media_type: z.string().optional() }),
  z.looseObject({
    type: z.literal("content"),
    content: z.union([z.string(), z.array(z.union([textBlockSchema, imageBlockSchema]))]),
  }),
]);
const documentBlockSchema = z.looseObject({
  type: z.literal("document"),
  source: documentSourceSchema,
  title: z.string().nullish(),
  context: z.string().nullish(),
});

const toolResultBlockSchema = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z
    .union([z.string(), z.array(z.union([textBlockSchema, imageBlockSchema, documentBlockSchema]))])
    .optional(),
  is_error: z.boolean().optional(),
});

const toolUseBlockSchema = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: jsonObjectSchema,
});

/** `signature` is optional here because Switchyard's own local answers carry an empty one. */
const thinkingBlockSchema = z.looseObject({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
});
const redactedThinkingBlockSchema = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

const userBlockSchema = z.discriminatedUnion("type", [
  textBlockSchema,
  imageBlockSchema,
  documentBlockSchema,
  toolResultBlockSchema,
]);
const assistantBlockSchema = z.discriminatedUnion("type", [
  textBlockSchema,
  thinkingBlockSchema,
  redactedThinkingBlockSchema,
  toolUseBlockSchema,
]);

const messageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("user"), content: z.union([z.string(), z.array(userBlockSchema)]) }),
  z.looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(assistantBlockSchema)]),
  }),
  // Newer SDKs allow system turns inside `messages`; they become system messages in place.
  z.looseObject({ role: z.literal("system"), content: z.union([z.string(), z.array(textBlockSchema)]) }),
]);

/**
 * A custom tool. Server tools are versioned types (`web_search_20250305`, `bash_20250124`) that
 * Anthropic executes itself; they are rejected here rather than skipped (see the module header).
 */
const toolSchema = z
  .looseObject({
    type: z.string().nullish(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: jsonObjectSchema.optional(),
  })
  .superRefine((tool, context) => {
    if (tool.type && tool.type !== "custom") {
      context.addIssue({
        code: "custom",
        path: ["type"],
        message: `server tool "${tool.type}" is not supported by Switchyard (it runs on Anthropic's servers); send only custom tools with an input_schema`,
      });
    } else if (tool.input_schema === undefined) {
      context.addIssue({ code: "custom", path: ["input_schema"], message: "Field required" });
    }
  });

const toolChoiceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
  z.looseObject({
    type: z.literal("tool"),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
]);

const thinkingConfigSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(0) }),
  z.looseObject({ type: z.literal("disabled") }),
  z.looseObject({ type: z.literal("adaptive") }),
]);

/** The fields `/v1/messages/count_tokens` takes; `/v1/messages` adds sampling and `max_tokens`. */
export const anthropicCountTokensRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1, "at least one message is required"),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingConfigSchema.optional(),
});

export const anthropicMessagesRequestSchema = anthropicCountTokensRequestSchema.extend({
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

export type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensRequestSchema>;
export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;
export type AnthropicMessage = AnthropicCountTokensRequest["messages"][number];
export type AnthropicUserBlock = z.infer<typeof userBlockSchema>;
export type AnthropicAssistantBlock = z.infer<typeof assistantBlockSchema>;
export type AnthropicTextBlock = z.infer<typeof textBlockSchema>;
export type AnthropicImageBlock = z.infer<typeof imageBlockSchema>;
export type AnthropicDocumentBlock = z.infer<typeof documentBlockSchema>;
export type AnthropicToolResultBlock = z.infer<typeof toolResultBlockSchema>;
export type AnthropicTool = z.infer<typeof toolSchema>;

/** Validates a `/v1/messages` body; throws `invalid-request` with an Anthropic-style message. */
export function parseAnthropicMessagesRequest(body: unknown): AnthropicMessagesRequest {
  return parseWith(anthropicMessagesRequestSchema, body);
}

/** Validates a `/v1/messages/count_tokens` body (no `max_tokens` needed). */
export function parseAnthropicCountTokensRequest(body: unknown): AnthropicCountTokensRequest {
  return parseWith(anthropicCountTokensRequestSchema, body);
}

function parseWith<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new SwitchyardError("invalid-request", formatAnthropicIssues(result.error.issues, body), {
    details: { issues: result.error.issues.length },
  });
}
