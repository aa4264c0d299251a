/**
 * The executable gate: writes the answer's code into a fresh scratch directory (never the repo)
 * and runs the check commands there in order — the task's configured ones, then any the caller
 * named in `x-switchyard-check` — stopping at the first that fails. A failing command's output
 * (cut short) is the feedback the next rung gets. The directory is removed afterwards.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import { extractCodeFiles } from "./code-blocks.js";
import { runCommand } from "./command-runner.js";
import type { GateCheck } from "./quality-gate.js";

export interface ExecutableGateInput {
  answer: string;
  commands: readonly CheckCommand[];
  signal?: CancelSignal;
  /** How much of a failing command's output goes into the finding. */
  feedbackChars?: number;
}

export interface CheckCommand {
  command: string;
  timeoutMs: number;
}

const DEFAULT_FEEDBACK_CHARS = 2_000;

export async function runExecutableGate(input: ExecutableGateInput): Promise<GateCheck> {
  const files = extractCodeFiles(input.answer);
  if (files.length === 0) {
    return {
      failed: [
        {
          gate: "executable",
          check: "no-code",
          message: "the answer has no fenced code block to run the checks on; put the code in a ``` block",
        },
      ],
    };
  }
  const scratch = await mkdtemp(join(tmpdir(), "switchyard-check-"));
  try {
    for (const file of files) {
      const path = join(scratch, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, "utf8");
    }
    for (const { command, timeoutMs } of input.commands) {
      const run = await runCommand(command, {
        cwd: scratch,
        timeoutMs,
        ...(input.signal ? { signal: input.signal } : {}),
      });
      if (run.exitCode === 0 && !run.timedOut) continue;
      const why = run.timedOut
        ? `did not finish within ${Math.round(timeoutMs / 1000)} s`
        : `failed (exit ${run.exitCode ?? "killed"})`;
      const output = cut(run.output.split(scratch).join("."), input.feedbackChars ?? DEFAULT_FEEDBACK_CHARS);
      return {
        failed: [
          {
            gate: "executable",
            check: "command",
            message: `the check \`${command}\` ${why} on the answer's code (${files.map((file) => file.path).join(", ")})${output ? `:\n${output}` : ""}`,
            output,
          },
        ],
      };
    }
    return { failed: [] };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function cut(text: string, limit: number): string {
  const trimmed = text.trim();
  return trimmed.length <= limit ? trimmed : `${trimmed.slice(0, limit)}\n… (cut)`;
}
