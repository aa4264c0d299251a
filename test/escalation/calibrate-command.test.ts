/**
 * `switchyard calibrate` as a user runs it: a child process over a real SQLite ledger holding eval
 * results and structural-only gate verdicts, with --json, and --apply writing the move into a
 * commented config file (--yes; without a terminal it refuses).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStores } from "../../src/store/open-stores.js";
import { sampleEvalResult } from "../store/eval-store-suite.js";
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
  const stores = await openStores(database);
  const now = Date.now();
  // switchyard eval measured gap-analysis on local-reasoner: 60 of 60 pass — strong evidence for tier 1.
  await stores.evals.record(
    Array.from({ length: 60 }, (_, index) =>
      sampleEvalResult({
        startedAt: now - index * 3_600_000,
        taskKind: "gap-analysis",
        taskId: "gaps-backups",
        target: "local-reasoner",
        evidence: "judge",
      }),
    ),
  );
  // architecture pinned to Sonnet, checked by the structural gate alone: no evidence at all.
  for (let index = 0; index < 60; index++) {
    stores.ledger.record(
      sampleRecord({
        startedAt: now - index * 3_600_000,
        task: "architecture",
        tier: 2,
        alias: "cloud-sonnet",
        model: "anthropic/claude-sonnet-4.5",
        gateVerdict: "pass",
        gateDetail: '{"gates":["structural"],"findings":[],"ms":0}',
      }),
    );
  }
  await stores.close();
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
    const report = JSON.parse(result.stdout) as {
      recommendations: Array<{ task: string; kind: string; evidence?: Record<string, number> }>;
    };
    expect(report.recommendations.find((entry) => entry.task === "gap-analysis")).toMatchObject({
      kind: "move-down",
      evidence: { eval: 60, judge: 0, executable: 0 },
    });
    expect(report.recommendations.find((entry) => entry.task === "architecture")?.kind).toBe(
      "not-enough-evidence",
    );
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
    expect(result.stdout).toContain("gap-analysis: local-reasoner passed 100% of 60 judged answers");
    expect(result.stdout).toContain("60 eval) — start it on tier 1");
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
