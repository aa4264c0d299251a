/**
 * The executable gate: writes the answer's code into a fresh scratch directory (never the repo)
 * and runs the check commands there in order — the task's configured ones, then any the caller
 * named in `x-switchyard-check`, then (with `auto`) each file's own syntax check by language
 * (syntax-checks.ts) — stopping at the first that fails. A failing command's output (cut short) is
 * the feedback the next rung gets. The directory is removed afterwards.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import { extractCodeFiles } from "./code-blocks.js";
import { runCommand } from "./command-runner.js";
import type { GateCheck } from "./quality-gate.js";
import { syntaxChecks } from "./syntax-checks.js";
import type { Toolchains } from "./toolchains.js";

export interface ExecutableGateInput {
  answer: string;
  commands: readonly CheckCommand[];
  /** Also check each file by its language with these toolchains (the default for code tasks). */
  syntax?: { toolchains: Toolchains; timeoutMs: number } | undefined;
  signal?: CancelSignal;
  /** How much of a failing command's output goes into the finding. */
  feedbackChars?: number;
}

export interface CheckCommand {
  command: string;
  timeoutMs: number;
}

const DEFAULT_FEEDBACK_CHARS = 2_000;

/** The gate's findings; `ran` is false when there was nothing it could check. */
export async function runExecutableGate(input: ExecutableGateInput): Promise<GateCheck & { ran: boolean }> {
  const files = extractCodeFiles(input.answer);
  const syntax = input.syntax ? syntaxChecks(files, input.syntax.toolchains) : [];
  // Checks by language judge only the code there is; named commands need code to run on.
  if (input.commands.length === 0 && syntax.length === 0) return { failed: [], ran: false };
  if (files.length === 0) {
    return {
      failed: [
        {
          gate: "executable",
          check: "no-code",
          message: "the answer has no fenced code block to run the checks on; put the code in a ``` block",
        },
      ],
      ran: true,
    };
  }
  const scratch = await mkdtemp(join(tmpdir(), "switchyard-check-"));
  try {
    for (const file of files) {
      const path = join(scratch, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, "utf8");
    }
    const checks: Array<CheckCommand & { name?: string; failure?: (output: string) => string | undefined }> =
      [...input.commands, ...syntax.map((check) => ({ ...check, timeoutMs: input.syntax!.timeoutMs }))];
    for (const { command, name, timeoutMs, failure } of checks) {
      const run = await runCommand(command, {
        cwd: scratch,
        timeoutMs,
        ...(input.signal ? { signal: input.signal } : {}),
      });
      if (run.exitCode === 0 && !run.timedOut) continue;
      const reported = run.timedOut || !failure ? run.output : failure(run.output);
      if (reported === undefined) continue;
      const why = run.timedOut
        ? `did not finish within ${Math.round(timeoutMs / 1000)} s`
        : `failed (exit ${run.exitCode ?? "killed"})`;
      const output = cut(reported.split(scratch).join("."), input.feedbackChars ?? DEFAULT_FEEDBACK_CHARS);
      const shown = name ?? command;
      return {
        failed: [
          {
            gate: "executable",
            check: failure ? "syntax" : "command",
            message: `the check \`${shown}\` ${why} on the answer's code (${files.map((file) => file.path).join(", ")})${output ? `:\n${output}` : ""}`,
            output,
          },
        ],
        ran: true,
      };
    }
    return { failed: [], ran: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function cut(text: string, limit: number): string {
  const trimmed = text.trim();
  return trimmed.length <= limit ? trimmed : `${trimmed.slice(0, limit)}\n… (cut)`;
}
