/**
 * `switchyard calibrate` as a user runs it: a child process over a real SQLite ledger, with --json,
 * and --apply writing the move into a commented config file (--yes; without a terminal it refuses).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { sampleRecord } from "../store/ledger-suite.js";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "switchyard-calibrate-"));
const database = join(directory, "ledger.db");
const configText = `# the Brain's config — comments must survive calibration
database:
  url: ${database}   # the test ledger
`;

async function switchyard(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, SWITCHYARD_HOME: directory },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(async () => {
  const ledger = new SqliteLedger(database);
  const now = Date.now();
  // gap-analysis pinned to local-reasoner: 60 of 60 pass — strong evidence for tier 1.
  for (let index = 0; index < 60; index++) {
    ledger.record(
      sampleRecord({
        startedAt: now - index * 3_600_000,
        task: "gap-analysis",
        alias: "local-reasoner",
        model: "deepseek-r1:32b",
        gateVerdict: "pass",
      }),
    );
  }
  await ledger.close();
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("switchyard calibrate", () => {
  it("prints the report as JSON", async () => {
    const result = await switchyard([
      "--config",
      writeConfig("json.yaml"),
      "calibrate",
      "--json",
      "--days",
      "7",
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { recommendations: Array<{ task: string; kind: string }> };
    expect(report.recommendations.find((entry) => entry.task === "gap-analysis")?.kind).toBe("move-down");
  }, 30_000);

  it("--apply without a terminal asks for --yes and writes nothing", async () => {
    const path = writeConfig("no-tty.yaml");
    const result = await switchyard(["--config", path, "calibrate", "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("add --yes");
    expect(readFileSync(path, "utf8")).toBe(configText);
  }, 30_000);

  it("--apply --yes shows the diff and writes the move, keeping the comments", async () => {
    const path = writeConfig("apply.yaml");
    const result = await switchyard(["--config", path, "calibrate", "--apply", "--yes"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("gap-analysis: local-reasoner passed 100% of 60 gated attempts");
    expect(result.stdout).toContain("+  gap-analysis: { alias: local-reasoner }");
    expect(readFileSync(path, "utf8")).toBe(
      `${configText}tasks:\n  gap-analysis: { alias: local-reasoner }\n`,
    );
  }, 30_000);
});

function writeConfig(name: string): string {
  const path = join(directory, name);
  writeFileSync(path, configText);
  return path;
}
