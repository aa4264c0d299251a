/**
 * The Runs page's view of the workflow runs service: each run with its progress through its
 * workflow's graph, the graph's steps with where they stand (a fan-out's branches summed into
 * their node), and a person's decision at a paused gate.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { RunRecord, RunStepRecord } from "../store/runs-store.js";
import { shownRun } from "../workflows/run-owner.js";
import type { RunsService } from "../workflows/runs-service.js";
import type { OutlineStep } from "../workflows/workflow-definition.js";
import type { RunDetail, RunStep, RunSummary, RunsSource, StepStatus } from "./runs-source.js";

/** How many runs the list shows, newest first. */
const LIST_LIMIT = 100;

export function workflowRunsSource(service: RunsService): RunsSource {
  const detailOf = async (id: string) => {
    const { run, steps, outline } = await service.show(id);
    return { run, graph: graphSteps(outline, steps) };
  };
  return {
    async list() {
      const runs = await service.list({ limit: LIST_LIMIT });
      return Promise.all(runs.map(async (run) => summary(run, (await detailOf(run.id)).graph)));
    },
    async get(id) {
      let found: Awaited<ReturnType<typeof detailOf>>;
      try {
        found = await detailOf(id);
      } catch (error) {
        if (error instanceof SwitchyardError && error.code === "not-found") return undefined;
        throw error;
      }
      const { run, graph } = found;
      const detail: RunDetail = {
        ...summary(run, graph),
        steps: graph,
        gate:
          run.status === "paused" && run.gate
            ? { stepId: run.gate.step, question: run.gate.question, findings: run.gate.findings }
            : null,
      };
      return detail;
    },
    async approve(id) {
      await service.approve(id);
    },
    async reject(id, reason) {
      await service.reject(id, reason);
    },
  };
}

function summary(run: RunRecord, graph: readonly RunStep[]): RunSummary {
  return {
    id: run.id,
    workflow: run.workflow,
    status: shownRun(run).status,
    currentStep: run.currentStep,
    stepsDone: graph.filter((step) => step.status === "done" || step.status === "skipped").length,
    stepsTotal: graph.length,
    costUsd: run.costUsd,
    startedAt: run.createdAt,
    updatedAt: run.updatedAt,
  };
}

/** The outline's steps in order, each with the state of the step rows its node wrote. */
export function graphSteps(outline: readonly OutlineStep[], rows: readonly RunStepRecord[]): RunStep[] {
  const byNode = new Map<string, RunStepRecord[]>();
  for (const row of rows) byNode.set(row.node, [...(byNode.get(row.node) ?? []), row]);
  const steps: RunStep[] = outline.map((step) => ({
    id: step.id,
    label: step.label,
    next: [...step.next],
    status: nodeStatus(byNode.get(step.id) ?? []),
    costUsd: (byNode.get(step.id) ?? []).reduce((sum, row) => sum + row.costUsd, 0),
  }));
  // A run whose workflow file is gone has no outline: its rows still show, in the order they ran.
  if (outline.length === 0) {
    for (const [node, nodeRows] of byNode)
      steps.push({
        id: node,
        label: node,
        next: [],
        status: nodeStatus(nodeRows),
        costUsd: nodeRows.reduce((sum, row) => sum + row.costUsd, 0),
      });
  }
  return steps;
}

function nodeStatus(rows: readonly RunStepRecord[]): StepStatus {
  if (rows.length === 0) return "pending";
  for (const status of ["running", "waiting", "failed"] as const)
    if (rows.some((row) => row.status === status)) return status;
  return rows.every((row) => row.status === "skipped") ? "skipped" : "done";
}
