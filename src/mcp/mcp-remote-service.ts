/**
 * The MCP tools over the Brain's HTTP API, for `switchyard mcp --url http://brain:8787` on the
 * Workstation: `ask` is a request to the OpenAI door (`POST /v1/chat/completions`, the task in
 * `x-switchyard-task`, a tag of its own as the OpenAI `user`) read back from its `x-switchyard-*`
 * headers, with its cost from the ledger (`GET /admin/requests/:id`, then the rows since it began
 * that carry its tag); `route` is `POST /admin/route`; the reports are `GET /admin/costs`,
 * `/admin/budgets` and `/admin/engines`.
 */
import { z } from "zod";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { RouteExplanation } from "../routing/route-explanation.js";
import { abortableDelay, type BrainHttp, brainErrorCode, brainHttp } from "./mcp-brain-http.js";
import {
  type AskOutcome,
  askCallerTag,
  askRows,
  requestCost,
  type SwitchyardService,
} from "./switchyard-service.js";

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
  caller: z
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

/** The most rows read to find one ask's: its turns, attempts and judge calls, and others' since. */
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
      const tag = askCallerTag();
      const sentAt = performance.now();
      const { body, headers } = await brain.call("POST", "/v1/chat/completions", signal, {
        body: {
          model: "switchyard/auto",
          // Recorded as the caller of every row this ask makes, never sent on to a model.
          user: tag,
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
      const cost = await costOf(brain, {
        answerId: requestId,
        tag,
        elapsedMs: performance.now() - sentAt,
        retryDelays,
        signal,
      });
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
 * What the ask cost, from the ledger: its answering row (asked for again while the Brain has not
 * written it), then the rows since the ask began that carry its caller tag, and the judge calls
 * linked to them. Undefined when the ledger cannot say in time (or an older Brain cannot say at
 * all): the answer is paid for already and is returned without its cost rather than lost.
 */
async function costOf(
  brain: BrainHttp,
  ask: {
    answerId: string;
    tag: string;
    elapsedMs: number;
    retryDelays: readonly number[];
    signal: AbortSignal;
  },
) {
  try {
    const answer = await rowWhenWritten(brain, ask.answerId, ask.retryDelays, ask.signal);
    if (!answer) return undefined;
    // The ask began at most its round trip before its answering attempt did, on the Brain's clock
    // as on ours; a second more covers a clock that ticks apart.
    const since = Math.max(0, Math.floor(answer.startedAt - ask.elapsedMs - 1_000));
    const path = `/admin/requests?since=${since}&limit=${CHAIN_WINDOW}`;
    const listed = brain.read(
      ledgerRowsSchema,
      (await brain.call("GET", path, ask.signal)).body,
      "the ledger",
    );
    const rows = askRows(listed.data, ask.tag);
    if (!rows.some((row) => row.id === ask.answerId)) return undefined;
    return { ...requestCost(rows), answer };
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
