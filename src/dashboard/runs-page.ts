/**
 * The Runs page: each workflow run with its progress and cost, one run's graph with the step it is
 * on, and approve / reject buttons while it waits at a human gate. Plain forms, so they work with
 * or without scripts; with htmx the run's section is replaced in place.
 */
import { DASHBOARD_PREFIX, usd, utcTime } from "./dashboard-layout.js";
import { type Html, html } from "./html-template.js";
import type { RunDetail, RunStep, RunSummary, StepStatus } from "./runs-source.js";

const STEP_TEXT: Record<StepStatus, string> = {
  pending: "○ pending",
  running: "▶ running",
  waiting: "⏸ waiting for a decision",
  done: "✓ done",
  failed: "✗ failed",
  skipped: "– skipped",
};

const runUrl = (id: string) => `${DASHBOARD_PREFIX}/runs/${encodeURIComponent(id)}`;

export function runsBody(runs: readonly RunSummary[]): Html {
  if (runs.length === 0)
    return html`<p class="empty">No workflow runs yet. Runs appear here once a workflow starts.</p>`;
  return html`<div class="table-wrap"><table class="compact"><thead><tr><th scope="col">Run</th><th scope="col">Workflow</th><th scope="col">Status</th><th scope="col">Step</th><th scope="col">Progress</th><th scope="col">Cost</th><th scope="col">Started</th></tr></thead>
<tbody>${runs.map(
    (run) =>
      html`<tr data-run-id="${run.id}"><td><a href="${runUrl(run.id)}">${run.id}</a></td><td>${run.workflow}</td><td>${statusText(run.status)}</td><td>${run.currentStep ?? "–"}</td><td><progress max="${Math.max(1, run.stepsTotal)}" value="${run.stepsDone}">${run.stepsDone}/${run.stepsTotal}</progress> ${run.stepsDone}/${run.stepsTotal}</td><td class="number">${usd(run.costUsd)}</td><td>${utcTime(run.startedAt)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** One run; the section htmx swaps after a decision. */
export function runSection(run: RunDetail, notice?: string): Html {
  return html`<section id="run" class="run" data-status="${run.status}">
${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<p>Workflow ${run.workflow} · ${statusText(run.status)} · step ${run.currentStep ?? "–"} · ${run.stepsDone} of ${run.stepsTotal} steps · ${usd(run.costUsd)} · started ${utcTime(run.startedAt)}, updated ${utcTime(run.updatedAt)}</p>
<h2>Graph</h2>
<ol class="graph">${run.steps.map((step) => stepItem(step, run))}</ol>
${run.gate && run.status === "paused" ? gateForms(run) : ""}
</section>`;
}

function stepItem(step: RunStep, run: RunDetail): Html {
  const current = step.id === run.currentStep;
  return html`<li data-step="${step.id}" data-status="${step.status}"${current ? html` aria-current="step"` : ""}>
<strong>${step.label}</strong> — ${STEP_TEXT[step.status]}${current ? " ◀ current" : ""}${step.costUsd > 0 ? ` · ${usd(step.costUsd)}` : ""}
${step.next.length ? html`<span class="edges">→ ${step.next.map((next) => run.steps.find((candidate) => candidate.id === next)?.label ?? next).join(", ")}</span>` : ""}
</li>`;
}

function gateForms(run: RunDetail): Html {
  const gate = run.gate!;
  return html`<section class="gate" aria-labelledby="gate-heading"><h2 id="gate-heading">Waiting for you</h2>
<p>${gate.question}</p>
${gate.findings.length ? html`<ul>${gate.findings.map((finding) => html`<li>${finding}</li>`)}</ul>` : ""}
<form method="post" action="${runUrl(run.id)}/approve" hx-post="${runUrl(run.id)}/approve" hx-target="#run" hx-swap="outerHTML"><button type="submit" name="decision" value="approve">Approve</button></form>
<form method="post" action="${runUrl(run.id)}/reject" hx-post="${runUrl(run.id)}/reject" hx-target="#run" hx-swap="outerHTML">
<label>Reason for rejecting <input type="text" name="reason" required maxlength="2000"></label> <button type="submit" name="decision" value="reject">Reject</button></form>
</section>`;
}

function statusText(status: RunSummary["status"]): string {
  return {
    running: "▶ running",
    stopped: "⏹ stopped: its process ended (switchyard resume)",
    paused: "⏸ paused",
    done: "✓ done",
    failed: "✗ failed",
    rejected: "✗ rejected",
    cancelled: "■ cancelled",
  }[status];
}
