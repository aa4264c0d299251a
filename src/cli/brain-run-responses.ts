/**
 * What the Brain's workflow runs API (`/admin/runs`) answers, validated before the thin client
 * renders it with the formatters the local run commands use: runs, their steps and artefacts, a
 * run's detail, and the events of its progress stream. Objects are loose (a newer Brain may add
 * fields; `--json` passes them on); times are epoch milliseconds, as the runs store keeps them.
 */
import { z } from "zod";
import type {
  ArtefactRecord,
  ArtefactSummary,
  RunGate,
  RunStatus,
  RunStepRecord,
} from "../store/runs-store.js";
import type { RunEvent } from "../workflows/run-events.js";
import type { ShownRun } from "../workflows/run-owner.js";
import type { ShownRunDetail } from "./run-format.js";

const count = z.number();
const text = z.string().nullable();

export const RUN_STATUSES = [
  "running",
  "paused",
  "failed",
  "done",
  "rejected",
  "cancelled",
] as const satisfies readonly RunStatus[];

const runStatusSchema = z.enum(RUN_STATUSES);
/** A run's status as the Brain shows it: a run whose process is gone from its host is `stopped`. */
const shownStatusSchema = z.enum([...RUN_STATUSES, "stopped"]);

const gateSchema = z.looseObject({
  step: z.string(),
  question: z.string(),
  findings: z.array(z.string()),
  editable: z.string().optional(),
}) satisfies z.ZodType<RunGate>;

export const runRecordSchema = z.looseObject({
  id: z.string(),
  workflow: z.string(),
  status: shownStatusSchema,
  reason: text,
  gate: gateSchema.nullable(),
  input: z.record(z.string(), z.unknown()),
  repo: text,
  branch: text,
  worktree: text,
  currentStep: text,
  owner: text,
  createdAt: count,
  updatedAt: count,
  finishedAt: count.nullable(),
  costUsd: count,
  inputTokens: count,
  outputTokens: count,
  escalations: count,
  tiers: z.array(count),
  outcome: z.record(z.string(), z.unknown()).nullable(),
  checkpointsPruned: z.boolean(),
}) satisfies z.ZodType<ShownRun>;

export const runStepSchema = z.looseObject({
  runId: z.string(),
  key: z.string(),
  node: z.string(),
  kind: z.enum(["model", "tool", "command", "human", "logic"]),
  task: text,
  status: z.enum(["running", "done", "failed", "waiting", "skipped"]),
  alias: text,
  model: text,
  tier: count.nullable(),
  inputTokens: count,
  outputTokens: count,
  costUsd: count,
  escalations: count,
  requestId: text,
  artefactId: text,
  detail: text,
  startedAt: count,
  endedAt: count.nullable(),
}) satisfies z.ZodType<RunStepRecord>;

const artefactFields = {
  id: z.string(),
  runId: z.string(),
  stepKey: z.string(),
  kind: z.string(),
  name: z.string(),
  path: text,
  bytes: count,
  createdAt: count,
};

export const artefactSummarySchema = z.looseObject(artefactFields) satisfies z.ZodType<ArtefactSummary>;

export const artefactRecordSchema = z.looseObject({
  ...artefactFields,
  content: text,
}) satisfies z.ZodType<ArtefactRecord>;

/** GET /admin/runs/:id. */
export const runDetailSchema = z.looseObject({
  run: runRecordSchema,
  steps: z.array(runStepSchema),
  artefacts: z.array(artefactSummarySchema),
  outline: z
    .array(z.looseObject({ id: z.string(), label: z.string(), next: z.array(z.string()) }))
    .default([]),
}) satisfies z.ZodType<ShownRunDetail>;

/** GET /admin/runs. */
export const runListSchema = z.looseObject({ data: z.array(runRecordSchema) });

/** What the POSTs that start or decide a run answer. */
export const runAnswerSchema = z.looseObject({ run: runRecordSchema });

/**
 * One event of a run's progress stream. The thin client reads the step and halt events; a kind it
 * does not know (a newer Brain's) is passed over.
 */
export const runEventSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("step-started"),
    runId: z.string(),
    step: z.string(),
    node: z.string(),
    label: z.string(),
    task: text,
    alias: text,
    at: count,
  }),
  z.looseObject({
    type: z.literal("step-finished"),
    runId: z.string(),
    step: runStepSchema,
    reused: z.boolean(),
  }),
  z.looseObject({ type: z.literal("node-finished"), runId: z.string(), node: z.string() }),
  z.looseObject({
    type: z.literal("run-started"),
    runId: z.string(),
    workflow: z.string(),
    resumed: z.boolean(),
  }),
  z.looseObject({
    type: z.literal("run-paused"),
    runId: z.string(),
    reason: z.string(),
    gate: gateSchema.nullable(),
  }),
  z.looseObject({
    type: z.literal("run-ended"),
    runId: z.string(),
    status: runStatusSchema,
    reason: text,
  }),
]) satisfies z.ZodType<RunEvent>;
