/**
 * The two Ollama calls the Engine manager makes besides chat and the read-only ones in
 * `backends/ollama/ollama-api.ts`: loading a model into memory (an `/api/generate` with a model and
 * `keep_alive` but no prompt, which Ollama answers once the model is resident) and pulling one
 * (`/api/pull`, a stream of NDJSON progress lines ending in `{"status":"success"}`).
 */
import { type Dispatcher, request } from "undici";
import { z } from "zod";
import type { OllamaApiConnection } from "../backends/ollama/ollama-api.js";
import { ollamaHttpError, ollamaNetworkError } from "../backends/ollama/ollama-errors.js";
import { SwitchyardError } from "../errors/switchyard-error.js";

export interface ModelLoad {
  model: string;
  /** Ollama's load_duration when it reports one, else the wall time of the call. */
  loadMs: number;
}

const loadAnswerSchema = z.object({ load_duration: z.number().nullish(), error: z.string().nullish() });

/**
 * Loads `model` and keeps it loaded (`keep_alive: -1`). A 32B model can take a minute from disk.
 * `numCtx` loads it with the context its requests will ask for, so the first one does not reload it.
 */
export async function loadOllamaModel(
  connection: OllamaApiConnection,
  model: string,
  keepAlive: string | number = -1,
  numCtx?: number,
): Promise<ModelLoad> {
  const started = performance.now();
  const text = await post(
    connection,
    "/api/generate",
    {
      model,
      keep_alive: keepAlive,
      stream: false,
      ...(numCtx === undefined ? {} : { options: { num_ctx: numCtx } }),
    },
    300_000,
  );
  // Ollama answers one JSON object; take the last line in case a proxy streamed it anyway.
  const lastLine = text.trim().split("\n").at(-1) ?? "";
  const parsed = loadAnswerSchema.safeParse(safeJson(lastLine));
  const loadDurationNs = parsed.success ? parsed.data.load_duration : undefined;
  if (parsed.success && parsed.data.error) {
    throw new SwitchyardError(
      "upstream-error",
      `${where(connection)} could not load ${model}: ${parsed.data.error}`,
      {
        backend: connection.backend ?? "ollama",
      },
    );
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
  const response = await open(connection, "/api/pull", { model, stream: true }, 600_000);
  const decoder = new TextDecoder();
  let pending = "";
  const handle = (line: string) => {
    if (line.trim() === "") return;
    const parsed = pullLineSchema.safeParse(safeJson(line));
    if (!parsed.success) return;
    const progress = parsed.data;
    if (progress.error) {
      throw new SwitchyardError(
        "upstream-error",
        `${where(connection)} could not pull ${model}: ${progress.error}`,
        {
          backend: connection.backend ?? "ollama",
        },
      );
    }
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
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) handle(line);
    }
    handle(pending + decoder.decode());
  } catch (error) {
    throw ollamaNetworkError(endpoint(connection), error, connection.signal, true);
  } finally {
    if (!response.body.destroyed) response.body.destroy();
  }
  if (!succeeded) {
    throw new SwitchyardError(
      "upstream-error",
      `${where(connection)} stopped pulling ${model} before "success"`,
      {
        backend: connection.backend ?? "ollama",
      },
    );
  }
}

async function post(
  connection: OllamaApiConnection,
  path: string,
  body: { model: string } & Record<string, unknown>,
  timeoutMs: number,
) {
  const response = await open(connection, path, body, timeoutMs);
  try {
    return await response.body.text();
  } catch (error) {
    throw ollamaNetworkError(endpoint(connection), error, connection.signal, true);
  }
}

/** Sends the request; rejects with a SwitchyardError on a network failure or a non-200 status. */
async function open(
  connection: OllamaApiConnection,
  path: string,
  body: { model: string } & Record<string, unknown>,
  defaultTimeoutMs: number,
): Promise<Dispatcher.ResponseData> {
  const timeoutMs = connection.timeoutMs ?? defaultTimeoutMs;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(`${endpoint(connection).baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...connection.headers },
      body: JSON.stringify(body),
      ...(connection.dispatcher ? { dispatcher: connection.dispatcher } : {}),
      ...(connection.signal ? { signal: connection.signal } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw ollamaNetworkError(endpoint(connection), error, connection.signal, false);
  }
  if (response.statusCode !== 200) {
    const bodyText = await response.body.text().catch(() => "");
    throw ollamaHttpError(endpoint(connection), {
      status: response.statusCode,
      headers: response.headers,
      bodyText,
      model: body.model,
    });
  }
  return response;
}

function endpoint(connection: OllamaApiConnection) {
  return { backend: connection.backend ?? "ollama", baseUrl: connection.baseUrl.replace(/\/+$/, "") };
}

function where(connection: OllamaApiConnection): string {
  return `Engine "${connection.backend ?? "ollama"}" at ${endpoint(connection).baseUrl}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
