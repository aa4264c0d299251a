/**
 * `switchyard calibrate` as text: the recommendations first (what to do), then the evidence per
 * task kind and alias — judged verdicts by kind, and structural-only verdicts, shown but not
 * evidence — then the Opus share against its target.
 */

import { formatUsd } from "../budget/budget-money.js";
import { type CalibrationReport, describeEvidence } from "./calibration-report.js";
import { formatTable } from "./report-table.js";

const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
const usd = (value: number | null) => (value === null ? "-" : formatUsd(value));

export function formatCalibrationReport(report: CalibrationReport): string {
  const from = new Date(report.startMs).toISOString().slice(0, 10);
  const to = new Date(report.endMs).toISOString().slice(0, 10);
  const lines: string[] = [`Calibration ${from} → ${to} (${report.days.toFixed(1)} days of data)`, ""];

  lines.push("Recommendations:");
  for (const recommendation of report.recommendations) {
    const marker = recommendation.change ? "→" : " ";
    lines.push(`  ${marker} ${recommendation.message}`);
  }
  lines.push("");

  if (report.aliases.length === 0) {
    lines.push("No gated answers in this window yet: gates record a verdict on every answer they check.");
  } else {
    lines.push("Judged answers by task and alias:");
    lines.push(
      formatTable(
        [
          "task",
          "alias",
          "tier",
          "judged",
          "pass",
          "95% CI",
          "evidence",
          "structural only",
          "escalated",
          "$/accepted",
          "$ failed",
        ],
        report.aliases.map((stats) => [
          stats.isStart ? `${stats.task} *` : stats.task,
          stats.alias,
          String(stats.tier),
          String(stats.judged),
          stats.judged === 0 ? "-" : percent(stats.passRate.rate),
          stats.judged === 0 ? "-" : `${percent(stats.passRate.low)}–${percent(stats.passRate.high)}`,
          describeEvidence(stats.evidence),
          String(stats.structuralOnly),
          percent(stats.escalationRate),
          usd(stats.costPerAcceptedUsd),
          usd(stats.failedCostUsd),
        ]),
      ),
    );
    lines.push(
      "  * where the task starts now",
      "  evidence: verdicts of an executable gate, a judge gate, or switchyard eval's checkers — all a move rests on;",
      "  structural only: answers only the structural checks passed (not empty, not cut off, valid JSON): not evidence of quality",
    );
  }
  lines.push("");

  if (report.tasks.length > 0) {
    lines.push("Requests by task:");
    lines.push(
      formatTable(
        [
          "task",
          "starts on",
          "requests",
          "accepted",
          "escalations",
          "$/accepted",
          "$ escalation",
          "$ judges",
        ],
        report.tasks.map((task) => [
          task.task,
          task.startAlias,
          String(task.requests),
          String(task.accepted),
          String(task.escalations),
          usd(task.costPerAcceptedUsd),
          usd(task.escalationCostUsd),
          usd(task.judgeCostUsd),
        ]),
      ),
    );
    lines.push("");
  }

  const share = report.opusShare;
  const verdict = share.share > share.target ? "over" : "within";
  lines.push(
    `Opus share: ${percent(share.share)} of ${share.calls} calls (${percent(share.shareOfPaid)} of ${share.paidCalls} paid), ` +
      `${verdict} the ${percent(share.target)} target`,
  );
  return `${lines.join("\n")}\n`;
}
