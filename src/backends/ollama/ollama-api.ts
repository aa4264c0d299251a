/**
 * Owns Ollama's management endpoints that health checks and `doctor` read: `/api/version`,
 * `/api/tags` (installed models), `/api/ps` (loaded models) and `/api/show` (one model's
 * capabilities and context length). Answers are validated with lenient zod schemas and returned in
 * Switchyard's own camelCase shapes.
 */
import { type Dispatcher, request } from "undici";
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { parseJson } from "../../protocol/safe-json.js";
import { describeOllama, type OllamaEndpoint, ollamaHttpError, ollamaNetworkError } from "./ollama-errors.js";

export interface OllamaApiConnection {
  baseUrl: string;
  /** The back end id, for error messages; defaults to "ollama". */
  backend?: string;
  /** Share the back end's pool (`OllamaBackend.dispatcher`); undici's global one otherwise. */
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
  /** Whole-call budget for the headers and each body gap. Default 5 s: these answers are instant. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface OllamaInstalledModel {
  name: string;
  sizeBytes?: number;
  modifiedAt?: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
}

export interface OllamaLoadedModel {
  name: string;
  sizeBytes?: number;
  /** Bytes in GPU memory; less than `sizeBytes` means part of the model runs on the CPU. */
  sizeVramBytes?: number;
  /** When Ollama will unload it (ISO time); far in the future for `keep_alive: -1`. */
  expiresAt?: string;
  contextLength?: number;
}

export interface OllamaModelInfo {
  /** "completion", "tools", "thinking", "vision", "insert", "embedding" — as the model declares. */
  capabilities: string[];
  /** The model's trained context window (`<architecture>.context_length`). */
  contextLength?: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
}

const detailsSchema = z
  .object({
    family: z.string().nullish(),
    parameter_size: z.string().nullish(),
    quantization_level: z.string().nullish(),
  })
  .nullish();

const versionSchema = z.object({ version: z.string() });
const tagsSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string(),
        size: z.number().nullish(),
        modified_at: z.string().nullish(),
        details: detailsSchema,
      }),
    )
    .nullish(),
});
const psSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string(),
        size: z.number().nullish(),
        size_vram: z.number().nullish(),
        expires_at: z.string().nullish(),
        context_length: z.number().nullish(),
      }),
    )
    .nullish(),
});
const showSchema = z.object({
  capabilities: z.array(z.string()).nullish(),
  details: detailsSchema,
  model_info: z.record(z.string(), z.unknown()).nullish(),
});

export async function getOllamaVersion(connection: OllamaApiConnection): Promise<string> {
  return (await callOllama(connection, "GET", "/api/version", versionSchema)).version;
}

export async function listInstalledOllamaModels(
  connection: OllamaApiConnection,
): Promise<OllamaInstalledModel[]> {
  const answer = await callOllama(connection, "GET", "/api/tags", tagsSchema);
  return (answer.models ?? []).map((model) => ({
    name: model.name,
    ...optional("sizeBytes", model.size),
    ...optional("modifiedAt", model.modified_at),
    ...optional("family", model.details?.family),
    ...optional("parameterSize", model.details?.parameter_size),
    ...optional("quantization", model.details?.quantization_level),
  }));
}

export async function listLoadedOllamaModels(connection: OllamaApiConnection): Promise<OllamaLoadedModel[]> {
  const answer = await callOllama(connection, "GET", "/api/ps", psSchema);
  return (answer.models ?? []).map((model) => ({
    name: model.name,
    ...optional("sizeBytes", model.size),
    ...optional("sizeVramBytes", model.size_vram),
    ...optional("expiresAt", model.expires_at),
    ...optional("contextLength", model.context_length),
  }));
}

export async function showOllamaModel(
  connection: OllamaApiConnection,
  model: string,
): Promise<OllamaModelInfo> {
  const answer = await callOllama(connection, "POST", "/api/show", showSchema, { model });
  const modelInfo = answer.model_info ?? {};
  const architecture = modelInfo["general.architecture"];
  const contextLength =
    typeof architecture === "string"
      ? modelInfo[`${architecture}.context_length`]
      : firstContextLength(modelInfo);
  return {
    capabilities: answer.capabilities ?? [],
    ...optional("contextLength", typeof contextLength === "number" ? contextLength : undefined),
    ...optional("family", answer.details?.family),
    ...optional("parameterSize", answer.details?.parameter_size),
    ...optional("quantization", answer.details?.quantization_level),
  };
}

function firstContextLength(modelInfo: Record<string, unknown>): unknown {
  for (const [key, value] of Object.entries(modelInfo)) if (key.endsWith(".context_length")) return value;
  return undefined;
}

function optional<Key extends string, Value>(
  key: Key,
  value: Value | null | undefined,
): Partial<Record<Key, Value>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<Key, Value>);
}

async function callOllama<Schema extends z.ZodType>(
  connection: OllamaApiConnection,
  method: "GET" | "POST",
  path: string,
  schema: Schema,
  body?: { model: string },
): Promise<z.infer<Schema>> {
  const response = await openOllamaRequest(connection, { method, path, body, defaultTimeoutMs: 5_000 });
  const text = await readOllamaText(connection, response);
  const endpoint = ollamaEndpoint(connection);
  const json = parseJson(text);
  if (!json.ok) {
    throw new SwitchyardError(
      "upstream-error",
      `${describeOllama(endpoint)} answered ${path} with something not JSON (${json.error})`,
      { backend: endpoint.backend },
    );
  }
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) {
    throw new SwitchyardError(
      "upstream-error",
      `${describeOllama(endpoint)} answered ${path} in an unexpected shape`,
      { backend: endpoint.backend, cause: parsed.error },
    );
  }
  return parsed.data;
}

/** Who the errors of a management call name: the back end id and its base URL without a trailing slash. */
export function ollamaEndpoint(connection: OllamaApiConnection): OllamaEndpoint {
  return { backend: connection.backend ?? "ollama", baseUrl: connection.baseUrl.replace(/\/+$/, "") };
}

export interface OllamaManagementRequest {
  method: "GET" | "POST";
  path: string;
  body?: ({ model: string } & Record<string, unknown>) | undefined;
  /** Default `application/json`; a pull streams `application/x-ndjson`. */
  accept?: string;
  /** Whole-call wait when the connection sets no `timeoutMs`: headers, and each gap in the body. */
  defaultTimeoutMs: number;
}

/**
 * Sends one management request (this module's reads, and the Engine manager's loads and pulls).
 * Rejects with a `SwitchyardError` on a network failure or a status other than 200, whose body
 * says why.
 */
export async function openOllamaRequest(
  connection: OllamaApiConnection,
  { method, path, body, accept = "application/json", defaultTimeoutMs }: OllamaManagementRequest,
): Promise<Dispatcher.ResponseData> {
  const endpoint = ollamaEndpoint(connection);
  const timeoutMs = connection.timeoutMs ?? defaultTimeoutMs;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(`${endpoint.baseUrl}${path}`, {
      method,
      headers: { accept, "content-type": "application/json", ...connection.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(connection.dispatcher ? { dispatcher: connection.dispatcher } : {}),
      ...(connection.signal ? { signal: connection.signal } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw ollamaNetworkError(endpoint, error, { phase: "before-response", signal: connection.signal });
  }
  if (response.statusCode !== 200) {
    const bodyText = await response.body.text().catch(() => "");
    const failure = { status: response.statusCode, headers: response.headers, bodyText };
    throw ollamaHttpError(endpoint, body === undefined ? failure : { ...failure, model: body.model });
  }
  return response;
}

/** The whole body of an opened request as text; the connection breaking meanwhile is a broken answer. */
export async function readOllamaText(
  connection: OllamaApiConnection,
  response: Dispatcher.ResponseData,
): Promise<string> {
  try {
    return await response.body.text();
  } catch (error) {
    throw ollamaNetworkError(ollamaEndpoint(connection), error, {
      phase: "mid-stream",
      signal: connection.signal,
    });
  }
}
