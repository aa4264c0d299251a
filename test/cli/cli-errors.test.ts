/**
 * What a new user hits first, run as real processes: `--config` after any subcommand; usage errors
 * (exit 2) and failures (exit 1) as one line that says what to do; `serve` on a busy port; and the
 * read commands on a machine with no ledger, which must say so rather than create one and report
 * $0.00.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import { CLI_TEST_TIMEOUT_MS, expectOneLine, runSwitchyard } from "../helpers/cli-process.js";
import { sampleRecord } from "../store/ledger-suite.js";

let home: string;
/** A port nothing listens on: the Brain these configs name never answers. */
let silentPort: number;

const switchyard = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runSwitchyard(args, { cwd: home, env: { SWITCHYARD_HOME: home, ...env } });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "switchyard-cli-errors-"));
  silentPort = await freePort();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A config whose Brain and Engine do not answer, with its ledger at `ledger`. */
function writeConfig(name: string, ledger: string, extra = ""): string {
  const path = join(home, name);
  writeFileSync(
    path,
    `server: { port: ${silentPort} }\nbackends:\n  engine: { base_url: "http://127.0.0.1:${silentPort}", warm: false }\ndatabase:\n  url: ${ledger}\n${extra}`,
  );
  return path;
}

describe("--config after a subcommand", () => {
  it(
    "is taken by every command, as -c too; money under a cent keeps its digits",
    async () => {
      const ledger = join(home, "brain-data", "ledger.db");
      mkdirSync(join(home, "brain-data"));
      const stores = await openStores(ledger);
      stores.ledger.record(
        sampleRecord({
          task: "code-review",
          tier: 2,
          alias: "cloud-sonnet",
          model: "anthropic/claude-sonnet-4.5",
          costUsd: 0.0026,
        }),
      );
      const period = new Date().toISOString().slice(0, 8);
      const periodKey = `${period}01`;
      const reservation = { id: "paid-1", periodKey, alias: "cloud-sonnet" };
      await stores.budget.reserve({
        ...reservation,
        amountMicroUsd: 15_000,
        caps: [{ name: "monthly", alias: null, limitMicroUsd: 100_000_000 }],
        instanceId: "test",
        startedAt: Date.now(),
        expiresAt: Date.now() + 60_000,
      });
      await stores.budget.settle(reservation, 2_600);
      await stores.close();
      const config = writeConfig(
        "moved.yaml",
        ledger,
        "tasks:\n  commit-message: { alias: local-reasoner }\n",
      );

      const [route, printed, costs, log, status] = await Promise.all([
        switchyard(["route", "write a commit message for the staged changes", "--config", config]),
        switchyard(["config", "print", "-c", config]),
        switchyard(["costs", "--config", config]),
        switchyard(["log", "-c", config, "-n", "5"]),
        switchyard(["status", "--config", config]),
      ]);
      expect(route.stdout).toContain("alias:   local-reasoner");
      expect(printed.stdout).toContain(ledger);
      expect(costs.stdout).toContain("Month to date: $0.0026 over 1 requests");
      expect(log.stdout).toMatch(/code-review\s+2\s+cloud-sonnet\s+120\/48\s+-\s+0\.0026/);
      expect(status.stdout).toMatch(/^monthly\s+\$100\.00\s+\$0\.0026\s+\$0\.00\s+\$100\.00\s+0%$/m);
      expect(status.stdout).toContain(
        "OpenRouter key credit: known to the running Brain, which does not answer here",
      );
      for (const result of [route, printed, costs, log, status]) expect(result.code).toBe(0);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("usage errors and failures", () => {
  it(
    "a usage error is one line naming the command and its --help, exit 2",
    async () => {
      const [unknown, notNumber, badPort, missing] = await Promise.all([
        switchyard(["status", "--bogus"]),
        switchyard(["log", "-n", "abc"]),
        switchyard(["serve", "--port", "eighty"]),
        switchyard(["route"]),
      ]);
      expect(expectOneLine(unknown.stderr)).toBe(
        "switchyard status: unknown option '--bogus'; see `switchyard status --help`",
      );
      expect(expectOneLine(notNumber.stderr)).toBe(
        'switchyard log: -n must be a whole number of rows; got "abc"',
      );
      expect(expectOneLine(badPort.stderr)).toContain(
        '--port must be a port number from 0 to 65535 (0: any free port); got "eighty"',
      );
      expect(expectOneLine(missing.stderr)).toContain("missing required argument 'prompt'");
      for (const result of [unknown, notNumber, badPort, missing]) expect(result.code).toBe(2);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "serve on a busy port says so in one line and exits 1",
    async () => {
      const busy: Server = createServer();
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
      const { port } = busy.address() as { port: number };
      try {
        const config = writeConfig(
          "serve.yaml",
          join(home, "serve", "ledger.db"),
          "budget: { key_check_interval_minutes: 0, catalog: { sync_on_start: false } }\nlogging: { level: silent }\n",
        );
        const result = await switchyard(["serve", "--port", String(port), "--config", config]);
        expect(result.code).toBe(1);
        expect(expectOneLine(result.stderr)).toBe(
          `switchyard serve: Port ${port} on 127.0.0.1 is in use (another switchyard serve?): stop it, or pass --port <another port> (or set server.port)`,
        );
      } finally {
        await new Promise((resolve) => busy.close(resolve));
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("read commands on a machine with no ledger", () => {
  it(
    "say so, point at the Brain, exit 1, and create nothing",
    async () => {
      const missing = join(home, "workstation", "ledger.db");
      const config = writeConfig("workstation.yaml", missing);
      const commands = ["costs", "savings", "status", "calibrate", "log"];
      const results = await Promise.all(commands.map((command) => switchyard([command, "-c", config])));
      for (const [index, result] of results.entries()) {
        const command = commands[index];
        // calibrate edits the Brain's own config with --apply: it runs there, with no --url.
        const elsewhere = command === "calibrate" ? "" : " or pass --url http://brain:8787";
        expect(result.code).toBe(1);
        expect(expectOneLine(result.stderr)).toBe(
          `switchyard ${command}: this machine has no Switchyard ledger at ${missing}: run this on the Brain (ssh brain switchyard ${command})${elsewhere}`,
        );
        expect(result.stdout).toBe("");
      }
      expect(existsSync(join(home, "workstation"))).toBe(false);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
