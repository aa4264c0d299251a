/**
 * The two Ollama calls the Engine manager makes besides chat and the read-only ones in
 * `backends/ollama/ollama-api.ts`: loading a model into memory (an `/api/generate` with a model and
 * `keep_alive` but no prompt, which Ollama answers once the model is resident) and pulling one
 * (`/api/pull`, a stream of NDJSON progress lines ending in `{"status":"success"}`). Sending,
 * status errors and network errors are `ollama-api.ts`'s.
 */
import { z } from "zod";
import {
  type OllamaApiConnection,
  ollamaEndpoint,
  openOllamaRequest,
  readOllamaText,
} from "../backends/ollama/ollama-api.js";
import { ollamaNetworkError } from "../backends/ollama/ollama-errors.js";
import { NdjsonLineSplitter } from "../backends/ollama/ollama-line-splitter.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";

export interface ModelLoad {
  model: string;
  /** Ollama's load_duration when it reports one, else the wall time of the call. */
  loadMs: number;
}

const loadAnswerSchema = z.object({ load_duration: z.number().nullish(), error: z.string().nullish() });

/** Loads `model` and keeps it loaded (`keep_alive: -1`). A 32B model can take a minute from disk. */
export async function loadOllamaModel(
  connection: OllamaApiConnection,
  model: string,
  keepAlive: string | number = -1,
): Promise<ModelLoad> {
  const started = performance.now();
  const response = await openOllamaRequest(connection, {
    method: "POST",
    path: "/api/generate",
    body: { model, keep_alive: keepAlive, stream: false },
    defaultTimeoutMs: 300_000,
  });
  const text = await readOllamaText(connection, response);
  // Ollama answers one JSON object; take the last line in case a proxy streamed it anyway.
  const lastLine = text.trim().split("\n").at(-1) ?? "";
  const parsed = loadAnswerSchema.safeParse(parseJsonOrUndefined(lastLine));
  const loadDurationNs = parsed.success ? parsed.data.load_duration : undefined;
  if (parsed.success && parsed.data.error) {
    throw engineError(connection, `could not load ${model}: ${parsed.data.error}`);
  }
  return { model, loadMs: loadDurationNs ? loadDurationNs / 1e6 : performance.now() - started };
}

export interface PullProgress {
  model: string;
  /** Ollama's status line: "pulling manifest", "pulling 6a0746a1ec1a", "verifying sha256 digest", … */
  status: string;
  /** Bytes over every layer seen so far; undefined before the first layer reports a size. */
  completedBytes?: number;
  totalBytes?: number;
}

const pullLineSchema = z.object({
  status: z.string().nullish(),
  digest: z.string().nullish(),
  total: z.number().nullish(),
  completed: z.number().nullish(),
  error: z.string().nullish(),
});

/** Pulls `model`, reporting each progress line; resolves once Ollama says "success". */
export async function pullOllamaModel(
  connection: OllamaApiConnection,
  model: string,
  onProgress: (progress: PullProgress) => void,
): Promise<void> {
  const layers = new Map<string, { total: number; completed: number }>();
  let succeeded = false;
  const response = await openOllamaRequest(connection, {
    method: "POST",
    path: "/api/pull",
    body: { model, stream: true },
    accept: "application/x-ndjson",
    defaultTimeoutMs: 600_000,
  });
  const handle = (line: string) => {
    // A line that is not a progress line (blank, a proxy's noise) says nothing about the pull.
    const parsed = pullLineSchema.safeParse(parseJsonOrUndefined(line));
    if (!parsed.success) return;
    const progress = parsed.data;
    if (progress.error) throw engineError(connection, `could not pull ${model}: ${progress.error}`);
    if (progress.digest && progress.total) {
      layers.set(progress.digest, { total: progress.total, completed: progress.completed ?? 0 });
    }
    let completedBytes = 0;
    let totalBytes = 0;
    for (const layer of layers.values()) {
      completedBytes += layer.completed;
      totalBytes += layer.total;
    }
    const status = progress.status ?? "";
    if (status === "success") succeeded = true;
    onProgress({ model, status, ...(totalBytes > 0 ? { completedBytes, totalBytes } : {}) });
  };
  try {
    const lines = new NdjsonLineSplitter();
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      for (const line of lines.push(chunk)) handle(line);
    }
    handle(lines.rest());
  } catch (error) {
    throw ollamaNetworkError(ollamaEndpoint(connection), error, {
      phase: "mid-stream",
      signal: connection.signal,
    });
  } finally {
    if (!response.body.destroyed) response.body.destroy();
  }
  if (!succeeded) throw engineError(connection, `stopped pulling ${model} before "success"`);
}

function engineError(connection: OllamaApiConnection, what: string): SwitchyardError {
  const endpoint = ollamaEndpoint(connection);
  return new SwitchyardError(
    "upstream-error",
    `Engine "${endpoint.backend}" at ${endpoint.baseUrl} ${what}`,
    {
      backend: endpoint.backend,
    },
  );
}
