/**
 * `switchyard doctor` and `switchyard engine profile` as a user runs them: a real child process.
 * Every address in these configs is on loopback (closed ports or a silent server), so nothing
 * reaches the network; the doctor's real time limit is set short with --timeout.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/** Each test starts one or two CLI processes; on a busy 2-core machine tsx alone can take 10 s. */
const CLI_TEST_TIMEOUT_MS = 90_000;

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "switchyard-doctor-cli-"));
const home = join(directory, "home");
mkdirSync(home);

async function switchyard(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, SWITCHYARD_HOME: directory, ...env },
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

function configFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe("switchyard doctor", () => {
  it(
    "refuses an unknown role with exit code 2",
    async () => {
      const result = await switchyard(["doctor", "--role", "laptop"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--role must be one of engine, brain, workstation; got "laptop"');
      const unknown = await switchyard(["doctor", "--verbose"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("unknown option '--verbose'");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "guesses the Brain from a config with a server section and prints JSON; a failed check exits 1",
    async () => {
      const path = configFile(
        "brain.yaml",
        [
          "server: { host: 127.0.0.1, port: 9 }",
          "backends:",
          "  engine: { base_url: http://127.0.0.1:9 }",
          '  openrouter: { base_url: http://127.0.0.1:9/api/v1, api_key: "" }',
        ].join("\n"),
      );
      const result = await switchyard(["--config", path, "doctor", "--json", "--timeout", "2"]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        role: string;
        guessed: boolean;
        reason: string;
        ok: boolean;
        checks: Array<{ id: string; status: string; detail: string }>;
      };
      expect(report).toMatchObject({ role: "brain", guessed: true, ok: false });
      expect(report.reason).toBe(`${path} sets server: this machine runs switchyard serve`);
      const byId = Object.fromEntries(report.checks.map((check) => [check.id, check]));
      expect(byId["engine-reachable:engine"]?.status).toBe("fail");
      expect(byId["openrouter-key"]).toMatchObject({
        status: "fail",
        detail: "backends.openrouter.api_key is empty",
      });
      expect(byId["profile:engine"]?.status).toBe("ok");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "on the Workstation, a Brain that never answers is a ✗ after --timeout, not a hang",
    async () => {
      const sockets: Socket[] = [];
      const silent = createServer((socket) => void sockets.push(socket.resume()));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      try {
        const result = await switchyard([
          "doctor",
          "--role",
          "workstation",
          "--url",
          url,
          "--timeout",
          "0.3",
        ]);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain("switchyard doctor — checking the workstation\n");
        expect(result.stdout).toContain(
          `✗ Brain reachable at ${url}\n    ${url} did not answer within 0.3 s`,
        );
        expect(result.stdout).toContain("– The Brain takes the token");
        expect(result.stdout).toContain("✗ SSH aliases for the Brain and the Engine (~/.ssh/config)");
        expect(result.stdout).toMatch(/0 passed, 0 warnings, 2 failed, 1 not checked\n$/);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("switchyard engine profile", () => {
  it(
    "prints what 96 GB allows as JSON, with the service environment",
    async () => {
      const result = await switchyard(["engine", "profile", "--memory-gb", "96", "--json"]);
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as {
        profile: { slots: number; raisesGpuLimit: boolean };
        serviceEnvironment: Record<string, string>;
        config: Record<string, unknown>;
      };
      expect(output.profile).toMatchObject({ slots: 4, raisesGpuLimit: false });
      expect(output.serviceEnvironment.OLLAMA_NUM_PARALLEL).toBe("4");
      expect(output.config).toMatchObject({
        "backends.engine.slots": 4,
        "backends.engine.memory_gb": 96,
        "aliases.local-reasoner.context_window": 16_384,
      });
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "--write shows the diff and writes the profile into the config, comments kept; without a terminal it needs --yes",
    async () => {
      const original = [
        "# The Brain's config",
        "backends:",
        "  engine:",
        "    base_url: http://engine.local:11434  # static IP",
        "    slots: 4",
        "",
      ].join("\n");
      const path = configFile("write.yaml", original);
      const refused = await switchyard(["--config", path, "engine", "profile", "--write"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("--write asks before writing; run it in a terminal, or add --yes");
      expect(readFileSync(path, "utf8")).toBe(original);

      const written = await switchyard(["--config", path, "engine", "profile", "--write", "--yes"]);
      expect(written.code).toBe(0);
      expect(written.stdout).toContain("-    slots: 4\n+    slots: 2");
      expect(written.stdout).toContain(`Wrote ${path}.`);
      const after = readFileSync(path, "utf8");
      expect(after).toContain("# The Brain's config");
      expect(after).toContain("    base_url: http://engine.local:11434  # static IP\n    slots: 2\n");
      expect(after).toContain("    gpu_memory_gb: 56");
      expect(after).toContain("    kv_cache_type: q8_0");
      expect(after).toMatch(/local-reasoner:\n\s+context_window: 12288/);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
