/**
 * `switchyard env claude` and `switchyard claude`, run as real processes (the CLI from source via
 * tsx): the environment Claude Code gets, arguments passed through untouched, its exit code kept,
 * and the Brain checked first (a real gateway), so a Brain that does not answer, a wrong token or
 * something else at the address is one line instead of a silent wait. A stand-in `claude` script
 * records what it was started with.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeCodeEnvironment, shellExports } from "../../src/cli/claude-command.js";
import { parseConfigText } from "../../src/config/config-load.js";
import { CLI_TEST_TIMEOUT_MS, expectOneLine } from "../helpers/cli-process.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const run = promisify(execFile);
const mainScript = join(import.meta.dirname, "../../src/cli/main.ts");
/** tsx's loader by absolute URL: the CLI runs in a temp directory, where `tsx` would not resolve. */
const tsxLoader = import.meta.resolve("tsx");
let directory: string;
let configPath: string;
let brain: Harness;
let fakeClaude: string;
let record: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
  configPath = join(directory, "switchyard.yaml");
  writeFileSync(
    configPath,
    'server:\n  host: 0.0.0.0\n  port: 9911\n  auth_tokens: ["brain-token", "second"]\n',
  );
  brain = await startHarness({ authTokens: ["brain-token", "second"] });
  record = join(directory, "claude-call.json");
  fakeClaude = join(directory, "fake-claude");
  writeFileSync(
    fakeClaude,
    `#!/usr/bin/env node\nrequire("node:fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), env: process.env }));\nprocess.exit(3);\n`,
  );
  chmodSync(fakeClaude, 0o755);
});
afterAll(async () => {
  await brain.close();
  rmSync(directory, { recursive: true, force: true });
});

async function switchyard(args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = { ...process.env };
  for (const name of ["SWITCHYARD_URL", "SWITCHYARD_TOKEN", "SWITCHYARD_CONFIG", "CLAUDE_CODE_BIN"]) {
    delete clean[name];
  }
  return run(process.execPath, ["--import", tsxLoader, mainScript, ...args], {
    cwd: directory,
    env: { ...clean, SWITCHYARD_HOME: directory, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("the environment for Claude Code", () => {
  const config = parseConfigText('server: { host: "::1", port: 8787 }', "test", {});

  it("points at the Brain without /v1, with the first token, and no real Anthropic key", () => {
    const environment = claudeCodeEnvironment(config, {});
    expect(environment).toMatchObject({
      ANTHROPIC_BASE_URL: "http://[::1]:8787",
      ANTHROPIC_AUTH_TOKEN: "switchyard",
      ANTHROPIC_API_KEY: "",
      ANTHROPIC_DEFAULT_OPUS_MODEL: "claude-opus-4-6",
      ANTHROPIC_DEFAULT_SONNET_MODEL: "claude-sonnet-4-5",
      ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-haiku-4-5",
      CLAUDE_CODE_SUBAGENT_MODEL: "claude-sonnet-4-5",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: "200000",
    });
    expect(
      claudeCodeEnvironment(config, { SWITCHYARD_URL: "http://brain.lan:8787/v1/", SWITCHYARD_TOKEN: "t" }),
    ).toMatchObject({ ANTHROPIC_BASE_URL: "http://brain.lan:8787", ANTHROPIC_AUTH_TOKEN: "t" });
    expect(
      claudeCodeEnvironment(config, { SWITCHYARD_URL: "http://a:1" }, "http://b:2/v1").ANTHROPIC_BASE_URL,
    ).toBe("http://b:2");
  });

  it("quotes values for the shell", () => {
    expect(shellExports({ A: "it's", B: "" })).toBe("export A='it'\\''s'\nexport B=''");
  });
});

describe("switchyard env claude", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("prints export lines a shell can eval", async () => {
    const { code, stdout } = await switchyard(["env", "claude", "--config", configPath]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toContain("export ANTHROPIC_BASE_URL='http://127.0.0.1:9911'");
    expect(lines).toContain("export ANTHROPIC_AUTH_TOKEN='brain-token'");
    expect(lines).toContain("export ANTHROPIC_API_KEY=''");
    expect(lines.every((line) => /^export [A-Z_]+='[^']*'$/.test(line))).toBe(true);
    const { stdout: evaluated } = await run("sh", ["-c", `${stdout}\nprintf '%s' "$ANTHROPIC_BASE_URL"`]);
    expect(evaluated).toBe("http://127.0.0.1:9911");
  });
});

describe("switchyard claude", { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it("starts Claude Code with the environment, passes every argument through and keeps its exit code", async () => {
    const { code } = await switchyard(
      [
        "claude",
        "--config",
        configPath,
        "--url",
        brain.url,
        "-p",
        "explain this repo",
        "-c",
        "--model",
        "sonnet",
      ],
      { CLAUDE_CODE_BIN: fakeClaude, ANTHROPIC_API_KEY: "sk-ant-real" },
    );
    expect(code).toBe(3);
    const call = JSON.parse(readFileSync(record, "utf8")) as { args: string[]; env: Record<string, string> };
    expect(call.args).toEqual(["-p", "explain this repo", "-c", "--model", "sonnet"]);
    expect(call.env).toMatchObject({
      ANTHROPIC_BASE_URL: brain.url,
      ANTHROPIC_AUTH_TOKEN: "brain-token",
      ANTHROPIC_API_KEY: "",
    });
  });

  it("--help and --version go to Claude Code without asking the Brain", async () => {
    rmSync(record, { force: true });
    const { code } = await switchyard(["--config", configPath, "claude", "--help"], {
      CLAUDE_CODE_BIN: fakeClaude,
    });
    expect(code).toBe(3);
    expect(JSON.parse(readFileSync(record, "utf8"))).toMatchObject({ args: ["--help"] });
  });

  it("checks the Brain first, and says in one line what is wrong", async () => {
    const stranger: Server = createServer((_request, response) => {
      response.writeHead(404).end("not here");
    });
    await new Promise<void>((resolve) => stranger.listen(0, "127.0.0.1", resolve));
    const strangerUrl = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`;
    rmSync(record, { force: true });
    try {
      const env = { CLAUDE_CODE_BIN: fakeClaude };
      const [unreachable, wrongToken, notSwitchyard] = await Promise.all([
        switchyard(["claude", "--config", configPath, "--url", "http://127.0.0.1:9", "-p", "hi"], env),
        switchyard(["claude", "--config", configPath, "--url", brain.url, "-p", "hi"], {
          ...env,
          SWITCHYARD_TOKEN: "stale-token",
        }),
        switchyard(["claude", "--config", configPath, "--url", strangerUrl, "-p", "hi"], env),
      ]);
      expect(unreachable.code).toBe(1);
      expect(expectOneLine(unreachable.stderr)).toBe(
        "switchyard: the Brain at http://127.0.0.1:9 is not answering (connection refused); is switchyard serve running there? (the URL comes from --url)",
      );
      expect(wrongToken.code).toBe(1);
      expect(expectOneLine(wrongToken.stderr)).toBe(
        `switchyard: the Brain at ${brain.url} refused the token (Invalid API token: it matches none of server.auth_tokens); the token comes from SWITCHYARD_TOKEN; set SWITCHYARD_TOKEN to the Brain's token, or run switchyard setup workstation --token-file …`,
      );
      expect(notSwitchyard.code).toBe(1);
      expect(expectOneLine(notSwitchyard.stderr)).toBe(
        `switchyard: ${strangerUrl} is not a Switchyard Brain (GET /healthz answered 404); check the URL, which comes from --url`,
      );
      // Claude Code was never started.
      expect(existsSync(record)).toBe(false);
    } finally {
      await new Promise((resolve) => stranger.close(resolve));
    }
  });

  it("says how to install Claude Code when it is not found", async () => {
    const { code, stderr } = await switchyard(["claude", "-p", "hi"], { PATH: directory });
    expect(code).toBe(127);
    expect(stderr).toContain("npm install -g @anthropic-ai/claude-code");
  });

  it("still accepts --config after other subcommands", async () => {
    const { code, stdout } = await switchyard(["config", "check", "--config", configPath]);
    expect(code).toBe(0);
    expect(stdout).toContain("OK");
  });
});
