/**
 * The runs tables' row shapes, shared by both databases: the column lists (from the one table
 * definition each, runs-schema.ts) and the mapping between records and rows. Each store adapts
 * only what its driver cannot take as is (SQLite has no booleans; PostgreSQL returns BIGINT as a
 * string). JSON columns that fail to parse read as empty rather than failing a listing.
 */
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import { RUN_ARTEFACTS_TABLE, RUN_STEPS_TABLE, RUNS_TABLE } from "./runs-schema.js";
import type {
  ArtefactRecord,
  ArtefactSummary,
  RunGate,
  RunPatch,
  RunRecord,
  RunStatus,
  RunStepRecord,
  StepKind,
  StepStatus,
} from "./runs-store.js";
import { storedColumnNames } from "./table-schema.js";

export const RUN_COLUMNS = storedColumnNames(RUNS_TABLE);
export const STEP_COLUMNS = storedColumnNames(RUN_STEPS_TABLE);
export const ARTEFACT_COLUMNS = storedColumnNames(RUN_ARTEFACTS_TABLE);
export const ARTEFACT_SUMMARY_COLUMNS = ARTEFACT_COLUMNS.filter((column) => column !== "content");

type Value = string | number | boolean | null;
type Row = Record<string, unknown>;

const json = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** The column each RunRecord field is stored in, for updates of some fields. */
const RUN_FIELD_COLUMNS: Record<keyof RunPatch, (typeof RUN_COLUMNS)[number]> = {
  status: "status",
  reason: "reason",
  gate: "gate",
  repo: "repo",
  branch: "branch",
  worktree: "worktree",
  currentStep: "current_step",
  owner: "owner",
  updatedAt: "updated_at",
  finishedAt: "finished_at",
  costUsd: "cost_usd",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  escalations: "escalations",
  tiers: "tiers",
  outcome: "outcome",
  checkpointsPruned: "checkpoints_pruned",
};

export function toRunRow(run: RunRecord): Record<(typeof RUN_COLUMNS)[number], Value> {
  return {
    id: run.id,
    workflow: run.workflow,
    status: run.status,
    reason: run.reason,
    gate: json(run.gate),
    input: JSON.stringify(run.input),
    repo: run.repo,
    branch: run.branch,
    worktree: run.worktree,
    current_step: run.currentStep,
    owner: run.owner,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    finished_at: run.finishedAt,
    cost_usd: run.costUsd,
    input_tokens: run.inputTokens,
    output_tokens: run.outputTokens,
    escalations: run.escalations,
    tiers: JSON.stringify(run.tiers),
    outcome: json(run.outcome),
    checkpoints_pruned: run.checkpointsPruned,
  };
}

/** The columns and values a patch changes, in the patch's order. */
export function runPatchColumns(patch: RunPatch): Array<[string, Value]> {
  const full = toRunRow({ ...PATCH_BASE, ...patch } as RunRecord);
  return (Object.keys(patch) as Array<keyof RunPatch>)
    .filter((field) => patch[field] !== undefined)
    .map((field) => {
      const column = RUN_FIELD_COLUMNS[field];
      return [column, full[column]];
    });
}

const PATCH_BASE: RunRecord = {
  id: "",
  workflow: "",
  status: "running",
  reason: null,
  gate: null,
  input: {},
  repo: null,
  branch: null,
  worktree: null,
  currentStep: null,
  owner: null,
  createdAt: 0,
  updatedAt: 0,
  finishedAt: null,
  costUsd: 0,
  inputTokens: 0,
  outputTokens: 0,
  escalations: 0,
  tiers: [],
  outcome: null,
  checkpointsPruned: false,
};

export function fromRunRow(row: Row): RunRecord {
  return {
    id: String(row.id),
    workflow: String(row.workflow),
    status: String(row.status) as RunStatus,
    reason: nullableText(row.reason),
    gate: (parseJsonOrUndefined(nullableText(row.gate) ?? "null") as RunGate | null | undefined) ?? null,
    input: asObject(parseJsonOrUndefined(String(row.input))) ?? {},
    repo: nullableText(row.repo),
    branch: nullableText(row.branch),
    worktree: nullableText(row.worktree),
    currentStep: nullableText(row.current_step),
    owner: nullableText(row.owner),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: nullableNumber(row.finished_at),
    costUsd: Number(row.cost_usd),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    escalations: Number(row.escalations),
    tiers: numberList(parseJsonOrUndefined(String(row.tiers))),
    outcome: asObject(parseJsonOrUndefined(nullableText(row.outcome) ?? "null")) ?? null,
    checkpointsPruned: Boolean(row.checkpoints_pruned),
  };
}

export function toStepRow(step: RunStepRecord): Record<(typeof STEP_COLUMNS)[number], Value> {
  return {
    run_id: step.runId,
    step_key: step.key,
    node: step.node,
    kind: step.kind,
    task: step.task,
    status: step.status,
    alias: step.alias,
    model: step.model,
    tier: step.tier,
    input_tokens: step.inputTokens,
    output_tokens: step.outputTokens,
    cost_usd: step.costUsd,
    escalations: step.escalations,
    request_id: step.requestId,
    artefact_id: step.artefactId,
    detail: step.detail,
    started_at: step.startedAt,
    ended_at: step.endedAt,
  };
}

export function fromStepRow(row: Row): RunStepRecord {
  return {
    runId: String(row.run_id),
    key: String(row.step_key),
    node: String(row.node),
    kind: String(row.kind) as StepKind,
    task: nullableText(row.task),
    status: String(row.status) as StepStatus,
    alias: nullableText(row.alias),
    model: nullableText(row.model),
    tier: nullableNumber(row.tier),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: Number(row.cost_usd),
    escalations: Number(row.escalations),
    requestId: nullableText(row.request_id),
    artefactId: nullableText(row.artefact_id),
    detail: nullableText(row.detail),
    startedAt: Number(row.started_at),
    endedAt: nullableNumber(row.ended_at),
  };
}

export function toArtefactRow(artefact: ArtefactRecord): Record<(typeof ARTEFACT_COLUMNS)[number], Value> {
  return {
    id: artefact.id,
    run_id: artefact.runId,
    step_key: artefact.stepKey,
    kind: artefact.kind,
    name: artefact.name,
    path: artefact.path,
    bytes: artefact.bytes,
    content: artefact.content,
    created_at: artefact.createdAt,
  };
}

export function fromArtefactRow(row: Row): ArtefactRecord {
  return { ...fromArtefactSummaryRow(row), content: nullableText(row.content) };
}

export function fromArtefactSummaryRow(row: Row): ArtefactSummary {
  return {
    id: String(row.id),
    runId: String(row.run_id),
    stepKey: String(row.step_key),
    kind: String(row.kind),
    name: String(row.name),
    path: nullableText(row.path),
    bytes: Number(row.bytes),
    createdAt: Number(row.created_at),
  };
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function numberList(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : [];
}
