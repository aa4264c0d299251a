/**
 * `switchyard eval` as a user runs it: a child process against a fake Ollama and a fake OpenRouter
 * on loopback that answer each task with its right or wrong answer (and grading requests with a
 * score), storing its results where `--last` finds them; and bad input — an unknown task kind, a
 * `--max-usd` below the estimate, a missing toolchain — refused with one clear line.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulationPolicy, simulatedReply } from "../../bench/eval-sim-models.js";
import type { ChatRequest } from "../../src/protocol/chat-types.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";
import { TEST_OPENROUTER_KEY } from "../helpers/switchyard-harness.js";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "switchyard-eval-cli-"));
let ollama: FakeOllama;
let openRouter: FakeOpenRouter;
let configPath: string;

const ALIAS_OF_MODEL: Record<string, string> = {
  "qwen2.5-coder:32b": "local-coder",
  "deepseek-r1:32b": "local-reasoner",
  "anthropic/claude-sonnet-4.5": "cloud-sonnet",
  "anthropic/claude-opus-4.6": "cloud-opus",
};

/** Local models answer wrong, cloud models right; judges know which is which. */
const policy: SimulationPolicy = {
  answersRight: (_task, alias) => alias.startsWith("cloud-"),
  judgeScore: (_task, _alias, right) => (right ? 9 : 2),
};

// biome-ignore lint/suspicious/noExplicitAny: both fakes hand over the wire body as parsed JSON.
const reply = (body: any) =>
  simulatedReply(
    { model: body.model, messages: body.messages, stream: false } as ChatRequest,
    ALIAS_OF_MODEL[body.model]!,
    policy,
  );

beforeAll(async () => {
  ollama = await startFakeOllama();
  openRouter = await startFakeOpenRouter({ apiKey: TEST_OPENROUTER_KEY });
  ollama.setDefault((body) => ({ kind: "reply", reply: { content: reply(body) } }));
  openRouter.setDefault((body) => ({ kind: "reply", reply: { content: reply(body) } }));
  configPath = join(directory, "switchyard.yaml");
  writeFileSync(
    configPath,
    [
      "backends:",
      "  engine:",
      `    base_url: ${ollama.url}`,
      "    warm: false",
      "    busy_retry: { attempts: 0 }",
      "    health: { poll_interval_ms: 0, failure_threshold: 1000000 }",
      "  openrouter:",
      `    base_url: ${openRouter.baseUrl}`,
      `    api_key: ${TEST_OPENROUTER_KEY}`,
      "database:",
      `  url: ${join(directory, "ledger.db")}`,
      "budget:",
      "  key_check_interval_minutes: 0",
      `  catalog: { path: ${join(directory, "catalog.json")}, sync_on_start: false }`,
      "logging: { level: silent }",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await Promise.all([ollama?.close(), openRouter?.close()]);
  rmSync(directory, { recursive: true, force: true });
});

async function switchyard(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "--config", configPath, "eval", ...args],
      { env: { ...process.env, SWITCHYARD_HOME: directory, ...env }, timeout: 120_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("switchyard eval", () => {
  it("runs tasks through an alias alone and through the ladder, reports them, and stores them", async () => {
    const result = await switchyard([
      "--task",
      "codegen-js-chunk,gaps-backups",
      "--alias",
      "local-coder",
      "--alias",
      "cloud-sonnet",
      "--ladder",
      "--judge",
      "local-reasoner",
      "--json",
    ]);
    expect(result.stderr).toContain(
      "eval: 2 tasks × 3 targets (local-coder, cloud-sonnet, ladder), judge local-reasoner",
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as {
      runId: string;
      spentUsd: number;
      report: {
        results: number;
        cells: Array<{ taskKind: string; target: string; passed: number; judged: number }>;
        comparison: { tasks: number; lines: Array<{ label: string; cell: { passed: number } }> };
      };
    };
    expect(json.report.results).toBe(6);
    const cell = (kind: string, target: string) =>
      json.report.cells.find((entry) => entry.taskKind === kind && entry.target === target);
    expect(cell("code-generation", "local-coder")).toMatchObject({ passed: 0, judged: 1 });
    expect(cell("code-generation", "cloud-sonnet")).toMatchObject({ passed: 1, judged: 1 });
    // The ladder starts gap-analysis on Sonnet (right); code on local-coder, whose wrong code compiles.
    expect(cell("gap-analysis", "ladder")).toMatchObject({ passed: 1, judged: 1 });
    expect(cell("code-generation", "ladder")).toMatchObject({ passed: 0, judged: 1 });
    expect(json.report.comparison.lines.map((line) => [line.label, line.cell.passed])).toEqual([
      ["ladder", 1],
      ["all cloud-sonnet", 2],
    ]);
    expect(json.spentUsd).toBeGreaterThan(0);

    const last = await switchyard(["--last"]);
    expect(last.code).toBe(0);
    expect(last.stdout).toContain(`run ${json.runId}`);
    expect(last.stdout).toContain("The ladder against flat models, on the 2 tasks each of them answered:");
    expect(last.stdout).toMatch(/all cloud-sonnet\s+100% \(2\/2\)/);
  }, 180_000);

  it("refuses an unknown task kind with one line", async () => {
    const result = await switchyard(["--task", "poetry"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^eval: "poetry" is neither a task kind nor a task id; use one of: code-generation, /,
      ),
    ]);
  }, 60_000);

  it("refuses a run estimated above --max-usd with one line, before sending anything", async () => {
    const before = openRouter.requests.length;
    const result = await switchyard(["--alias", "cloud-opus", "--max-usd", "0.01"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^eval: this run \(93 tasks × 1 target\) is estimated at \$\d+\.\d+, more than --max-usd \$0\.0100: raise --max-usd, or narrow it with --task, --limit or --alias$/,
      ),
    ]);
    expect(openRouter.requests.length).toBe(before);
  }, 60_000);

  it("refuses tasks whose toolchain is missing with one line, unless told to leave them out", async () => {
    const emptyPath = join(directory, "empty-bin");
    mkdirSync(emptyPath, { recursive: true });
    const result = await switchyard(["--task", "codegen-py-roman", "--alias", "local-coder"], {
      PATH: emptyPath,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "eval: 1 task needs python3, which is not on PATH; install it, or pass --skip-missing-toolchains to leave those tasks out",
    ]);
    const skipped = await switchyard(
      ["--task", "codegen-py-roman", "--alias", "local-coder", "--skip-missing-toolchains"],
      { PATH: emptyPath },
    );
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain("left out (--skip-missing-toolchains)");
    expect(skipped.stderr).toContain("eval: no task left to run");
  }, 60_000);

  it("lists the suite", async () => {
    const result = await switchyard(["--list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("codegen-ts-slugify");
    expect(result.stdout).toMatch(/93 tasks, suite \S+/);
  }, 60_000);
});
