/**
 * The doctor's report as a person reads it — one line per check, ✓ ✗ ! or – with what was seen,
 * the fix indented under it — and as JSON for scripts.
 */

import type { DoctorReport } from "./doctor.js";
import type { CheckResult, CheckStatus, DoctorRole } from "./doctor-check.js";

const MARKS: Record<CheckStatus, string> = { ok: "✓", fail: "✗", warn: "!", skip: "–" };

export function formatRole(role: DoctorRole, guessed: boolean, reason: string): string {
  return guessed
    ? `switchyard doctor — checking the ${role} (guessed: ${reason}; choose with --role engine|brain|workstation)`
    : `switchyard doctor — checking the ${role}`;
}

export function formatResult(result: CheckResult): string {
  const lines = [`${MARKS[result.status]} ${result.title}`, `    ${result.detail}`];
  if (result.fix && (result.status === "fail" || result.status === "warn")) {
    const [first, ...rest] = result.fix.split("\n");
    lines.push(`    fix: ${first}`, ...rest.map((line) => `         ${line}`));
  }
  return lines.join("\n");
}

export function formatSummary(report: DoctorReport): string {
  const { ok, warn, fail, skip } = report.counts;
  const parts = [`${ok} passed`, `${warn} warning${warn === 1 ? "" : "s"}`, `${fail} failed`];
  if (skip > 0) parts.push(`${skip} not checked`);
  return parts.join(", ");
}

/** The machine-readable report (`--json`). */
export function doctorJson(report: DoctorReport): object {
  return {
    role: report.role,
    guessed: report.guessed,
    reason: report.reason,
    ok: report.exitCode === 0,
    counts: report.counts,
    checks: report.results.map((result) => ({
      id: result.id,
      title: result.title,
      status: result.status,
      detail: result.detail,
      ...(result.fix ? { fix: result.fix } : {}),
      durationMs: Math.round(result.durationMs),
    })),
  };
}
