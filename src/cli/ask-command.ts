/**
 * `switchyard ask "…" [--task kind] [--file path]…`: one question to the Brain through its OpenAI
 * door (`POST /v1/chat/completions`, streamed), the answer printed as it arrives, then a footer on
 * stderr — task, tier, model, tokens, settled cost and time, from the ledger row the Brain wrote
 * (`GET /admin/requests/:id`). stdout carries the answer alone, so it can be piped; reasoning shows
 * dimmed on a terminal's stderr. A refused token, a Brain that does not answer within the connect
 * time limit, or an answer that breaks off is one line on stderr and exit 1.
 */
import { readFileSync } from "node:fs";
import { request } from "undici";
import { SSE_DONE_DATA, SseParser } from "../backends/openai-compatible/sse-parser.js";
import { TASK_KINDS } from "../config/task-kinds.js";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import type { RequestRecord } from "../store/ledger-store.js";
import { type AskRouteHeaders, type AttachedFile, askFooter, askModel, askPrompt } from "./ask-message.js";
import {
  authorizationHeaders,
  type BrainTarget,
  brainDispatcher,
  brainJson,
  namedBrainFor,
  refused,
  unreachable,
} from "./brain-client.js";
import { requestRecordSchema } from "./brain-responses.js";
import { brainBaseUrl } from "./claude-command.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";

export interface AskOptions {
  task?: string;
  model?: string;
  file?: string[];
  url?: string;
  config?: string;
  /** Seconds to wait for a connection to the Brain. */
  connectTimeout?: string;
}

/** A cold model load on the Engine can take minutes before the first token (and the headers). */
const FIRST_TOKEN_TIMEOUT_MS = 600_000;

export async function askCommand(words: string[], options: AskOptions): Promise<void> {
  const prompt = words.join(" ").trim();
  if (prompt === "")
    throw new CliFailure('switchyard ask: say what to ask, e.g. switchyard ask "why is the sky blue?"', 2);
  const model = options.model ?? askModel(options.task);
  if (!model) {
    throw new CliFailure(
      `switchyard ask: --task must be one of ${TASK_KINDS.join(", ")}; got "${options.task}"`,
      2,
    );
  }
  const connectTimeoutMs = seconds(options.connectTimeout ?? "5") * 1000;
  const files = (options.file ?? []).map(readAttachment);
  const brain = namedBrainFor(options) ?? localBrain(options.config);

  const startedAt = performance.now();
  const dispatcher = brainDispatcher(connectTimeoutMs);
  try {
    const response = await request(`${brain.url}/v1/chat/completions`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/json", ...authorizationHeaders(brain) },
      body: JSON.stringify({
        model,
        stream: true,
        stream_options: { include_usage: true },
        user: "switchyard-ask",
        messages: [{ role: "user", content: askPrompt(prompt, files) }],
      }),
      headersTimeout: FIRST_TOKEN_TIMEOUT_MS,
      bodyTimeout: FIRST_TOKEN_TIMEOUT_MS,
    }).catch((error: unknown) => {
      throw unreachable(brain, error, connectTimeoutMs);
    });
    if (response.statusCode !== 200) throw refused(brain, response.statusCode, await response.body.text());
    const headers = routeHeaders(response.headers);
    const streamed = await printStream(response.body);
    const row = headers.requestId ? await ledgerRow(brain, headers.requestId) : undefined;
    const footer = askFooter(headers, { ...streamed.usage, elapsedMs: performance.now() - startedAt }, row);
    process.stderr.write(`${process.stderr.isTTY ? `\x1b[2m${footer}\x1b[0m` : footer}\n`);
    if (streamed.error) throw new CliFailure(`switchyard ask: the answer broke off: ${streamed.error}`);
  } finally {
    void dispatcher.close();
  }
}

/** Without a named Brain: the one this machine's config serves (server.host, server.port). */
function localBrain(configPath: string | undefined): BrainTarget {
  const { config, env } = loadCliConfig(configPath);
  const token = env.SWITCHYARD_TOKEN || config.server.auth_tokens.find(Boolean);
  return {
    url: brainBaseUrl(config, {}),
    token,
    source: "the config (server.host and server.port)",
    tokenSource: env.SWITCHYARD_TOKEN
      ? "SWITCHYARD_TOKEN"
      : token
        ? "server.auth_tokens in the config"
        : "none",
  };
}

interface StreamOutcome {
  usage: { inputTokens: number | undefined; outputTokens: number | undefined };
  /** The error an OpenAI-style stream sends as its last chunk, when it broke off. */
  error?: string;
}

async function printStream(body: AsyncIterable<Uint8Array>): Promise<StreamOutcome> {
  const parser = new SseParser();
  const outcome: StreamOutcome = { usage: { inputTokens: undefined, outputTokens: undefined } };
  const showReasoning = process.stderr.isTTY === true;
  let endsWithNewline = true;
  const handle = (data: string) => {
    if (data === SSE_DONE_DATA) return;
    const chunk = parseJsonOrUndefined(data) as StreamChunk | null | undefined;
    if (!chunk || typeof chunk !== "object") return;
    if (chunk.error) outcome.error = chunk.error.message ?? "no message";
    if (chunk.usage) {
      outcome.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    }
    const delta = chunk.choices?.[0]?.delta;
    if (showReasoning && delta?.reasoning_content)
      process.stderr.write(`\x1b[2m${delta.reasoning_content}\x1b[0m`);
    if (delta?.content) {
      process.stdout.write(delta.content);
      endsWithNewline = delta.content.endsWith("\n");
    }
  };
  for await (const bytes of body) for (const event of parser.push(bytes)) handle(event.data);
  for (const event of parser.end()) handle(event.data);
  if (!endsWithNewline) process.stdout.write("\n");
  return outcome;
}

/** The fields of a chat.completion.chunk `ask` reads. */
interface StreamChunk {
  choices?: Array<{ delta?: { content?: string | null; reasoning_content?: string | null } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string };
}

/**
 * The settled row for the footer. A streamed answer's row is written once its gates have judged
 * it, which can be a moment after the last byte (longer with executable or judge gates): a 404 is
 * asked again a few times. A Brain that cannot say leaves the footer to the headers.
 */
async function ledgerRow(brain: BrainTarget, id: string): Promise<RequestRecord | undefined> {
  for (const waitMs of [0, 150, 300, 600, 1_200]) {
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      return await brainJson(brain, `/admin/requests/${encodeURIComponent(id)}`, requestRecordSchema, 3_000);
    } catch (error) {
      if (!(error instanceof CliFailure) || !/ answered 404:/.test(error.message)) return undefined;
    }
  }
  return undefined;
}

function routeHeaders(headers: Record<string, string | string[] | undefined>): AskRouteHeaders {
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    task: one("x-switchyard-task"),
    tier: one("x-switchyard-tier"),
    alias: one("x-switchyard-alias"),
    model: one("x-switchyard-model"),
    requestId: one("x-switchyard-request-id"),
    fallback: one("x-switchyard-fallback"),
    downgraded: one("x-switchyard-downgraded"),
  };
}

function readAttachment(path: string): AttachedFile {
  try {
    return { path, content: readFileSync(path === "-" ? 0 : path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliFailure(
      `switchyard ask: cannot read --file ${path}: ${code === "ENOENT" ? "no such file" : (code ?? String(error))}`,
      2,
    );
  }
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CliFailure(
      `switchyard ask: --connect-timeout must be a positive number of seconds; got "${text}"`,
      2,
    );
  }
  return value;
}
