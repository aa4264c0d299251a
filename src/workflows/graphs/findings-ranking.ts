/**
 * A bug hunt's findings from every explorer, made into one list deterministically: findings on the
 * same file that name the same thing (the same title once normalised, or lines within three of
 * each other) are one finding — its highest severity, every module that reported it, each
 * distinct piece of evidence — and the list is ranked by severity, then by how many explorers
 * reported it, then by file and line. The same findings in any order give the same list.
 */
import { type Finding, severities } from "../step-outputs.js";

export interface RankedFinding extends Finding {
  /** The modules whose explorers reported it, sorted. */
  modules: string[];
  /** How many reports were merged into it. */
  reports: number;
}

const NEAR_LINES = 3;

export function rankFindings(
  groups: ReadonlyArray<{ module: string; findings: readonly Finding[] }>,
): RankedFinding[] {
  // Sorting first makes the merge independent of the order the explorers finished in.
  const all = groups
    .flatMap((group) => group.findings.map((finding) => ({ module: group.module, finding: clean(finding) })))
    .sort(
      (left, right) =>
        compareFindings(left.finding, right.finding) || left.module.localeCompare(right.module),
    );
  const merged: RankedFinding[] = [];
  for (const { module, finding } of all) {
    const same = merged.find((candidate) => sameFinding(candidate, finding));
    if (!same) {
      merged.push({ ...finding, modules: [module], reports: 1 });
      continue;
    }
    same.reports++;
    if (!same.modules.includes(module)) {
      same.modules.push(module);
      same.modules.sort();
    }
    if (severityRank(finding.severity) < severityRank(same.severity)) same.severity = finding.severity;
    if (finding.evidence && !same.evidence.includes(finding.evidence))
      same.evidence = same.evidence ? `${same.evidence} / ${finding.evidence}` : finding.evidence;
    if (!same.suggestion) same.suggestion = finding.suggestion;
  }
  return merged.sort(
    (left, right) =>
      severityRank(left.severity) - severityRank(right.severity) ||
      right.reports - left.reports ||
      compareFindings(left, right),
  );
}

function clean(finding: Finding): Finding {
  return { ...finding, file: finding.file.replace(/^\.\//, "").trim(), title: finding.title.trim() };
}

function sameFinding(left: Finding, right: Finding): boolean {
  if (left.file !== right.file) return false;
  if (normalisedTitle(left.title) === normalisedTitle(right.title)) return true;
  return left.line > 0 && right.line > 0 && Math.abs(left.line - right.line) <= NEAR_LINES;
}

function normalisedTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

function severityRank(severity: Finding["severity"]): number {
  return severities.indexOf(severity);
}

function compareFindings(left: Finding, right: Finding): number {
  return (
    left.file.localeCompare(right.file) ||
    left.line - right.line ||
    severityRank(left.severity) - severityRank(right.severity) ||
    left.title.localeCompare(right.title)
  );
}

/** The ranked findings as a Markdown table (the synthesis reads it; `runs show` prints it). */
export function findingsTable(findings: readonly RankedFinding[], limit = 50): string {
  if (findings.length === 0) return "No findings.";
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = findings
    .slice(0, limit)
    .map(
      (finding, index) =>
        `| ${index + 1} | ${finding.severity} | ${cell(finding.file)}${finding.line > 0 ? `:${finding.line}` : ""} | ${cell(finding.title)} | ${finding.reports} | ${cell(finding.evidence)} | ${cell(finding.suggestion)} |`,
    );
  const more = findings.length > limit ? [`\n(${findings.length - limit} more)`] : [];
  return [
    "| # | severity | where | finding | reports | evidence | fix |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    ...more,
  ].join("\n");
}
