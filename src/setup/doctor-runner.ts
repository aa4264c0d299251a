/**
 * Runs a role's checks in order, each under its own time limit: when the limit passes, the check's
 * signal is aborted and it is reported as a fail with the limit named, whatever it was doing. A
 * check whose prerequisites did not pass is skipped rather than run against a host already known
 * to be down. Exit code: 0 when nothing failed (warnings allowed), 1 otherwise.
 */
import {
  type CheckOutcome,
  type CheckResult,
  type CheckStatus,
  type DoctorCheck,
  type DoctorTimer,
  failed,
  realTimer,
  seconds,
} from "./doctor-check.js";

export interface RunChecksOptions {
  timer?: DoctorTimer;
  /** Called as each result is known, so a terminal can print while the rest run. */
  onResult?: (result: CheckResult) => void;
}

export async function runChecks(
  checks: readonly DoctorCheck[],
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  const timer = options.timer ?? realTimer;
  const results: CheckResult[] = [];
  for (const check of checks) {
    const result = await runOne(check, results, timer);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

async function runOne(check: DoctorCheck, earlier: CheckResult[], timer: DoctorTimer): Promise<CheckResult> {
  const started = performance.now();
  const blocking = (check.requires ?? [])
    .map((id) => earlier.find((result) => result.id === id))
    .filter((result) => result === undefined || result.status === "fail" || result.status === "skip");
  if (blocking.length > 0) {
    const names = blocking.map((result) => (result ? `"${result.title}"` : "an earlier check")).join(", ");
    return {
      id: check.id,
      title: check.title,
      status: "skip",
      detail: `not checked: ${names} did not pass`,
      durationMs: 0,
    };
  }
  const controller = new AbortController();
  let cancel = () => {};
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    cancel = timer.start(check.timeoutMs, () => {
      const limit = seconds(check.timeoutMs);
      resolve(check.onTimeout?.(limit) ?? failed(`no answer within its time limit (${limit})`));
      controller.abort(new Error(`${check.title}: time limit of ${limit} passed`));
    });
  });
  const running = check
    .run(controller.signal, timer)
    .catch((error: unknown) =>
      failed(`the check itself failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  try {
    const outcome = await Promise.race([running, timedOut]);
    return { id: check.id, title: check.title, ...outcome, durationMs: performance.now() - started };
  } finally {
    cancel();
    // Whatever the check still has open goes with it.
    if (!controller.signal.aborted) controller.abort(new Error("check finished"));
  }
}

export function countStatuses(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}

/** 0 when nothing failed (warnings and skips allowed), 1 when a check failed. */
export function doctorExitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((result) => result.status === "fail") ? 1 : 0;
}
