/**
 * Runs a real command — the target repository's tests, a linter — in a run's worktree, with the
 * same runner the executable gates use: its own process group, a time limit that kills the whole
 * tree, and a minimal environment (PATH, and a HOME in a scratch directory outside the worktree,
 * so nothing the command caches lands in the commit and no secret of the Brain's reaches it).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CommandRun, runCommand } from "../escalation/command-runner.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";

export interface WorktreeCommandResult extends CommandRun {
  passed: boolean;
}

export async function runInWorktree(
  command: string,
  worktreePath: string,
  options: { timeoutMs: number; signal?: CancelSignal },
): Promise<WorktreeCommandResult> {
  const home = await mkdtemp(join(tmpdir(), "switchyard-run-home-"));
  try {
    const run = await runCommand(command, {
      cwd: worktreePath,
      home,
      timeoutMs: options.timeoutMs,
      maxOutputChars: 24_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...run, passed: run.exitCode === 0 && !run.timedOut };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** One line for the step's detail: passed or failed, how, and how long. */
export function commandSummary(result: WorktreeCommandResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.timedOut) return `${result.command}: timed out after ${seconds} s`;
  return `${result.command}: ${result.passed ? "passed" : `failed (exit ${result.exitCode ?? "killed"})`} in ${seconds} s`;
}

/** The command's report as an artefact's text. */
export function commandReport(result: WorktreeCommandResult): string {
  return `$ ${result.command}\n${result.output}\n${commandSummary(result)}\n`;
}
