/**
 * What the command line loads before it does anything: `--help`, `--version`, completion and usage
 * errors load commander and the command definitions (`*-register.ts`) and nothing else, and the
 * everyday offline commands (`config check`, `route`, `env claude`) none of the runtime's
 * packages (LangGraph, the MCP SDK, Fastify, the database drivers). Each command runs as a real
 * process with a preload that records every module it loads (test/helpers/module-load-recorder.mjs);
 * nothing here measures time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import { CLI_TEST_TIMEOUT_MS, type CliResult, runSwitchyard } from "../helpers/cli-process.js";

const RECORDER = join(import.meta.dirname, "../helpers/module-load-recorder.mjs");
const SRC = join(import.meta.dirname, "../../src");

/** The test's own TypeScript loader, which a built `switchyard` does not have. */
const LOADER_PACKAGES = new Set(["tsx", "esbuild", "get-tsconfig", "resolve-pkg-maps"]);

/** What a command that does not serve, run workflows or open the ledger must never load. */
function runtimePackages(packages: readonly string[]): string[] {
  return packages.filter(
    (name) =>
      name.startsWith("@langchain/") ||
      name.startsWith("@modelcontextprotocol/") ||
      ["fastify", "better-sqlite3", "pg", "pino", "prom-client"].includes(name),
  );
}

interface Loads {
  result: CliResult;
  /** Package names, sorted, without the loader's. */
  packages: string[];
  /** Files under src/, relative to it. */
  sources: string[];
}

let home: string;
let configPath: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "switchyard-module-loads-"));
  configPath = join(home, "switchyard.yaml");
  // Nothing answers at port 9 (discard): no Brain, no Engine.
  writeFileSync(configPath, "server: { port: 9 }\nbackends:\n  engine: { base_url: http://127.0.0.1:9 }\n");
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

let runs = 0;
async function loads(args: string[], script?: string): Promise<Loads> {
  const record = join(home, `modules-${++runs}.txt`);
  writeFileSync(record, "");
  const result = await runSwitchyard(args, {
    cwd: home,
    env: { SWITCHYARD_HOME: home, SWITCHYARD_MODULE_RECORD: record },
    nodeArgs: ["--import", RECORDER],
    ...(script ? { script } : {}),
  });
  const paths = readFileSync(record, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("file:") || line.startsWith("/"))
    .map((line) => (line.startsWith("file:") ? fileURLToPath(line) : line));
  const packages = new Set<string>();
  for (const path of paths) {
    // The package is the last node_modules folder on the path (a dependency's own dependencies nest).
    const name = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1)?.[1];
    if (name && !LOADER_PACKAGES.has(name)) packages.add(name);
  }
  const sources = [
    ...new Set(paths.filter((path) => path.startsWith(SRC)).map((path) => relative(SRC, path))),
  ];
  return { result, packages: [...packages].sort(), sources: sources.sort() };
}

/** A command's implementation module: `*-command.ts` or `*-commands.ts`. */
const implementations = (sources: readonly string[]) =>
  sources.filter((source) => /^cli\/.*-commands?\.ts$/.test(source));

describe("the command definitions", () => {
  it.each([
    { args: ["--help"], exitCode: 0 },
    { args: ["--version"], exitCode: 0 },
    { args: ["engine", "simulate", "--help"], exitCode: 0 },
    { args: ["completion", "bash"], exitCode: 0 },
    { args: ["no-such-command"], exitCode: 2 },
    { args: ["serve", "--port", "many"], exitCode: 2 },
  ])(
    "switchyard $args loads commander and no command's implementation",
    async ({ args, exitCode }) => {
      const { result, packages, sources } = await loads(args);
      expect(result.code, result.stderr).toBe(exitCode);
      expect(packages).toEqual(["commander"]);
      expect(implementations(sources)).toEqual([]);
      expect(sources).toContain("cli/run-register.ts");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "the lean mcp-server entry shows the same command's help without loading the tool servers",
    async () => {
      const { result, packages, sources } = await loads(["mcp-server", "--help"], "mcp-server-main.ts");
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("Usage: switchyard mcp-server [options] <kind>");
      expect(packages).toEqual(["commander"]);
      expect(implementations(sources)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "an fs server as a workflow run starts it (over stdio, settings given) loads its own kind's code only: no config loader, no PostgreSQL client, no HTTP transport",
    async () => {
      const { result, packages, sources } = await loads(
        ["mcp-server", "fs", "--root", home],
        "mcp-server-main.ts",
      );
      // stdin closes at once: the server stops and exits cleanly.
      expect(result.code, result.stderr).toBe(0);
      expect(packages).toContain("@modelcontextprotocol/server");
      expect(
        packages.filter((name) => ["yaml", "pg", "@modelcontextprotocol/node", "undici"].includes(name)),
      ).toEqual([]);
      expect(sources.filter((source) => /servers\/(db|git)\//.test(source))).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("the everyday offline commands", () => {
  it(
    "config check loads the config's parsers and none of the runtime",
    async () => {
      const { result, packages, sources } = await loads(["config", "check", configPath]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(": OK (");
      // What it does need is in the record: the record sees ES modules and CommonJS alike.
      expect(packages).toEqual(expect.arrayContaining(["zod", "yaml"]));
      expect(runtimePackages(packages)).toEqual([]);
      expect(packages).not.toContain("undici");
      expect(implementations(sources)).toEqual(["cli/config-command.ts"]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "route loads the router and none of the runtime",
    async () => {
      const { result, packages, sources } = await loads([
        "route",
        "--json",
        "-c",
        configPath,
        "write a test",
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ task: "test-generation" });
      expect(runtimePackages(packages)).toEqual([]);
      expect(packages).not.toContain("undici");
      expect(sources).toContain("routing/task-router.ts");
      expect(implementations(sources)).toEqual(["cli/route-command.ts"]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "env claude (what switchyard claude starts with) loads none of the runtime",
    async () => {
      const { result, packages } = await loads(["env", "claude", "-c", configPath]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("export ANTHROPIC_BASE_URL='http://127.0.0.1:9'");
      expect(runtimePackages(packages)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "a command that reads the ledger loads its driver (the record is not blind to native packages), and not LangGraph's savers or PostgreSQL's client",
    async () => {
      await (await openStores(join(home, "ledger.db"))).close();
      const { result, packages } = await loads(["log", "-c", configPath]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("The ledger is empty");
      expect(packages).toContain("better-sqlite3");
      expect(packages.filter((name) => name.startsWith("@langchain/") || name === "pg")).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
