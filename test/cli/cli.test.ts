/**
 * The `switchyard` command as a user runs it: a real child process, its output and exit code.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { CLI_TEST_TIMEOUT_MS } from "../helpers/cli-process.js";
import { sampleRecord } from "../store/ledger-suite.js";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "switchyard-cli-"));

async function switchyard(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, SWITCHYARD_HOME: directory, OPENROUTER_API_KEY: "sk-or-cli-secret", ...env },
      timeout: CLI_TEST_TIMEOUT_MS,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("switchyard config", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("check accepts a good file and names every problem in a bad one", async () => {
    const good = join(directory, "good.yaml");
    writeFileSync(good, "aliases:\n  local-coder:\n    model: qwen3-coder:30b\n");
    const ok = await switchyard(["config", "check", good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("OK (2 back ends, 4 aliases, 15 task kinds)");

    const bad = join(directory, "bad.yaml");
    writeFileSync(
      bad,
      "server:\n  port: nine\naliases:\n  cloud-opus:\n    tier: 4\ntasks:\n  lint: { alias: nope }\nbudget:\n  time_zone: Mars/Olympus\n",
    );
    const failed = await switchyard(["config", "check", bad]);
    expect(failed.code).toBe(2);
    expect(failed.stderr.trimEnd().split("\n")).toEqual([
      `Invalid configuration (${bad}):`,
      '  - server.port must be a port number between 1 and 65535; got "nine"',
      "  - aliases.cloud-opus.tier must be 1, 2 or 3; got 4",
      '  - tasks.lint.alias names no configured alias; use one of: local-coder, local-reasoner, cloud-sonnet, cloud-opus; got "nope"',
      '  - budget.time_zone must be an IANA time zone such as UTC, Europe/Berlin or America/New_York; got "Mars/Olympus"',
    ]);
  });

  it("print shows the effective config with secrets redacted, webhook URLs to their host", async () => {
    const withWebhook = join(directory, "webhook.yaml");
    writeFileSync(
      withWebhook,
      "budget:\n  alerts:\n    webhooks:\n      - { url: 'https://hooks.slack.com/services/T0001/B0001/XyZsecret', format: slack }\n",
    );
    const printed = await switchyard(["config", "print", "--config", withWebhook]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain("anthropic/claude-opus-4.6");
    expect(printed.stdout).toContain("[redacted]");
    expect(printed.stdout).not.toContain("sk-or-cli-secret");
    expect(printed.stdout).toContain("url: https://hooks.slack.com/[redacted]");
    expect(printed.stdout).not.toContain("XyZsecret");
  });
});

describe("switchyard serve", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("does not start on a bad config, and says why", async () => {
    const bad = join(directory, "serve-bad.yaml");
    writeFileSync(bad, "tasks:\n  code-generation: { alias: gpt-5 }\n");
    const result = await switchyard(["--config", bad, "serve"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("tasks.code-generation.alias names no configured alias");
  });

  it("refuses a LAN address without a token", async () => {
    const result = await switchyard(["serve", "--host", "0.0.0.0", "--port", "0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Refusing to listen on 0.0.0.0 without an auth token");
  });
});

describe("switchyard route", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("--json prints task, tier, alias, model, confidence, runner-up and signals", async () => {
    const result = await switchyard([
      "route",
      "--json",
      "Resolve this merge conflict:\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> main",
    ]);
    expect(result.code).toBe(0);
    const decision = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(decision).toMatchObject({
      task: "conflict-resolution",
      tier: 3,
      alias: "cloud-opus",
      model: "anthropic/claude-opus-4.6",
      selector: "classifier",
    });
    expect(decision.confidence).toBeGreaterThan(0.5);
    expect(decision.confidence).toBeLessThanOrEqual(1);
    expect(typeof decision.runnerUp).toBe("string");
    expect(decision.runnerUp).not.toBe("conflict-resolution");
    expect(Array.isArray(decision.signals) && decision.signals.length).toBeGreaterThan(0);
  });

  it("explains the decision in words", async () => {
    const result = await switchyard([
      "route",
      "write",
      "a",
      "commit",
      "message",
      "for",
      "the",
      "staged",
      "changes",
    ]);
    expect(result.stdout).toContain("task:    commit-message");
    expect(result.stdout).toContain("alias:   local-coder");
    expect(result.stdout).toMatch(/confidence: (0|1)\.\d\d \(runner-up: [a-z-]+\)/);
    expect(result.stdout).toContain("signals:");
  });
});

describe("switchyard log", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("shows the newest ledger rows", async () => {
    const ledger = new SqliteLedger(join(directory, "ledger.db"));
    ledger.record(sampleRecord({ id: "cli-row", task: "lint", costUsd: 0.0123 }));
    await ledger.close();
    const table = await switchyard(["log", "-n", "5"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/lint\s+1\s+local-coder\s+120\/48\s+-\s+0\.0123/);
    const json = await switchyard(["log", "--json"]);
    expect(JSON.parse(json.stdout.split("\n")[0]!)).toMatchObject({ id: "cli-row", task: "lint" });
  });
});
