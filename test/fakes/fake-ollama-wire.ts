/**
 * The payloads of the fake Ollama server, shaped exactly as Ollama's: streamed `/api/chat` lines
 * and their final stats line, the `stream: false` answer, and the `/api/tags`, `/api/ps` and
 * `/api/show` descriptions of a model. Pure builders; the server in `fake-ollama.ts` sends them.
 */
import { createHash } from "node:crypto";

export interface FakeOllamaReply {
  content?: string;
  thinking?: string;
  /** Emit `<think>…</think>` inside content, like older deepseek-r1 builds. */
  thinkInContent?: boolean;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  /** Characters per streamed chunk; default 8. */
  chunkSize?: number;
  doneReason?: "stop" | "length";
  promptEvalCount?: number;
  evalCount?: number;
  loadDurationNs?: number;
}

export interface FakeOllamaModel {
  name: string;
  sizeBytes?: number;
  contextLength?: number;
  capabilities?: string[];
}

export const defaultFakeOllamaModels: FakeOllamaModel[] = [
  {
    name: "qwen2.5-coder:32b",
    sizeBytes: 19_851_349_856,
    contextLength: 32_768,
    capabilities: ["completion", "tools", "insert"],
  },
  {
    name: "deepseek-r1:32b",
    sizeBytes: 19_851_336_256,
    contextLength: 131_072,
    capabilities: ["completion", "thinking"],
  },
  {
    name: "llama3.2:latest",
    sizeBytes: 2_019_393_189,
    contextLength: 131_072,
    capabilities: ["completion", "tools"],
  },
  {
    name: "llava:latest",
    sizeBytes: 4_733_363_377,
    contextLength: 32_768,
    capabilities: ["completion", "vision"],
  },
];

export function replyLines(body: Record<string, unknown>, reply: FakeOllamaReply): object[] {
  const size = reply.chunkSize ?? 8;
  const lines: object[] = [];
  if (reply.thinking && !reply.thinkInContent) {
    for (const piece of splitText(reply.thinking, size))
      lines.push(chunkLine(body.model, "", { thinking: piece }));
  }
  for (const piece of splitText(visibleContent(reply), size)) lines.push(chunkLine(body.model, piece));
  if (reply.toolCalls?.length) lines.push(chunkLine(body.model, "", { tool_calls: wireToolCalls(reply) }));
  lines.push({ ...chunkLine(body.model, ""), ...finalFields(body, reply, lines.length) });
  return lines;
}

export function wholeReply(body: Record<string, unknown>, reply: FakeOllamaReply): object {
  const message: Record<string, unknown> = { role: "assistant", content: visibleContent(reply) };
  if (reply.thinking && !reply.thinkInContent) message.thinking = reply.thinking;
  if (reply.toolCalls?.length) message.tool_calls = wireToolCalls(reply);
  const chunks = Math.max(1, Math.ceil(visibleContent(reply).length / (reply.chunkSize ?? 8)));
  return { ...chunkLine(body.model, ""), message, ...finalFields(body, reply, chunks) };
}

function visibleContent(reply: FakeOllamaReply): string {
  const content = reply.content ?? "";
  return reply.thinkInContent && reply.thinking
    ? `<think>\n${reply.thinking}\n</think>\n\n${content}`
    : content;
}

function wireToolCalls(reply: FakeOllamaReply): object[] {
  return (reply.toolCalls ?? []).map((call, index) => ({
    function: { index, name: call.name, arguments: call.arguments },
  }));
}

function finalFields(body: Record<string, unknown>, reply: FakeOllamaReply, chunkCount: number): object {
  const promptEvalCount = reply.promptEvalCount ?? Math.max(1, Math.ceil(promptCharacters(body) / 4));
  const evalCount = reply.evalCount ?? chunkCount;
  const loadDuration = reply.loadDurationNs ?? 12_345_678;
  // A warm 32B model on one GPU: ~2 ms per prompt token, ~40 tokens per second generated.
  const promptEvalDuration = promptEvalCount * 2_000_000;
  const evalDuration = evalCount * 25_000_000;
  return {
    done: true,
    done_reason: reply.doneReason ?? "stop",
    total_duration: loadDuration + promptEvalDuration + evalDuration + 1_234_567,
    load_duration: loadDuration,
    prompt_eval_count: promptEvalCount,
    prompt_eval_duration: promptEvalDuration,
    eval_count: evalCount,
    eval_duration: evalDuration,
  };
}

export function chunkLine(model: unknown, content: string, extra: object = {}): Record<string, unknown> {
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content, ...extra },
    done: false,
  };
}

function promptCharacters(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let characters = 0;
  for (const message of messages) {
    const content = (message as { content?: unknown }).content;
    if (typeof content === "string") characters += content.length;
  }
  return characters;
}

export function describeModel(model: FakeOllamaModel): object {
  return {
    name: model.name,
    model: model.name,
    modified_at: "2025-06-01T10:00:00.000000000Z",
    size: model.sizeBytes ?? 4_683_087_332,
    digest: createHash("sha256").update(model.name).digest("hex"),
    details: modelDetails(model),
  };
}

/** `/api/ps`: `context_length` is the num_ctx a model was loaded with, as Ollama reports it. */
export function loadedModels(
  models: FakeOllamaModel[],
  loaded: string[],
  loadedContext: ReadonlyMap<string, number> = new Map(),
): object[] {
  const expiresAt = new Date(Date.now() + 5 * 60_000).toISOString();
  return loaded.flatMap((name) => {
    const model = models.find((candidate) => withTag(candidate.name) === withTag(name)) ?? { name };
    const size = model.sizeBytes ?? 4_683_087_332;
    return [
      {
        ...describeModel(model),
        expires_at: expiresAt,
        size_vram: size,
        context_length: loadedContext.get(withTag(name)) ?? model.contextLength ?? 4096,
      },
    ];
  });
}

export function showModel(model: FakeOllamaModel): object {
  const details = modelDetails(model);
  return {
    modelfile: `# Modelfile generated by "ollama show"\nFROM ${model.name}\n`,
    parameters: 'stop "<|im_end|>"',
    template: "{{ .Prompt }}",
    details,
    model_info: {
      "general.architecture": details.family,
      "general.parameter_count": 32_763_876_352,
      [`${details.family}.context_length`]: model.contextLength ?? 4096,
    },
    capabilities: model.capabilities ?? ["completion"],
    modified_at: "2025-06-01T10:00:00.000000000Z",
  };
}

function modelDetails(model: FakeOllamaModel) {
  const family = /^[a-z]+\d*/.exec(model.name)?.[0] ?? "llama";
  const tag = model.name.split(":")[1] ?? "";
  const parameterSize = /^\d+(\.\d+)?b$/.test(tag) ? tag.toUpperCase() : "7.6B";
  return {
    parent_model: "",
    format: "gguf",
    family,
    families: [family],
    parameter_size: parameterSize,
    quantization_level: "Q4_K_M",
  };
}

export function defaultStatusMessage(status: number): string {
  if (status === 503) return "server busy, please try again.  maximum pending requests exceeded";
  if (status === 404) return "model not found, try pulling it first";
  if (status === 400) return "invalid request";
  return "an error was encountered while running the model";
}

export function withTag(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

export function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

export function line(value: object): string {
  return `${JSON.stringify(value)}\n`;
}
