/**
 * The `switchyard` command as a user runs it, from the sources through tsx: a real child process
 * with its own environment, stdin, output and exit code. Asynchronous, so a gateway running in the
 * test's own process can answer it. Variables that would point it at some other Brain are removed.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";

/** A CLI test starts tsx (which compiles the sources) in each process: room for a busy machine. */
export const CLI_TEST_TIMEOUT_MS = 240_000;

const cliDirectory = join(import.meta.dirname, "../../src/cli");
/** tsx's loader by absolute URL, so the CLI can run in any working directory. */
const tsxLoader = import.meta.resolve("tsx");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (closed at once when absent). */
  input?: string;
  cwd?: string;
  /** The entry script in src/cli/ (default main.ts; statusline-main.ts is bin/switchyard.js's fast path). */
  script?: string;
  /** More node options, after tsx's loader (e.g. another `--import`). */
  nodeArgs?: string[];
}

const FOREIGN = [
  "SWITCHYARD_URL",
  "SWITCHYARD_TOKEN",
  "SWITCHYARD_TOKEN_FILE",
  "SWITCHYARD_CONFIG",
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_AUTH_TOKEN",
];

export function runSwitchyard(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of FOREIGN) delete env[name];
  const script = join(cliDirectory, options.script ?? "main.ts");
  const nodeArgs = ["--import", tsxLoader, ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...env, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? "");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A CLI failure as the user should see it: one line on stderr, no stack frames. Returns the line. */
export function expectOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0] ?? "";
}
