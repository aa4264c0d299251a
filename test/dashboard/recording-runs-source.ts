/**
 * A small in-test RunsSource: two runs paused at a human gate, which approve and reject move on
 * and record. Stands in for the workflow runner until it exists; the dashboard sees only the
 * RunsSource contract either way.
 */
import type { RunDetail, RunSummary, RunsSource } from "../../src/dashboard/runs-source.js";

export class RecordingRunsSource implements RunsSource {
  readonly approvals: string[] = [];
  readonly rejections: Array<{ id: string; reason: string }> = [];
  private readonly runs = new Map<string, RunDetail>();

  constructor(now: number) {
    for (const id of ["run-approve", "run-reject"]) this.runs.set(id, pausedRun(id, now));
  }

  async list(): Promise<RunSummary[]> {
    return [...this.runs.values()].map(({ steps: _steps, gate: _gate, ...summary }) => summary);
  }

  async get(id: string): Promise<RunDetail | undefined> {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }

  async approve(id: string): Promise<void> {
    const run = this.paused(id);
    this.approvals.push(id);
    this.resume(run, "running");
  }

  async reject(id: string, reason: string): Promise<void> {
    const run = this.paused(id);
    this.rejections.push({ id, reason });
    this.resume(run, "rejected");
  }

  private paused(id: string): RunDetail {
    const run = this.runs.get(id);
    if (!run) throw new Error(`No run ${id}`);
    if (run.status !== "paused") throw new Error(`Run ${id} is not waiting at a gate (it is ${run.status})`);
    return run;
  }

  private resume(run: RunDetail, status: "running" | "rejected"): void {
    const gateStep = run.steps.find((step) => step.id === run.gate?.stepId)!;
    gateStep.status = status === "running" ? "done" : "failed";
    run.gate = null;
    run.status = status;
    run.stepsDone += 1;
    const next = run.steps.find((step) => step.id === gateStep.next[0]);
    if (status === "running" && next) {
      next.status = "running";
      run.currentStep = next.id;
    } else {
      run.currentStep = null;
    }
  }
}

function pausedRun(id: string, now: number): RunDetail {
  return {
    id,
    workflow: "bug-hunt",
    status: "paused",
    currentStep: "review",
    stepsDone: 2,
    stepsTotal: 4,
    costUsd: 0.42,
    startedAt: now - 600_000,
    updatedAt: now - 60_000,
    steps: [
      { id: "plan", label: "Plan the hunt", status: "done", next: ["hunt"], costUsd: 0 },
      { id: "hunt", label: "Hunt per module", status: "done", next: ["review"], costUsd: 0.4 },
      { id: "review", label: "Human review", status: "waiting", next: ["report"], costUsd: 0 },
      { id: "report", label: "Write the report", status: "pending", next: [], costUsd: 0 },
    ],
    gate: {
      stepId: "review",
      question: "File these three bugs?",
      findings: ["pager: off-by-one on the last page", "cache: stale entry after <reload>"],
    },
  };
}
