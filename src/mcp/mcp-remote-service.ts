/**
 * The MCP tools over the Brain's HTTP API, for `switchyard mcp --url http://brain:8787` on the
 * Workstation: `ask` is a request to the OpenAI door (`POST /v1/chat/completions`, the task in
 * `x-switchyard-task`) read back from its `x-switchyard-*` headers, with its cost from the
 * ledger (`GET /admin/requests`); `route` is `POST /admin/route`; the reports are the admin API's
 * `GET /admin/costs`, `/admin/budgets` and `/admin/engines`. The token goes as a bearer token.
 */
import { request } from "undici";
import { z } from "zod";
import { type ErrorCode, SwitchyardError } from "../errors/switchyard-error.js";
import { parseJson } from "../protocol/safe-json.js";
import type { RouteExplanation } from "../routing/route-explanation.js";
import { type AskOutcome, requestCost, type SwitchyardService } from "./switchyard-service.js";

export interface RemoteServiceOptions {
  /** The Brain's origin, e.g. http://brain:8787 (a trailing `/` or `/v1` is dropped). */
  url: string;
  token?: string | undefined;
  /** How long a report or a plan may take; default 15 s. */
  readTimeoutMs?: number;
  /** How long an answer may take (a cold model load, an escalation); default 15 minutes. */
  askTimeoutMs?: number;
  /** Waits before looking the answer's ledger row up again (rows are written in batches). */
  ledgerRetryDelaysMs?: readonly number[];
}

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

const ledgerRowsSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      parentId: z
        .string()
        .nullish()
        .transform((value) => value ?? null),
      costUsd: z.number(),
      costEstimated: z
        .boolean()
        .nullish()
        .transform((value) => value ?? false),
      inputTokens: z.number(),
      outputTokens: z.number(),
    }),
  ),
});

const routeExplanationSchema = z.object({
  task: z.string(),
  tier: z.number(),
  alias: z.string(),
  model: z.string(),
  backend: z.string().default(""),
  selector: z.string(),
  confidence: z.number().default(1),
  ladder: z.array(z.string()),
  downgrades: z.array(z.string()).default([]),
  signals: z.array(z.string()),
});

const jsonObjectSchema = z.record(z.string(), z.unknown());

/** Rows in the newest-first listing searched for an answer's row: more than one burst of traffic. */
const LEDGER_WINDOW = 500;

export function remoteSwitchyardService(options: RemoteServiceOptions): SwitchyardService {
  const base = options.url.trim().replace(/\/+$/, "").replace(/\/v1$/, "");
  const readTimeoutMs = options.readTimeoutMs ?? 15_000;
  const askTimeoutMs = options.askTimeoutMs ?? 15 * 60_000;
  const retryDelays = options.ledgerRetryDelaysMs ?? [50, 100, 200, 400, 800, 1_600];

  async function call(
    method: "GET" | "POST",
    path: string,
    signal: AbortSignal,
    init: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<{ body: unknown; headers: Record<string, string | string[] | undefined> }> {
    const timeoutMs = init.timeoutMs ?? readTimeoutMs;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${base}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (error) {
      if (signal.aborted) throw new SwitchyardError("aborted", "The call was cancelled");
      throw new SwitchyardError(
        "upstream-unreachable",
        `Could not reach the Brain at ${base} (${(error as Error).message}): check that switchyard serve runs there and that --url (or SWITCHYARD_URL) names it`,
        { cause: error },
      );
    }
    const text = await response.body.text();
    const parsed = parseJson(text);
    if (response.statusCode >= 400) throw brainError(base, method, path, response.statusCode, parsed);
    if (!parsed.ok)
      throw new SwitchyardError(
        "upstream-error",
        `The Brain at ${base} answered ${method} ${path} with something that is not JSON (${parsed.error}); is that a Switchyard gateway?`,
      );
    return { body: parsed.value, headers: response.headers };
  }

  function read<Schema extends z.ZodType>(schema: Schema, body: unknown, what: string): z.output<Schema> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    throw new SwitchyardError(
      "upstream-error",
      `The Brain at ${base} sent ${what} in a shape this client does not know (${result.error.issues[0]?.message}); are both on the same Switchyard version?`,
    );
  }

  /** The answer's request cost from the ledger, waiting a little for a row not yet written. */
  async function costOf(answerId: string, signal: AbortSignal) {
    for (const delayMs of [0, ...retryDelays]) {
      if (delayMs > 0) await abortableDelay(delayMs, signal);
      const { body } = await call("GET", `/admin/requests?limit=${LEDGER_WINDOW}`, signal);
      const rows = read(ledgerRowsSchema, body, "the ledger").data;
      const cost = requestCost(rows, answerId);
      if (cost) return { ...cost, answer: rows.find((row) => row.id === answerId)! };
    }
    return undefined;
  }

  return {
    where: base,
    async route(question, signal): Promise<RouteExplanation> {
      const { body } = await call("POST", "/admin/route", signal, { body: question });
      return read(routeExplanationSchema, body, "a routing plan");
    },
    async ask(question, signal): Promise<AskOutcome> {
      const { body, headers } = await call("POST", "/v1/chat/completions", signal, {
        body: {
          model: "switchyard/auto",
          messages: [
            ...(question.system ? [{ role: "system", content: question.system }] : []),
            { role: "user", content: question.prompt },
          ],
          ...(question.maxTokens !== undefined ? { max_tokens: question.maxTokens } : {}),
          stream: false,
        },
        headers: question.task ? { "x-switchyard-task": question.task } : {},
        timeoutMs: askTimeoutMs,
      });
      const completion = read(completionSchema, body, "an answer");
      const header = (name: string) => {
        const value = headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const requestId = header("x-switchyard-request-id");
      if (!requestId)
        throw new SwitchyardError(
          "upstream-error",
          `The answer from ${base} carries no x-switchyard-request-id header; is that a Switchyard gateway?`,
        );
      const cost = await costOf(requestId, signal);
      return {
        answer: completion.choices[0]!.message.content ?? "",
        requestId,
        task: header("x-switchyard-task") ?? "",
        tier: Number(header("x-switchyard-tier") ?? 0),
        alias: header("x-switchyard-alias") ?? "",
        model: header("x-switchyard-model") ?? "",
        inputTokens: cost?.answer.inputTokens ?? completion.usage?.prompt_tokens ?? 0,
        outputTokens: cost?.answer.outputTokens ?? completion.usage?.completion_tokens ?? 0,
        costUsd: cost?.costUsd ?? null,
        costEstimated: cost?.costEstimated ?? false,
        attempts: cost?.attempts ?? 1,
        escalations: Number(header("x-switchyard-escalations") ?? 0),
      };
    },
    async costs(signal) {
      return read(jsonObjectSchema, (await call("GET", "/admin/costs", signal)).body, "the cost report");
    },
    async budgetStatus(signal) {
      return read(jsonObjectSchema, (await call("GET", "/admin/budgets", signal)).body, "the budgets");
    },
    async engineStatus(signal) {
      return read(jsonObjectSchema, (await call("GET", "/admin/engines", signal)).body, "the Engines");
    },
    async close() {},
  };
}

/** The Brain's refusal, in words that say what to do. */
function brainError(
  base: string,
  method: string,
  path: string,
  status: number,
  parsed: ReturnType<typeof parseJson>,
): SwitchyardError {
  const said = parsed.ok ? messageOf(parsed.value) : undefined;
  const what = said ?? `HTTP ${status}`;
  if (status === 401)
    return new SwitchyardError(
      "authentication",
      `The Brain at ${base} refused the token (${what}); set SWITCHYARD_TOKEN or pass --token with one of its server.auth_tokens`,
    );
  if (status === 404)
    return new SwitchyardError(
      "invalid-request",
      `The Brain at ${base} has no ${method} ${path.split("?")[0]} (${what}); it may run an older Switchyard — upgrade it`,
    );
  const code: ErrorCode =
    status === 402 ? "budget-exceeded" : status < 500 ? "invalid-request" : "upstream-error";
  return new SwitchyardError(code, `The Brain at ${base} answered ${status}: ${what}`, {
    upstreamStatus: status,
  });
}

function messageOf(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === "string" ? error.message : undefined;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener("abort", cancel);
      resolve();
    }
    function cancel() {
      clearTimeout(timer);
      reject(new SwitchyardError("aborted", "The call was cancelled"));
    }
    signal.addEventListener("abort", cancel, { once: true });
  });
}
