/**
 * What the workflow bench runs on: a Switchyard runtime and its workflow runs service over the
 * fake Ollama (Ollama's own scheduler: slots per model, two models resident) and the fake
 * OpenRouter, each answering a workflow's steps by task kind after a per-request latency drawn
 * from the request's text (the same request waits the same time on every side of a comparison),
 * a SQLite ledger and checkpoints in a fresh directory, and a git repository of N modules to hunt
 * in. The built-in MCP servers start from the compiled program (`npm run bench` builds it), or are
 * taken from the runs service's warm spares.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { stringify } from "yaml";
import { parseConfigText } from "../src/config/config-load.js";
import { type SwitchyardRuntime, startRuntime } from "../src/core/switchyard-runtime.js";
import { RunsService } from "../src/workflows/runs-service.js";
import { type FakeOllama, startFakeOllama } from "../test/fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../test/fakes/fake-openrouter.js";

const BENCH_KEY = "sk-or-bench-0123456789abcdef";

export interface BenchBrainOptions {
  /** Each request's latency at the fakes, ms: from `[min, max]`, fixed by the request's text. */
  latencyMs: readonly [number, number];
  /** Slots per model on the fake Engine (and in Switchyard's config). */
  slots: number;
  /** `workflows.reserve_interactive_slots`. */
  reserve: number;
  /** `workflows.warm_spares` (default 1, as a Brain runs). */
  warmSpares?: number;
}

export interface BenchBrain {
  /** The prompts the fake Engine was asked, by task (the step's last message). */
  prompts: Map<string, string[]>;
  runtime: SwitchyardRuntime;
  runs: RunsService;
  ollama: FakeOllama;
  openRouter: FakeOpenRouter;
  close(): Promise<void>;
}

export async function startBenchBrain(options: BenchBrainOptions): Promise<BenchBrain> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-workflow-bench-"));
  const ollama = await startFakeOllama({
    recordRequests: false,
    engine: { slots: options.slots, maxLoadedModels: 2, loadDelayMs: 0 },
  });
  const prompts = new Map<string, string[]>();
  // biome-ignore lint/suspicious/noExplicitAny: the fake hands over the raw request body.
  ollama.setDefault((body: any) => {
    const messages = body.messages ?? [];
    const task = taskOf(messages);
    prompts.set(task, [...(prompts.get(task) ?? []), String(messages.at(-1)?.content ?? "")]);
    return {
      kind: "reply",
      reply: { content: answerFor(messages) },
      delayMs: latencyOf(messages, options.latencyMs),
    };
  });
  const openRouter = await startFakeOpenRouter({ apiKey: BENCH_KEY, recordRequests: false });
  // biome-ignore lint/suspicious/noExplicitAny: the fake hands over the raw request body.
  openRouter.setDefault((body: any) => ({
    kind: "reply",
    reply: { content: answerFor(body.messages ?? []) },
    delayMs: latencyOf(body.messages ?? [], options.latencyMs),
  }));
  const config = parseConfigText(
    stringify({
      backends: {
        engine: {
          base_url: ollama.url,
          slots: options.slots,
          warm: false,
          queue: { max_wait_ms: 600_000, max_depth: 1_000 },
          health: { poll_interval_ms: 0 },
        },
        openrouter: { base_url: openRouter.baseUrl, api_key: BENCH_KEY },
      },
      database: { url: join(directory, "ledger.db") },
      budget: {
        monthly_usd: 1_000_000,
        key_check_interval_minutes: 0,
        catalog: { path: join(directory, "catalog.json"), sync_on_start: false },
      },
      workflows: { reserve_interactive_slots: options.reserve, warm_spares: options.warmSpares ?? 1 },
      logging: { level: "silent" },
    }),
    "workflow bench",
    {},
  );
  const env = { SWITCHYARD_HOME: directory };
  const runtime = await startRuntime(config, { logger: pino({ level: "silent" }), env });
  const runs = await RunsService.open({
    runtime,
    launcher: { command: process.execPath, args: [resolve("bin/switchyard.js")] },
    env,
  });
  return {
    prompts,
    runtime,
    runs,
    ollama,
    openRouter,
    async close() {
      await runs.close();
      await runtime.close();
      await ollama.close();
      await openRouter.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A git repository with `count` modules under src/, each one small file with one slip in it. */
export function moduleRepository(count: number): { path: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), "switchyard-workflow-bench-repo-"));
  const path = join(root, "app");
  mkdirSync(path);
  writeFileSync(join(path, "package.json"), '{ "name": "app", "type": "module" }\n');
  for (let index = 1; index <= count; index++) {
    mkdirSync(join(path, "src", `module-${index}`), { recursive: true });
    writeFileSync(
      join(path, "src", `module-${index}`, "index.js"),
      `export function total${index}(items) {\n  let sum = 0;\n  for (let i = 0; i <= items.length; i++) sum += items[i];\n  return sum;\n}\n`,
    );
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", ...args], {
      cwd: path,
      stdio: "ignore",
    });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-q", "-m", "modules");
  return { path, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The step's task, as the workflow's system prompt names it ("judge" for a judge gate's request). */
function taskOf(messages: ReadonlyArray<{ role: string; content: unknown }>): string {
  const system = String(messages.find((message) => message.role === "system")?.content ?? "");
  if (system.startsWith("You grade another")) return "judge";
  return /task: ([a-z-]+)/.exec(system)?.[1] ?? "unknown";
}

function answerFor(messages: ReadonlyArray<{ role: string; content: unknown }>): string {
  const task = taskOf(messages);
  if (task === "judge") return '{"score": 8, "reasons": ["points at the line"]}';
  if (task === "bug-hunting") {
    const module = /Bug hunting in (\S+):/.exec(String(messages.at(-1)?.content ?? ""))?.[1] ?? "src";
    return JSON.stringify({
      findings: [
        {
          file: `${module}/index.js`,
          line: 3,
          title: "Reads past the end of the list",
          severity: "high",
          evidence: "i <= items.length",
          suggestion: "loop while i < items.length",
        },
      ],
    });
  }
  return "## Report\n\nEvery module reads one item past the end of its list: fix the loop bounds first.";
}

function latencyOf(
  messages: ReadonlyArray<{ content: unknown }>,
  [minimum, maximum]: readonly [number, number],
): number {
  const text = messages.map((message) => String(message.content ?? "")).join("\n");
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++)
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return minimum + ((hash >>> 0) % (maximum - minimum + 1));
}
