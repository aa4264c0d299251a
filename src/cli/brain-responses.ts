/**
 * What the Brain's admin API answers, validated at the boundary before the thin client renders it
 * with the same formatters the local commands use. Objects are loose (a newer Brain may add fields;
 * `--json` passes them on), and dates, which travel as ISO strings, become Dates again.
 */
import { z } from "zod";
import type { FleetSnapshot } from "../engines/engine-status.js";
import type { BudgetOverview } from "../planning/budget-reports.js";
import type { CostReport } from "../planning/cost-report.js";
import type { SavingsReport } from "../planning/savings-report.js";
import type { CallerSummary, RequestRecord } from "../store/ledger-store.js";

const count = z.number();
const nullableNumber = z.number().nullable();

const periodSchema = z.looseObject({
  start: z.coerce.date(),
  end: z.coerce.date(),
  key: z.string(),
  timeZone: z.string(),
});

const costLineSchema = z.looseObject({
  key: z.string(),
  requests: count,
  inputTokens: count,
  outputTokens: count,
  costUsd: count,
  // An older Brain sends no caching figures.
  cacheReadTokens: count.default(0),
  cacheWriteTokens: count.default(0),
  cacheReadCostUsd: count.default(0),
  cacheWriteCostUsd: count.default(0),
  estimatedUsd: count.default(0),
});

export const costReportSchema = z.looseObject({
  period: periodSchema,
  asOf: z.coerce.date(),
  requests: count,
  inputTokens: count,
  outputTokens: count,
  totalUsd: count,
  // An older Brain sends no totals line; only its caching figures are read from it.
  total: costLineSchema.prefault({ key: "total", requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }),
  localRequests: count,
  localShare: count,
  byAlias: z.array(costLineSchema),
  byTier: z.array(costLineSchema),
  byTask: z.array(costLineSchema),
  byDay: z.array(costLineSchema),
  elapsedDays: count,
  periodDays: count,
  dailyRateUsd: count,
  forecastUsd: count,
}) satisfies z.ZodType<CostReport>;

const savingsFiguresSchema = z.looseObject({
  switchyardUsd: count,
  apiUsd: count,
  electricityUsd: count,
  subscriptionUsd: count,
  allSonnetApiUsd: count,
  allOpusApiUsd: count,
  savedVsSubscriptionUsd: count,
  savedVsAllSonnetUsd: count,
  savedVsAllOpusUsd: count,
  // An older Brain sends no caching figures.
  cachingSavedUsd: z.number().default(0),
});

export const savingsReportSchema = z.looseObject({
  requests: count,
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count.default(0),
  cacheWriteTokens: count.default(0),
  monthFraction: count,
  electricityKwhPerMonth: count,
  electricityUsdPerMonth: count,
  toDate: savingsFiguresSchema,
  projectedMonth: savingsFiguresSchema,
  sonnetModel: z.string(),
  opusModel: z.string(),
}) satisfies z.ZodType<SavingsReport>;

/** What GET /healthz says on a Switchyard (no token needed). */
export const healthSchema = z.looseObject({ status: z.literal("ok"), version: z.string() });

export const budgetOverviewSchema = z.looseObject({
  status: z.looseObject({
    period: periodSchema,
    lines: z.array(
      z.looseObject({
        budget: z.string(),
        limitUsd: count,
        settledUsd: count,
        reservedUsd: count,
        remainingUsd: count,
      }),
    ),
    keyRemainingUsd: nullableNumber,
    // The key's last check; a Brain from before it was reported sends none.
    key: z
      .looseObject({
        limitUsd: nullableNumber,
        remainingUsd: nullableNumber,
        usageUsd: count,
        checkedAt: count,
      })
      .nullish()
      .transform((key) => key ?? null),
    effectiveRemainingUsd: count,
  }),
  onExhausted: z.string(),
  alerts: z.array(z.looseObject({ budget: z.string(), thresholdPercent: count, firedAt: count })),
}) satisfies z.ZodType<BudgetOverview>;

export const requestRecordSchema = z.looseObject({
  id: z.string(),
  startedAt: count,
  frontDoor: z.string(),
  task: z.string(),
  selector: z.string(),
  tier: count,
  alias: z.string(),
  model: z.string(),
  backend: z.string(),
  stream: z.boolean(),
  inputTokens: count,
  outputTokens: count,
  costUsd: count,
  ttftMs: nullableNumber,
  latencyMs: count,
  status: z.enum(["ok", "error", "aborted"]),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  fallbackHops: z.array(z.looseObject({ fromAlias: z.string(), toAlias: z.string(), reason: z.string() })),
  tokensPerSecond: nullableNumber,
  caller: z.string().nullable(),
  catalogCostUsd: nullableNumber,
  reportedCostUsd: nullableNumber,
  reservedUsd: nullableNumber,
  budgetAction: z.enum(["downgraded", "rejected"]).nullable(),
  loadMs: nullableNumber,
  parentId: z.string().nullable(),
  attempt: count,
  gateVerdict: z.enum(["pass", "fail"]).nullable(),
  gateDetail: z.string().nullable(),
  queueMs: nullableNumber,
  // Fields a Brain of an earlier release does not send.
  costEstimated: z.boolean().default(false),
  cacheReadTokens: nullableNumber.default(null),
  cacheWriteTokens: nullableNumber.default(null),
  cacheReadCostUsd: nullableNumber.default(null),
  cacheWriteCostUsd: nullableNumber.default(null),
}) satisfies z.ZodType<RequestRecord>;

export const requestListSchema = z.looseObject({ data: z.array(requestRecordSchema) });

export const callerSummarySchema = z.looseObject({
  requests: count,
  inputTokens: count,
  outputTokens: count,
  costUsd: count,
  last: requestRecordSchema.nullable(),
}) satisfies z.ZodType<CallerSummary>;

const engineModelSchema = z.looseObject({
  model: z.string(),
  aliases: z.array(z.string()),
  residency: z.enum(["resident", "absent", "unknown"]),
  inFlight: count,
  slots: count,
  queued: count,
  sizeVramBytes: nullableNumber,
  contextLength: nullableNumber,
  capabilities: z.array(z.string()),
  lastLoadMs: nullableNumber,
});

export const fleetSnapshotSchema = z.looseObject({
  engines: z.array(
    z.looseObject({
      id: z.string(),
      baseUrl: z.string(),
      state: z.enum(["up", "down", "probing"]),
      consecutiveFailures: count,
      lastFailure: z.string().nullable(),
      downSince: z.string().nullable(),
      version: z.string().nullable(),
      polledAt: z.string().nullable(),
      capacity: nullableNumber,
      switchingTo: z.string().nullable(),
      models: z.array(engineModelSchema),
      otherLoaded: z.array(z.string()),
      counters: z.looseObject({
        served: count,
        failures: count,
        busyRetries: count,
        swaps: count,
        coldLoads: count,
      }),
      warnings: z.array(z.looseObject({ at: z.string(), message: z.string() })),
    }),
  ),
  queues: z.array(z.looseObject({ alias: z.string(), depth: count })),
  waits: z.looseObject({ leases: count, waited: count, p50Ms: count, p95Ms: count, maxMs: count }),
}) satisfies z.ZodType<FleetSnapshot>;
