/**
 * The contract of `switchyard doctor`: a check is a small async function that looks at one item of
 * a machine's setup checklist and answers ok, warn or fail with what it saw and how to fix it. Each
 * runs under its own time limit (the runner aborts its signal and reports a fail), so an
 * unreachable host is a ✗ with a reason, never a hang. Timers come in through `DoctorTimer` so
 * tests decide when a limit passes instead of waiting for it.
 */

export type DoctorRole = "engine" | "brain" | "workstation";

export const DOCTOR_ROLES: readonly DoctorRole[] = ["engine", "brain", "workstation"];

/** ok ✓, warn ! (works, but worth fixing), fail ✗ (broken), skip – (not checked: a check it needs failed). */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** What a check found. */
export interface CheckOutcome {
  status: Exclude<CheckStatus, "skip">;
  /** What was seen, in a sentence: the figures, the address, the reason. */
  detail: string;
  /** What to do about a warn or fail: a command or a config key. */
  fix?: string;
}

export interface CheckResult extends Omit<CheckOutcome, "status"> {
  id: string;
  title: string;
  status: CheckStatus;
  durationMs: number;
}

export interface DoctorCheck {
  /** Stable id, e.g. "engine-reachable:engine"; `requires` names these. */
  id: string;
  title: string;
  /** How long the check may take before it is a fail. */
  timeoutMs: number;
  /** Checks that must have passed (ok or warn) for this one to mean anything. */
  requires?: string[];
  /** Must stop its I/O when `signal` aborts; the runner reports the timeout either way. */
  run(signal: AbortSignal, timer: DoctorTimer): Promise<CheckOutcome>;
  /** What a timeout means for this check (e.g. "wrong address, or a firewall"); a plain fail otherwise. */
  onTimeout?: (limit: string) => CheckOutcome;
}

/** Schedules a callback; returns a function that cancels it. */
export interface DoctorTimer {
  start(milliseconds: number, onTimeout: () => void): () => void;
}

/** Real time; the handle is unref'd so a pending limit never keeps the process alive. */
export const realTimer: DoctorTimer = {
  start(milliseconds, onTimeout) {
    const handle = setTimeout(onTimeout, milliseconds);
    handle.unref();
    return () => clearTimeout(handle);
  },
};

/** A check that could not get its answer: the one shape every network failure takes. */
export function failed(detail: string, fix?: string): CheckOutcome {
  return fix === undefined ? { status: "fail", detail } : { status: "fail", detail, fix };
}

export function warned(detail: string, fix?: string): CheckOutcome {
  return fix === undefined ? { status: "warn", detail } : { status: "warn", detail, fix };
}

export function passed(detail: string): CheckOutcome {
  return { status: "ok", detail };
}

/** "5 s", "0.5 s": how a time limit is named in a detail. */
export function seconds(milliseconds: number): string {
  const value = milliseconds / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}
