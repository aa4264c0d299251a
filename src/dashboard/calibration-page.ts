/**
 * The Calibration page: pass rates per task and alias with their 95% intervals, what escalation
 * cost, the Opus share, and the moves `switchyard calibrate` would recommend.
 */
import type { CalibrationReport, Recommendation } from "../planning/calibration-report.js";
import { count, DASHBOARD_PREFIX, percent, usd, utcTime } from "./dashboard-layout.js";
import { type Html, html } from "./html-template.js";

const KIND_TEXT: Record<Recommendation["kind"], string> = {
  "move-down": "↓ move down",
  "move-up": "↑ move up",
  keep: "= keep",
  "not-enough-evidence": "? not enough evidence",
};

export function calibrationBody(report: CalibrationReport, days: number): Html {
  const share = report.opusShare;
  return html`<form method="get" action="${DASHBOARD_PREFIX}/calibration" class="inline-form">
<label>Days of ledger <input type="number" name="days" min="1" max="365" value="${days}"></label> <button type="submit">Show</button></form>
<p class="hint">${utcTime(report.startMs)} → ${utcTime(report.endMs)}. Opus share: ${percent(share.share)} of ${count(share.calls)} calls (${percent(share.shareOfPaid)} of paid), target ${percent(share.target)}.</p>
<section aria-labelledby="moves-heading"><h2 id="moves-heading">Recommended moves</h2>
${
  report.recommendations.length === 0
    ? html`<p class="empty">No gated requests in this window.</p>`
    : html`<ul class="recommendations">${report.recommendations.map((entry) => html`<li data-kind="${entry.kind}"><strong>${KIND_TEXT[entry.kind]}</strong> ${entry.task}: ${entry.message}</li>`)}</ul>`
}
<p class="hint">Apply them with <code>switchyard calibrate --apply</code> on the Brain.</p></section>
<section aria-labelledby="rates-heading"><h2 id="rates-heading">Pass rates per task and alias</h2>
<div class="table-wrap"><table class="compact"><thead><tr><th scope="col">Task</th><th scope="col">Alias</th><th scope="col">Judged</th><th scope="col">Pass rate (95% CI)</th><th scope="col">Escalated</th><th scope="col">Cost per accepted</th></tr></thead>
<tbody>${report.aliases.map(
    (stats) =>
      html`<tr><td>${stats.task}</td><td>${stats.alias}${stats.isStart ? " (start)" : ""}</td><td class="number">${count(stats.judged)}</td><td class="number">${stats.judged === 0 ? "–" : `${percent(stats.passRate.rate)} (${percent(stats.passRate.low)}–${percent(stats.passRate.high)})`}</td><td class="number">${percent(stats.escalationRate)}</td><td class="number">${stats.costPerAcceptedUsd === null ? "–" : usd(stats.costPerAcceptedUsd)}</td></tr>`,
  )}</tbody></table></div></section>
<section aria-labelledby="tasks-heading"><h2 id="tasks-heading">Escalation cost per task</h2>
<div class="table-wrap"><table class="compact"><thead><tr><th scope="col">Task</th><th scope="col">Starts on</th><th scope="col">Requests</th><th scope="col">Accepted</th><th scope="col">Escalations</th><th scope="col">Escalation cost</th></tr></thead>
<tbody>${report.tasks.map(
    (task) =>
      html`<tr><td>${task.task}</td><td>${task.startAlias}</td><td class="number">${count(task.requests)}</td><td class="number">${count(task.accepted)}</td><td class="number">${count(task.escalations)}</td><td class="number">${usd(task.escalationCostUsd)}</td></tr>`,
  )}</tbody></table></div></section>`;
}
