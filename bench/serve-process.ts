/**
 * A real `switchyard serve` in its own process for the benchmarks, started the way a user starts
 * it: a config file (the defaults plus the fakes' addresses and a scratch data directory), default
 * logging (info: one line per request) written to a log file as under launchd or systemd. Also
 * reads a process's CPU time and resident memory, so a benchmark can report the gateway's own
 * figures rather than the load generator's.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocket } from "undici";
import { stringify } from "yaml";
import { BENCH_API_KEY } from "./bench-server.js";

export interface ServeProcess {
  url: string;
  pid: number;
  /** Where its log lines go (stdout and stderr); removed with its data directory by `stop`. */
  logPath: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /**
   * A full garbage collection in the process now, through its inspector (started with
   * `inspector: true`): what it holds live, rather than what V8 has not collected yet.
   */
  collectGarbage(): Promise<void>;
}

export interface ServeOptions {
  openRouterBaseUrl: string;
  ollamaUrl: string;
  /** Merged over the bench's config (which is merged over the built-in defaults by `serve`). */
  config?: Record<string, unknown>;
  /** Extra node flags, e.g. `--cpu-prof`; BENCH_SERVE_NODE_ARGS adds more (space-separated). */
  nodeArgs?: string[];
  /** How long to wait for it to listen, ms. */
  startTimeoutMs?: number;
  /** Opens the inspector on a loopback port, for `collectGarbage` (nothing else uses it). */
  inspector?: boolean;
}

export async function startServe(options: ServeOptions): Promise<ServeProcess> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-serve-"));
  const config = merged(
    {
      server: { host: "127.0.0.1", port: 0 },
      backends: {
        engine: { base_url: options.ollamaUrl },
        openrouter: { base_url: options.openRouterBaseUrl, api_key: BENCH_API_KEY },
      },
      database: { url: join(directory, "ledger.db") },
      budget: { catalog: { path: join(directory, "model-catalog.json") } },
    },
    options.config ?? {},
  );
  const configPath = join(directory, "switchyard.yaml");
  writeFileSync(configPath, stringify(config));
  const logPath = join(directory, "serve.log");
  const log = openSync(logPath, "w");
  const { script, nodeArgs } = cliEntry();
  const extra = (process.env.BENCH_SERVE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...(options.inspector ? ["--inspect=127.0.0.1:0"] : []),
      ...(options.nodeArgs ?? []),
      ...extra,
      script,
      "serve",
      "--config",
      configPath,
    ],
    {
      cwd: directory,
      stdio: ["ignore", log, log],
      env: { ...process.env, SWITCHYARD_HOME: directory },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    const text = readFileSync(logPath, "utf8");
    const listening = /listening on (http:\/\/[^\s"]+)/.exec(text);
    if (listening?.[1]) {
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(text)?.[1];
      const collectGarbage = () => inspectorCall(inspector, "HeapProfiler.collectGarbage");
      return { url: listening[1], pid: child.pid!, logPath, child, stop, collectGarbage };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(0);
      throw new Error(`switchyard serve did not start; the end of its log:\n${text.slice(-2_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One Chrome DevTools Protocol call to a process's inspector, answered. */
async function inspectorCall(url: string | undefined, method: string): Promise<void> {
  if (!url) throw new Error("switchyard serve was started without its inspector (inspector: true)");
  const socket = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const answered = new Promise((resolve) => {
      socket.onmessage = resolve;
    });
    socket.send(JSON.stringify({ id: 1, method }));
    await answered;
  } finally {
    socket.close();
  }
}

/** `over` merged into `base`, section by section. */
function merged(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = result[key];
    const bothSections = [below, value].every(
      (each) => typeof each === "object" && each !== null && !Array.isArray(each),
    );
    result[key] = bothSections
      ? merged(below as Record<string, unknown>, value as Record<string, unknown>)
      : value;
  }
  return result;
}

/**
 * The CLI as built (`dist/src/cli/main.js`, what bin/switchyard.js runs) when the bench runs from
 * dist; the TypeScript source under the bench's own loader (tsx) when it runs from source.
 */
function cliEntry(): { script: string; nodeArgs: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    return { script: join(here, "..", "..", "src", "cli", "main.ts"), nodeArgs: process.execArgv };
  }
  return { script: join(here, "..", "..", "src", "cli", "main.js"), nodeArgs: [] };
}

/** CPU time (user + system) a process has used so far, ms; NaN where it cannot be read. */
export function processCpuMs(pid: number): number {
  const stat = `/proc/${pid}/stat`;
  if (existsSync(stat)) {
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = readFileSync(stat, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicksPerSecond();
  }
  try {
    // macOS and others: ps prints cputime as [[dd-]hh:]mm:ss.cc.
    const text = execFileSync("ps", ["-o", "time=", "-p", String(pid)], { encoding: "utf8" }).trim();
    return (
      text
        .split(/[-:]/)
        .map(Number)
        .reduce((total, part, index, parts) => {
          const scale = [1, 60, 3_600, 86_400][parts.length - 1 - index] ?? 0;
          return total + part * scale;
        }, 0) * 1000
    );
  } catch {
    return Number.NaN;
  }
}

/** A process's resident memory now, bytes; NaN where it cannot be read. */
export function processRssBytes(pid: number): number {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, "utf8"));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  }
  try {
    const text = execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim();
    return Number(text) * 1024;
  } catch {
    return Number.NaN;
  }
}

let ticksPerSecond: number | undefined;
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
