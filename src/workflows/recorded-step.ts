/**
 * A step that does not ask a model — make the worktree, write files, run the tests, commit,
 * aggregate findings — recorded in the run's journal like any other: its row when it starts, its
 * result (a one-line detail, an optional artefact) when it ends, its failure when it breaks.
 * These steps are safe to repeat, so one interrupted by a crash simply runs again.
 */
import type { StepKind } from "../store/runs-store.js";
import type { RunContext } from "./run-context.js";

export interface RecordedStepSpec {
  key: string;
  node: string;
  label: string;
  kind: Exclude<StepKind, "model">;
}

export interface RecordedOutcome<T> {
  value: T;
  detail?: string;
  artefact?: { kind: string; name: string; content: string; path?: string };
  /** "skipped": the step had nothing to do (no lint command configured). */
  status?: "done" | "skipped";
}

export async function runRecordedStep<T>(
  context: RunContext,
  spec: RecordedStepSpec,
  work: () => Promise<RecordedOutcome<T>>,
): Promise<{ value: T; artefactId: string | null }> {
  const started = await context.journal.start(spec);
  try {
    const outcome = await work();
    const artefactId = outcome.artefact
      ? await context.journal.putArtefact({ stepKey: spec.key, ...outcome.artefact })
      : null;
    await context.journal.finish(started, {
      detail: outcome.detail ?? null,
      artefactId,
      status: outcome.status ?? "done",
    });
    return { value: outcome.value, artefactId };
  } catch (error) {
    await context.journal.fail(started, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
