/**
 * `switchyard eval` as text: the ladder against the flat paid models first (the answer to "is the
 * ladder worth it"), then each target over all task kinds, then every task kind and target, and
 * what each figure means.
 */
import { formatTable } from "../report-table.js";
import type { EvalCell, EvalReport } from "./eval-report.js";

const percent = (value: number) => `${Math.round(value * 100)}%`;
const interval = (cell: EvalCell) =>
  cell.judged === 0 ? "-" : `${percent(cell.passRate.low)}–${percent(cell.passRate.high)}`;
export const usd = (value: number | null) =>
  value === null ? "-" : value === 0 ? "$0" : `$${value.toFixed(value < 0.1 ? 4 : 2)}`;
const seconds = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(1)} s`);

export function formatEvalReport(report: EvalReport): string {
  const lines: string[] = [
    `Evaluation: ${report.results} results (suite ${report.suiteVersion ?? "-"}; run ${report.runIds.join(", ") || "-"})`,
    "",
  ];
  if (report.results === 0) return `${lines.join("\n")}No results.\n`;

  const comparison = report.comparison;
  if (comparison) {
    const baseline = comparison.lines.find(
      (line) => line.target !== "ladder" && line.cell.costPerAcceptedUsd,
    );
    const tasks = comparison.tasks === 1 ? "the 1 task" : `the ${comparison.tasks} tasks`;
    lines.push(`The ladder against flat models, on ${tasks} each of them answered:`);
    lines.push(
      formatTable(
        [
          "strategy",
          "accepted",
          "95% CI",
          "$ total",
          "$/accepted",
          `vs ${baseline?.label ?? "-"}`,
          "calls/task",
          "tier 1/2/3 calls",
        ],
        comparison.lines.map((line) => [
          line.label,
          `${percent(line.cell.passRate.rate)} (${line.cell.passed}/${line.cell.judged})`,
          interval(line.cell),
          usd(line.cell.costUsd),
          usd(line.cell.costPerAcceptedUsd),
          ratio(line.cell.costPerAcceptedUsd, baseline?.cell.costPerAcceptedUsd ?? null),
          line.callsPerTask.toFixed(2),
          [1, 2, 3].map((tier) => percent(line.tierShare[tier as 1 | 2 | 3])).join(" / "),
        ]),
      ),
    );
    lines.push("");
  }

  lines.push("By target, all task kinds:");
  lines.push(table(report.totals, false));
  lines.push("");
  lines.push("By task kind and target:");
  lines.push(table(report.cells, true));
  lines.push("");
  lines.push(
    "accepted: answers that passed the task's checker (unit tests, rules, or the judge against reference points);",
    "results with no verdict (no answer, no judge score) are counted under 'errors' and left out of the rate.",
    "$/accepted: everything the answers cost (every attempt and the gates' judge calls) ÷ accepted answers —",
    "what an accepted answer costs when failed ones are paid for and asked again: cost at equal acceptance.",
    `The eval's own judge cost ${usd(report.judgeCostUsd)}, not counted above.`,
  );
  return `${lines.join("\n")}\n`;
}

function table(cells: readonly EvalCell[], withKind: boolean): string {
  const header = [
    ...(withKind ? ["task kind"] : []),
    "target",
    "n",
    "pass",
    "95% CI",
    "errors",
    "$/accepted",
    "tokens in/out",
    "p50 latency",
  ];
  return formatTable(
    header,
    cells.map((cell) => [
      ...(withKind ? [cell.taskKind] : []),
      cell.target,
      String(cell.tasks),
      cell.judged === 0 ? "-" : percent(cell.passRate.rate),
      interval(cell),
      String(cell.errors),
      usd(cell.costPerAcceptedUsd),
      `${Math.round(cell.meanInputTokens)}/${Math.round(cell.meanOutputTokens)}`,
      seconds(cell.medianLatencyMs),
    ]),
  );
}

function ratio(value: number | null, baseline: number | null): string {
  if (value === null || baseline === null || baseline === 0) return "-";
  return `${(value / baseline).toFixed(2)}×`;
}
