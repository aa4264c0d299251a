/**
 * Runs one check command (a type-check, a test run, a linter) in a scratch directory with a time
 * limit. The command runs through the shell in its own process group, so a timeout kills the
 * whole tree (`npx` → `node` → `tsc`), not only the shell. The environment is minimal — PATH and a
 * HOME inside the scratch directory — so no secret of the Brain's reaches the code being checked.
 */
import { spawn } from "node:child_process";
import type { CancelSignal } from "../protocol/cancel-signal.js";

export interface CommandRun {
  command: string;
  /** The exit code, or null when killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** stdout and stderr as they interleaved, cut at `maxOutputChars`. */
  output: string;
  durationMs: number;
}

export interface RunCommandOptions {
  cwd: string;
  timeoutMs: number;
  signal?: CancelSignal;
  maxOutputChars?: number;
  /** HOME (and TMPDIR) for the command; default the working directory, a scratch one. */
  home?: string;
}

const DEFAULT_MAX_OUTPUT = 16_000;

export function minimalEnvironment(scratch: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: scratch,
    TMPDIR: scratch,
    LANG: "C.UTF-8",
    // npx must never prompt for, or fetch, a package it cannot find: a check is not an install.
    npm_config_yes: "false",
    CI: "1",
  };
}

export function runCommand(command: string, options: RunCommandOptions): Promise<CommandRun> {
  const maxOutput = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT;
  const started = performance.now();
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(command, {
      cwd: options.cwd,
      shell: true,
      detached: true,
      env: minimalEnvironment(options.home ?? options.cwd),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const append = (chunk: Buffer) => {
      if (output.length < maxOutput) output += chunk.toString("utf8");
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // A grandchild may still hold the group open after the shell exits.
      if (exitCode === null || timedOut) killGroup();
      resolve({
        command,
        exitCode,
        timedOut,
        output: output.length > maxOutput ? `${output.slice(0, maxOutput)}\n… (output cut)` : output,
        durationMs: performance.now() - started,
      });
    };
    child.on("error", (error) => {
      output += `${error.message}\n`;
      finish(null);
    });
    child.on("close", (code) => finish(code));
  });
}
