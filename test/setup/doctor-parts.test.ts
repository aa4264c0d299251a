/**
 * The doctor's pure parts: the runner's time limits and skips, the role guess, reading a service's
 * environment from launchd and systemd files, finding the programs a gate runs, and the report.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { type DoctorCheck, passed } from "../../src/setup/doctor-check.js";
import { doctorJson, formatResult, formatRole } from "../../src/setup/doctor-format.js";
import { guessRole, type RoleFacts } from "../../src/setup/doctor-role.js";
import { doctorExitCode, runChecks } from "../../src/setup/doctor-runner.js";
import { findOnPath, gatePrograms } from "../../src/setup/gate-toolchains.js";
import { plistEnvironment, systemdEnvironment } from "../../src/setup/service-environment.js";
import { eventually } from "../engines/engine-test-kit.js";
import { ManualTimer } from "./doctor-test-kit.js";

describe("the runner", () => {
  it("fails a check at its time limit even when it ignores its signal, skips what needed it, and goes on", async () => {
    const timer = new ManualTimer();
    let aborted = false;
    const checks: DoctorCheck[] = [
      {
        id: "stuck",
        title: "Stuck host",
        timeoutMs: 2_000,
        run: (signal) => {
          signal.addEventListener("abort", () => {
            aborted = true;
          });
          return new Promise(() => {});
        },
      },
      {
        id: "after",
        title: "Needs the host",
        timeoutMs: 1_000,
        requires: ["stuck"],
        run: async () => passed(""),
      },
      { id: "other", title: "Independent", timeoutMs: 1_000, run: async () => passed("fine") },
    ];
    const running = runChecks(checks, { timer });
    await eventually(() => timer.pending(2_000).length === 1);
    timer.pending(2_000)[0]!.fire();
    const results = await running;
    expect(results.map((result) => [result.id, result.status, result.detail])).toEqual([
      ["stuck", "fail", "no answer within its time limit (2 s)"],
      ["after", "skip", 'not checked: "Stuck host" did not pass'],
      ["other", "ok", "fine"],
    ]);
    expect(aborted).toBe(true);
    expect(doctorExitCode(results)).toBe(1);
    expect(timer.pending(1_000)).toEqual([]);
  });

  it("a check that throws is a fail with the reason; warnings alone exit 0", async () => {
    const results = await runChecks(
      [
        {
          id: "broken",
          title: "Broken",
          timeoutMs: 1_000,
          run: async () => Promise.reject(new Error("boom")),
        },
      ],
      { timer: new ManualTimer() },
    );
    expect(results[0]).toMatchObject({ status: "fail", detail: "the check itself failed: boom" });
    expect(doctorExitCode([{ id: "w", title: "W", status: "warn", detail: "", durationMs: 0 }])).toBe(0);
  });
});

describe("guessing the role", () => {
  const facts = (overrides: Partial<RoleFacts>): RoleFacts => ({
    configPath: undefined,
    configText: undefined,
    switchyardUrl: undefined,
    localEngineUrl: undefined,
    ollamaAnswersLocally: false,
    openRouterKey: false,
    ...overrides,
  });

  it("says which role and why", () => {
    expect(
      guessRole(
        facts({
          configPath: "/srv/switchyard.yaml",
          configText: "server:\n  host: 0.0.0.0\ndatabase: { url: x }\n",
        }),
      ),
    ).toEqual({
      role: "brain",
      reason: "/srv/switchyard.yaml sets server and database: this machine runs switchyard serve",
    });
    expect(guessRole(facts({ switchyardUrl: "http://brain:8787" }))).toEqual({
      role: "workstation",
      reason: "SWITCHYARD_URL points at a Brain (http://brain:8787)",
    });
    expect(
      guessRole(facts({ localEngineUrl: "http://localhost:11434", ollamaAnswersLocally: true })),
    ).toEqual({ role: "engine", reason: "Ollama answers on this machine at http://localhost:11434" });
    expect(guessRole(facts({ localEngineUrl: "http://localhost:11434" })).role).toBe("workstation");
    expect(guessRole(facts({ openRouterKey: true })).role).toBe("brain");
    expect(guessRole(facts({ configText: "aliases: {}\n", switchyardUrl: "http://b" })).role).toBe(
      "workstation",
    );
    expect(formatRole("engine", true, "Ollama answers here")).toBe(
      "switchyard doctor — checking the engine (guessed: Ollama answers here; choose with --role engine|brain|workstation)",
    );
  });
});

describe("Ollama's service environment", () => {
  it("reads a launchd plist's EnvironmentVariables", () => {
    expect(
      plistEnvironment(
        "<plist><dict><key>Label</key><string>ollama</string><key>EnvironmentVariables</key><dict>\n<key>OLLAMA_HOST</key>\n<string>0.0.0.0</string><key>OLLAMA_ORIGINS</key><string>a&amp;b</string></dict></dict></plist>",
      ),
    ).toEqual({ OLLAMA_HOST: "0.0.0.0", OLLAMA_ORIGINS: "a&b" });
    expect(plistEnvironment("<plist><dict></dict></plist>")).toBeUndefined();
  });

  it("reads systemd Environment= lines, quoted or not, and an empty one resets them", () => {
    expect(
      systemdEnvironment(
        [
          "[Service]",
          "Environment=OLLAMA_DEBUG=1",
          "Environment=",
          'Environment="OLLAMA_HOST=0.0.0.0:11434" OLLAMA_NUM_PARALLEL=2',
          "Environment='OLLAMA_KV_CACHE_TYPE=q8_0'",
        ].join("\n"),
      ),
    ).toEqual({ OLLAMA_HOST: "0.0.0.0:11434", OLLAMA_NUM_PARALLEL: "2", OLLAMA_KV_CACHE_TYPE: "q8_0" });
  });
});

describe("the programs the gates run", () => {
  it("takes the program of each command (after VAR= prefixes and across && and |), and the tool behind npx", () => {
    const config = parseConfigText(
      [
        "gates:",
        '  code-generation: { executable: { commands: ["npx tsc --noEmit answer.ts", "CI=1 node --test && eslint ."] } }',
        '  test-generation: { executable: { commands: ["cd src; node answer.js | grep ok"] } }',
      ].join("\n"),
      "gates.yaml",
      {},
    );
    expect([...gatePrograms(config)]).toEqual([
      ["npx", ["code-generation"]],
      ["tsc", ["code-generation"]],
      ["node", ["code-generation", "test-generation"]],
      ["eslint", ["code-generation"]],
      ["grep", ["test-generation"]],
    ]);
  });

  it("finds an executable on the given PATH only", () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-path-"));
    mkdirSync(join(directory, "bin"));
    writeFileSync(join(directory, "bin", "tsc"), "#!/bin/sh\n");
    writeFileSync(join(directory, "bin", "notes"), "not a program");
    chmodSync(join(directory, "bin", "tsc"), 0o755);
    expect(findOnPath("tsc", join(directory, "bin"))).toBe(join(directory, "bin", "tsc"));
    expect(findOnPath("notes", join(directory, "bin"))).toBeUndefined();
    expect(findOnPath("tsc", "")).toBeUndefined();
  });
});

describe("the report", () => {
  it("prints a mark, what was seen and the fix; JSON carries the same", () => {
    const result = {
      id: "x",
      title: "Engine reachable",
      status: "fail" as const,
      detail: "connection refused",
      fix: "Start Ollama\nthen retry",
      durationMs: 3.4,
    };
    expect(formatResult(result)).toBe(
      "✗ Engine reachable\n    connection refused\n    fix: Start Ollama\n         then retry",
    );
    expect(
      doctorJson({
        role: "brain",
        guessed: false,
        reason: "chosen with --role",
        results: [result],
        counts: { ok: 0, warn: 0, fail: 1, skip: 0 },
        exitCode: 1,
      }),
    ).toEqual({
      role: "brain",
      guessed: false,
      reason: "chosen with --role",
      ok: false,
      counts: { ok: 0, warn: 0, fail: 1, skip: 0 },
      checks: [{ ...result, durationMs: 3 }],
    });
  });
});
