/**
 * The MCP tools over the Brain's HTTP API, for `switchyard mcp --url http://brain:8787` on the
 * Workstation: `ask` is a request to the OpenAI door (`POST /v1/chat/completions`, the task in
 * `x-switchyard-task`) read back from its `x-switchyard-*` headers, with its cost from the ledger
 * (`GET /admin/requests/:id`, then the rows of the same request since it started); `route` is
 * `POST /admin/route`; the reports are `GET /admin/costs`, `/admin/budgets` and `/admin/engines`.
 */
import { z } from "zod";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { RouteExplanation } from "../routing/route-explanation.js";
import { abortableDelay, type BrainHttp, brainErrorCode, brainHttp } from "./mcp-brain-http.js";
import { type AskOutcome, requestCost, type SwitchyardService } from "./switchyard-service.js";

export interface RemoteServiceOptions {
  /** The Brain's origin, e.g. http://brain:8787 (a trailing `/` or `/v1` is dropped). */
  url: string;
  token?: string | undefined;
  /** How long a report or a plan may take; default 15 s. */
  readTimeoutMs?: number;
  /** How long an answer may take (a cold model load, an escalation); default 15 minutes. */
  askTimeoutMs?: number;
  /** Waits before looking an answer's ledger row up again (rows are written in batches). */
  ledgerRetryDelaysMs?: readonly number[];
}

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

const ledgerRowSchema = z.object({
  id: z.string(),
  parentId: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
  startedAt: z.number(),
  costUsd: z.number(),
  costEstimated: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
  inputTokens: z.number(),
  outputTokens: z.number(),
});
type LedgerRow = z.output<typeof ledgerRowSchema>;

const ledgerRowsSchema = z.object({ data: z.array(ledgerRowSchema) });

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

/** The most rows read for one request's chain: far more than its attempts and judge calls. */
const CHAIN_WINDOW = 1_000;

export function remoteSwitchyardService(options: RemoteServiceOptions): SwitchyardService {
  const brain = brainHttp({
    url: options.url,
    token: options.token,
    timeoutMs: options.readTimeoutMs ?? 15_000,
  });
  const askTimeoutMs = options.askTimeoutMs ?? 15 * 60_000;
  const retryDelays = options.ledgerRetryDelaysMs ?? [50, 100, 200, 400, 800, 1_600];
  const report = async (path: string, what: string, signal: AbortSignal) =>
    brain.read(jsonObjectSchema, (await brain.call("GET", path, signal)).body, what);

  return {
    where: brain.base,
    async route(question, signal): Promise<RouteExplanation> {
      const { body } = await brain.call("POST", "/admin/route", signal, { body: question });
      return brain.read(routeExplanationSchema, body, "a routing plan");
    },
    async ask(question, signal): Promise<AskOutcome> {
      const { body, headers } = await brain.call("POST", "/v1/chat/completions", signal, {
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
      const completion = brain.read(completionSchema, body, "an answer");
      const header = (name: string) => {
        const value = headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const requestId = header("x-switchyard-request-id");
      if (!requestId)
        throw new SwitchyardError(
          "upstream-error",
          `The answer from ${brain.base} carries no x-switchyard-request-id header; is that a Switchyard gateway?`,
        );
      const cost = await costOf(brain, requestId, retryDelays, signal);
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
    costs: (signal) => report("/admin/costs", "the cost report", signal),
    budgetStatus: (signal) => report("/admin/budgets", "the budgets", signal),
    engineStatus: (signal) => report("/admin/engines", "the Engines", signal),
    async close() {},
  };
}

/**
 * What the answer's request cost, from the ledger: its row, the first attempt it links to, and
 * the rows started since then that link to that (escalations, judge calls). Undefined when the
 * ledger has not written the rows in time or cannot say (an older Brain): the answer is paid for
 * already and is returned without its cost rather than lost.
 */
async function costOf(
  brain: BrainHttp,
  answerId: string,
  retryDelays: readonly number[],
  signal: AbortSignal,
) {
  try {
    const answer = await rowWhenWritten(brain, answerId, retryDelays, signal);
    const first = answer?.parentId
      ? await rowWhenWritten(brain, answer.parentId, retryDelays, signal)
      : answer;
    if (!answer || !first) return undefined;
    const path = `/admin/requests?since=${first.startedAt}&limit=${CHAIN_WINDOW}`;
    const rows = brain.read(
      ledgerRowsSchema,
      (await brain.call("GET", path, signal)).body,
      "the ledger",
    ).data;
    const cost = requestCost(rows, answerId);
    return cost && { ...cost, answer };
  } catch (error) {
    if (error instanceof SwitchyardError && error.code === "aborted") throw error;
    return undefined;
  }
}

/** A ledger row by id, asking again while the Brain says it has none yet (rows go in batches). */
async function rowWhenWritten(
  brain: BrainHttp,
  id: string,
  retryDelays: readonly number[],
  signal: AbortSignal,
): Promise<LedgerRow | undefined> {
  const path = `/admin/requests/${encodeURIComponent(id)}`;
  for (const delayMs of [0, ...retryDelays]) {
    if (delayMs > 0) await abortableDelay(delayMs, signal);
    const response = await brain.send("GET", path, signal);
    if (response.status === 200) return brain.read(ledgerRowSchema, response.body, "a ledger row");
    if (response.status !== 404 || brainErrorCode(response.body) !== "not-found")
      throw brain.refusal("GET", path, response);
  }
  return undefined;
}
