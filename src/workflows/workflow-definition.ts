/**
 * The contract every workflow meets — the four built-ins and each YAML one: a name, the steps to
 * show (for `runs show` and the dashboard), `prepare` to check the input and what it names before
 * anything is made (bad input is one clear line and changes nothing), how its run's tools are
 * scoped, and its LangGraph graph, built once per process. A graph's state keeps small values and
 * artefact ids only, and ends by setting `result`.
 */
import { Annotation, type StateGraph } from "@langchain/langgraph";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { RunContexts } from "./run-context.js";
import type { RunTools, RunToolsOptions } from "./run-tools.js";

/** How a run ended, as its last node says. */
export interface RunResult {
  status: "done" | "rejected";
  reason: string | null;
  /** What it produced (commit, branch, diff stat, report artefact): small values only. */
  outcome: Record<string, unknown> | null;
}

export interface OutlineStep {
  id: string;
  label: string;
  /** The steps that may follow: the graph's edges. */
  next: readonly string[];
}

export interface PrepareEnvironment {
  config: SwitchyardConfig;
  /** The new run's id (worktree and branch names are made from it). */
  runId: string;
  /** Where relative paths in the input are resolved from. */
  cwd: string;
}

export interface PreparedRun {
  /** What the run row keeps of the input: small values only. */
  input: Record<string, unknown>;
  /** The repository the run works on (a real path), if any. */
  repository: string | null;
  /** How the run's hub is scoped: which tree the fs server sees, whether it writes. */
  tools: Pick<RunToolsOptions, "repository" | "fsRoot" | "fsWrites" | "fsMaxResults">;
  /** The graph's input. */
  state: Record<string, unknown>;
}

export interface WorkflowDefinition {
  name: string;
  description: string;
  outline: readonly OutlineStep[];
  /** Checks the input and the paths it names; throws SwitchyardError("invalid-request") in one line. */
  prepare(input: Record<string, unknown>, environment: PrepareEnvironment): Promise<PreparedRun>;
  /** Checks through the run's hub before the run is made (a repository with uncommitted changes). */
  verify?(tools: RunTools, prepared: PreparedRun): Promise<void>;
  /**
   * What a run produced when its graph ends without setting `result` (a YAML workflow's last
   * answer, as its report); the graph's final values are given.
   */
  outcome?(values: Record<string, unknown>): RunResult["outcome"];
  /** The graph, uncompiled; the runner compiles it once with the checkpointer. */
  // biome-ignore lint/suspicious/noExplicitAny: each workflow's graph has its own state type.
  graph(contexts: RunContexts): StateGraph<any, any, any, any, any, any>;
}

/** A state channel that keeps the last value written (the common case). */
export function lastValue<T>(initial: T) {
  return Annotation<T>({ reducer: (_previous: T, next: T) => next, default: () => initial });
}

/** A state channel that collects what parallel branches append. */
export function appended<T>() {
  return Annotation<T[]>({
    reducer: (previous: T[], next: T[]) => [...previous, ...next],
    default: () => [],
  });
}
