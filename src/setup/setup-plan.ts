/**
 * What `switchyard setup engine|brain|workstation` produces before anything is written: the files
 * (with their modes), the folders the services need, the steps no file can do — printed plainly,
 * with what to click — and notes about what was found. The plans are pure: everything they depend
 * on (home, platform, paths, a fresh token) comes in, so tests plan into a temporary HOME.
 */
import type { PlannedFile } from "./setup-files.js";

export interface ManualStep {
  title: string;
  /** Commands to run and places to click, one a line. */
  lines: string[];
}

export interface SetupPlan {
  files: PlannedFile[];
  /** Folders to create when missing (launchd does not create a log file's folder). */
  directories: string[];
  manualSteps: ManualStep[];
  /** Things the plan found, e.g. a host ~/.ssh/config already defines and that was left alone. */
  notes: string[];
}

/** The platforms setup knows how to install services on. */
export type SetupPlatform = "darwin" | "linux";

/** A path for a shell command line, single-quoted when it needs to be; `~/` kept readable. */
export function shellPath(path: string, home: string): string {
  const tilde = path === home || path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : undefined;
  if (tilde && /^~[A-Za-z0-9_./-]*$/.test(tilde)) return tilde;
  if (/^[A-Za-z0-9_./-]+$/.test(path)) return path;
  if (tilde) return `~/'${tilde.slice(2).replaceAll("'", `'\\''`)}'`;
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

export function formatManualSteps(steps: readonly ManualStep[]): string {
  if (steps.length === 0) return "";
  const lines = ["Still to do by hand:"];
  steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.title}`);
    for (const line of step.lines) lines.push(line === "" ? "" : `     ${line}`);
  });
  return `${lines.join("\n")}\n`;
}
