/**
 * The OpenAI Chat Completions request body, as callers send it. Strict where a wrong value would
 * change the answer, lenient about fields Switchyard does not use (clients send many).
 */
import { z } from "zod";

const jsonObject = z.record(z.string(), z.unknown());

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().nullish() })]),
});
const contentParts = z.array(z.union([textPart, imagePart, z.object({ type: z.string() }).loose()]));

const toolCall = z.object({
  id: z.string(),
  type: z.literal("function").default("function"),
  function: z.object({ name: z.string(), arguments: z.string().default("") }),
});

const message = z.discriminatedUnion(
  "role",
  [
    z.object({ role: z.literal("system"), content: z.union([z.string(), contentParts]) }),
    z.object({ role: z.literal("developer"), content: z.union([z.string(), contentParts]) }),
    z.object({ role: z.literal("user"), content: z.union([z.string(), contentParts]) }),
    z.object({
      role: z.literal("assistant"),
      content: z.union([z.string(), contentParts]).nullish(),
      reasoning_content: z.string().nullish(),
      reasoning: z.string().nullish(),
      tool_calls: z.array(toolCall).nullish(),
    }),
    z.object({
      role: z.literal("tool"),
      tool_call_id: z.string(),
      content: z.union([z.string(), contentParts]),
    }),
  ],
  { error: 'each message needs a role: "system", "developer", "user", "assistant" or "tool"' },
);

export const openAiChatRequestSchema = z.object({
  model: z.string({ error: "model is required (try switchyard/auto)" }).min(1),
  messages: z.array(message, { error: "messages is required: an array of {role, content}" }).min(1, {
    error: "messages must hold at least one message",
  }),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z
    .array(
      z.object({
        type: z.literal("function"),
        function: z.object({
          name: z.string().min(1),
          description: z.string().nullish(),
          parameters: jsonObject.nullish(),
        }),
      }),
    )
    .nullish(),
  tool_choice: z
    .union([
      z.enum(["auto", "none", "required"]),
      z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
    ])
    .nullish(),
  response_format: z
    .union([
      z.object({ type: z.literal("text") }),
      z.object({ type: z.literal("json_object") }),
      z.object({
        type: z.literal("json_schema"),
        json_schema: z.object({
          name: z.string().nullish(),
          schema: jsonObject.nullish(),
          strict: z.boolean().nullish(),
        }),
      }),
    ])
    .nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high"]).nullish(),
  reasoning: z
    .object({
      enabled: z.boolean().nullish(),
      max_tokens: z.number().int().positive().nullish(),
      effort: z.string().nullish(),
    })
    .nullish(),
  user: z.string().nullish(),
});

export type OpenAiChatRequest = z.output<typeof openAiChatRequestSchema>;
export type OpenAiMessage = OpenAiChatRequest["messages"][number];
