/**
 * `switchyard engine …` as a user runs it: a real child process against fake Ollamas on loopback
 * (and, for live status, a running gateway).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { CODER, REASONER } from "./engine-test-kit.js";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "switchyard-engine-cli-"));
let fake: FakeOllama;
let configPath: string;

async function switchyard(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "--config", configPath, ...args],
      // No Brain is named, so status works locally: it tries the config's own Brain (port 9,
      // where nothing listens) and falls back to reading the Engines directly.
      { env: { ...process.env, SWITCHYARD_HOME: directory, SWITCHYARD_URL: "", ...env }, timeout: 20_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(async () => {
  fake = await startFakeOllama();
  configPath = join(directory, "switchyard.yaml");
  writeFileSync(configPath, `server: { port: 9 }\nbackends:\n  engine: { base_url: "${fake.url}" }\n`);
});
afterAll(() => fake.close());

describe("switchyard engine", () => {
  it("pull streams progress as lines when not on a terminal, and says why a pull failed", async () => {
    const pulled = await switchyard(["engine", "pull", "phi4:14b"]);
    expect(pulled.code).toBe(0);
    const lines = pulled.stdout.trim().split("\n");
    expect(lines[0]).toBe("engine: phi4:14b: pulling manifest");
    expect(lines).toContain("engine: phi4:14b: pulling 50%");
    expect(lines.at(-1)).toBe("engine: phi4:14b: success");
    expect(fake.models.some((model) => model.name === "phi4:14b")).toBe(true);

    const failed = await switchyard(["engine", "pull", "missing-model:7b"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Engine "engine"');
    expect(failed.stderr).toContain("file does not exist");
  });

  it("warm loads the served models with keep_alive -1; status reads the Engine directly", async () => {
    const warmed = await switchyard(["engine", "warm"]);
    expect(warmed.code).toBe(0);
    expect(warmed.stdout).toContain("engine: 2 of 2 served models resident");
    expect(fake.loaded).toEqual([CODER, REASONER]);

    const status = await switchyard(["engine", "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("Engines (read directly; slots in use and queue depth need the Brain");
    expect(status.stdout).toMatch(/engine {5}up {4}http:\/\/127\.0\.0\.1:\d+ \(Ollama 0\.12\.6\)/);
    expect(status.stdout).toMatch(/qwen2\.5-coder:32b\s+loaded {2}19\.9 GB/);

    const overall = await switchyard(["status", "--json"]);
    expect(overall.code).toBe(0);
    const parsed = JSON.parse(overall.stdout) as { status: unknown; engines: { source: string } };
    expect(parsed.status).toBeDefined();
    expect(parsed.engines.source).toBe("direct");
  });

  it("status --url reads the live fleet from the Brain", async () => {
    const harness: Harness = await startHarness();
    try {
      const status = await switchyard(["engine", "status", "--url", harness.url]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`Engines (live, from ${harness.url})`);
      expect(status.stdout).toMatch(/qwen2\.5-coder:32b\s+unknown\s+0\/2 slots\s+queue 0/);
      expect(status.stdout).toContain("Queue: 0 waiting now");
    } finally {
      await harness.close();
    }
  });

  it("simulate answers the upgrade questions with its sources", async () => {
    const simulated = await switchyard([
      "engine",
      "simulate",
      "--rate",
      "20",
      "--hours",
      "2",
      "--context",
      "8192",
    ]);
    expect(simulated.code).toBe(0);
    expect(simulated.stdout).toContain(
      "Capacity plan — workload: synthetic mix, 20 local requests/hour for 2 h",
    );
    expect(simulated.stdout).toContain("+ a second M4 Max 64 GB serving every model");
    expect(simulated.stdout).toContain("the Engine replaced by a M3 Ultra 96 GB");
    expect(simulated.stdout).toContain("Sources and assumptions:");
    const bad = await switchyard(["engine", "simulate", "--hardware", "m1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--hardware must be one of m4-max-64, m3-ultra-96");
  });
});
