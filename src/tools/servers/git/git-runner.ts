/**
 * Running the git CLI for the git server: an argument array straight to `execve` (never a shell),
 * hooks and fsmonitor off (a hook is a program a model could have written), no pager, no prompt,
 * no editor, and pathspecs taken literally. Output past the limit is cut (and git stopped); a
 * command past its time limit, or whose caller gave up, is killed.
 */
import { spawn } from "node:child_process";
import { refuse } from "../tool-server-kit.js";

export interface GitCommand {
  /** The working tree to run in. */
  cwd: string;
  args: readonly string[];
  signal: AbortSignal;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface GitOutput {
  stdout: string;
  /** True when the output was longer than the limit and was cut. */
  truncated: boolean;
}

const GLOBAL_ARGUMENTS = [
  "--no-pager",
  "--literal-pathspecs",
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.quotePath=false",
  "-c",
  "color.ui=false",
  "-c",
  "advice.detachedHead=false",
];

export function runGit(command: GitCommand): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    if (command.signal.aborted) {
      reject(refuse("The call was cancelled before git ran"));
      return;
    }
    const child = spawn("git", [...GLOBAL_ARGUMENTS, ...command.args], {
      cwd: command.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: "0",
        GIT_EDITOR: "true",
        GIT_PAGER: "cat",
        GIT_OPTIONAL_LOCKS: "0",
        LC_ALL: "C",
      },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let truncated = false;
    let stoppedBecause: string | undefined;
    const stop = (reason: string) => {
      stoppedBecause ??= reason;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => stop(`took longer than ${command.timeoutMs} ms`), command.timeoutMs);
    const onAbort = () => stop("was cancelled");
    command.signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => {
      if (truncated) return;
      const room = command.maxOutputBytes - stdoutBytes;
      if (chunk.length > room) {
        stdout.push(chunk.subarray(0, room));
        stdoutBytes += room;
        truncated = true;
        child.kill("SIGKILL");
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 64) stderr.push(chunk);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      command.signal.removeEventListener("abort", onAbort);
      reject(refuse(`git could not be run: ${error.message}; is git installed and on PATH?`));
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      command.signal.removeEventListener("abort", onAbort);
      const subcommand = command.args.find((arg) => !arg.startsWith("-")) ?? "";
      if (stoppedBecause) {
        reject(refuse(`git ${subcommand} ${stoppedBecause} and was stopped`));
        return;
      }
      if (code !== 0 && !truncated) {
        const message = Buffer.concat(stderr).toString("utf8").trim() || `exit code ${code}`;
        reject(refuse(`git ${subcommand} failed: ${message}`));
        return;
      }
      resolve({ stdout: Buffer.concat(stdout).toString("utf8"), truncated });
    });
  });
}
