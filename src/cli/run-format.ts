/**
 * How runs read on the command line: the list (`switchyard runs`), one run in full
 * (`switchyard runs show`: its steps with tier, model, tokens, cost and time, its escalations and
 * artefacts, the branch and diff stat), and what a run that halted asks of the person next.
 */
import { type ShownRun, shownRun } from "../workflows/run-owner.js";
import type { RunDetail } from "../workflows/runs-service.js";
import { stepLine } from "./run-progress.js";

/** A run's detail as shown: its run as `shownRun` makes it. */
export type ShownRunDetail = Omit<RunDetail, "run"> & { run: ShownRun };

const time = (epochMs: number) => new Date(epochMs).toISOString().replace("T", " ").slice(0, 19);

export function formatRunList(runs: readonly ShownRun[]): string {
  if (runs.length === 0)
    return 'No workflow runs yet: switchyard run feature --story "…" --repo . starts one.\n';
  const header = ["id", "workflow", "status", "step", "cost $", "tiers", "started"];
  // A run whose process died mid-step reads "stopped", not "running": nothing runs it now.
  const rows = runs
    .map(shownRun)
    .map((run) => [
      run.id,
      run.workflow,
      run.status,
      run.currentStep ?? "-",
      run.costUsd.toFixed(4),
      run.tiers.join(",") || "-",
      time(run.createdAt),
    ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

export function formatRunDetail(detail: ShownRunDetail): string {
  const { steps, artefacts } = detail;
  // Shown once: a stopped run's status and reason both come from whether its process is alive.
  const run = shownRun(detail.run);
  const lines = [
    `Run ${run.id}: ${run.workflow}, ${run.status}${run.reason ? ` — ${run.reason}` : ""}`,
    `  started ${time(run.createdAt)}, updated ${time(run.updatedAt)}${run.finishedAt ? `, finished ${time(run.finishedAt)}` : ""}`,
    `  cost $${run.costUsd.toFixed(4)}, ${(run.inputTokens + run.outputTokens).toLocaleString("en-US")} tokens, tiers ${run.tiers.join(", ") || "none"}, ${run.escalations} escalation${run.escalations === 1 ? "" : "s"}`,
  ];
  if (run.repo) lines.push(`  repository ${run.repo}`);
  if (run.branch) lines.push(`  branch ${run.branch}${run.worktree ? ` (worktree ${run.worktree})` : ""}`);
  const outcome = run.outcome ?? {};
  if (typeof outcome.commit === "string")
    lines.push(`  commit ${outcome.commit}: ${String(outcome.message ?? "")}`);
  if (typeof outcome.diffStat === "string" && outcome.diffStat)
    lines.push("  diff stat:", ...outcome.diffStat.split("\n").map((line) => `    ${line}`));
  lines.push("", "Steps:");
  if (steps.length === 0) lines.push("  (none yet)");
  for (const step of steps) {
    lines.push(`  ${stepLine(step)}`);
    if (step.requestId) lines.push(`      ledger: ${step.requestId} (and rows with it as parent)`);
  }
  if (run.gate) lines.push("", ...gateLines(run));
  if (artefacts.length > 0) {
    lines.push("", "Artefacts (switchyard runs show <run> --artefact <id>):");
    for (const artefact of artefacts)
      lines.push(
        `  ${artefact.id}  ${artefact.kind.padEnd(16)} ${artefact.name}${artefact.path ? ` → ${artefact.path}` : ""}  (${artefact.bytes} bytes)`,
      );
  }
  return `${lines.join("\n")}\n`;
}

function gateLines(run: ShownRun): string[] {
  const gate = run.gate!;
  return [
    `Waiting at ${gate.step}: ${gate.question}`,
    ...gate.findings.map((finding) => `  - ${finding}`),
    `  switchyard approve ${run.id}`,
    `  switchyard reject ${run.id} --reason "…"`,
    ...(gate.editable
      ? [
          `  switchyard approve ${run.id} --edit <file>   (start from: switchyard runs show ${run.id} --artefact ${gate.editable})`,
        ]
      : []),
  ];
}

/** What the person sees when a run stops: its outcome, or what to do next. */
export function haltSummary(run: ShownRun, report?: string): string {
  const lines: string[] = [];
  switch (run.status) {
    case "paused":
      lines.push(...(run.gate ? gateLines(run) : [`Paused: ${run.reason}`]));
      break;
    case "done": {
      lines.push(`Done: run ${run.id}, $${run.costUsd.toFixed(4)}, tiers ${run.tiers.join(", ") || "none"}`);
      const outcome = run.outcome ?? {};
      // A review's branch holds no commit of the run's own: only the feature workflow commits.
      if (run.branch)
        lines.push(`  branch ${run.branch}${outcome.commit ? `, commit ${String(outcome.commit)}` : ""}`);
      if (typeof outcome.diffStat === "string" && outcome.diffStat)
        lines.push(...outcome.diffStat.split("\n").map((line) => `  ${line}`));
      if (report) lines.push("", report);
      break;
    }
    case "rejected":
      lines.push(`Rejected: ${run.reason ?? "no reason given"}`);
      break;
    case "failed":
      lines.push(`Failed: ${run.reason}`);
      break;
    case "cancelled":
      lines.push(`Cancelled: ${run.reason ?? ""}`.trimEnd());
      break;
    case "running":
      lines.push(`Still running: ${run.reason ?? `switchyard resume ${run.id} if nothing runs it`}`);
      break;
    case "stopped":
      lines.push(`Stopped: ${run.reason}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The one line on stderr when a command's run ends without finishing (its exit status is 1). */
export function unfinished(run: ShownRun): string {
  if (run.status === "running" || run.status === "stopped")
    return `switchyard: run ${run.id} stopped before it finished; switchyard resume ${run.id} continues it`;
  return `switchyard: run ${run.id} ${run.status}`;
}
