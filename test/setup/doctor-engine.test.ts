/**
 * `switchyard doctor --role engine`, on the Engine, against a fake Ollama: it answers here and on
 * the LAN; bound to loopback only it answers here but not on the LAN address; Ollama's service
 * environment read from a launchd plist and from a systemd unit in temp dirs, compared with the
 * profile; macOS's GPU limit; and the profile against this machine's memory.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDoctor } from "../../src/setup/doctor.js";
import type { DoctorEnvironment } from "../../src/setup/doctor-environment.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { doctorEnvironment, ManualTimer, resultOf } from "./doctor-test-kit.js";

let fake: FakeOllama;
beforeEach(async () => {
  fake = await startFakeOllama();
  fake.setDefault({ kind: "hang" });
});
afterEach(() => fake.close());

const goodUnit = [
  "[Service]",
  "ExecStart=/usr/local/bin/ollama serve",
  'Environment="OLLAMA_HOST=0.0.0.0" "OLLAMA_NUM_PARALLEL=2"',
  "Environment=OLLAMA_MAX_LOADED_MODELS=2",
  'Environment="OLLAMA_KV_CACHE_TYPE=q8_0" "OLLAMA_FLASH_ATTENTION=1"',
  "",
].join("\n");

function engineMachine(overrides: Partial<DoctorEnvironment> = {}): DoctorEnvironment {
  // The Engine's own config (the shipped profile) with Ollama on this machine.
  const environment = doctorEnvironment(`backends:\n  engine: { base_url: "${fake.url}" }\n`, {
    lanAddresses: ["127.0.0.1"],
    readGpuWiredLimitMb: async () => 57_344,
    ...overrides,
  });
  return environment;
}

function writeFile(path: string, text: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const run = (environment: DoctorEnvironment) =>
  runDoctor({ environment, role: "engine", timer: new ManualTimer() });

describe("doctor on the Engine", () => {
  it("passes when Ollama answers on the LAN, its systemd unit sets the profile's environment, the GPU limit is raised and the models fit", async () => {
    const environment = engineMachine();
    writeFile(join(environment.serviceLocations.root, "etc/systemd/system/ollama.service"), goodUnit);
    const report = await run(environment);
    expect(report.results.map((result) => [result.id, result.status])).toEqual([
      ["engine-reachable:engine", "ok"],
      ["engine-lan:engine", "ok"],
      ["engine-service:engine", "ok"],
      ["engine-gpu-limit:engine", "ok"],
      ["models-pulled:engine", "ok"],
      ["models-resident:engine", "ok"],
      ["slots:engine", "ok"],
      ["profile:engine", "ok"],
    ]);
    expect(resultOf(report.results, "engine-service:engine").detail).toMatch(
      /ollama\.service sets OLLAMA_HOST=0\.0\.0\.0, OLLAMA_NUM_PARALLEL=2, OLLAMA_MAX_LOADED_MODELS=2, OLLAMA_KV_CACHE_TYPE=q8_0, OLLAMA_FLASH_ATTENTION=1$/,
    );
    expect(resultOf(report.results, "engine-gpu-limit:engine").detail).toBe(
      "iogpu.wired_limit_mb is 57344 (56 GB)",
    );
    expect(report.exitCode).toBe(0);
  });

  it("bound to loopback only: answers here, refuses the LAN address — ✗ with OLLAMA_HOST=0.0.0.0", async () => {
    // 127.0.0.2 stands for the machine's LAN address: the fake listens on 127.0.0.1 alone.
    const report = await run(engineMachine({ lanAddresses: ["127.0.0.2"] }));
    expect(resultOf(report.results, "engine-reachable:engine").status).toBe("ok");
    const lan = resultOf(report.results, "engine-lan:engine");
    expect(lan.status).toBe("fail");
    expect(lan.detail).toBe(
      `Ollama answers on ${fake.url} but not on the LAN (127.0.0.2: connection refused: nothing listens on that address and port): it listens on loopback only`,
    );
    expect(lan.fix).toMatch(/^Set OLLAMA_HOST=0\.0\.0\.0 in Ollama's service/);
    expect(report.exitCode).toBe(1);
  });

  it("a launchd plist that leaves Ollama on loopback, with the old slots and no flash attention: ✗ naming each", async () => {
    const environment = engineMachine();
    writeFile(
      join(environment.serviceLocations.home, "Library/LaunchAgents/com.example.ollama.plist"),
      `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
  <key>Label</key><string>com.example.ollama</string>
  <key>EnvironmentVariables</key>
  <dict>
    <key>OLLAMA_HOST</key><string>127.0.0.1:11434</string>
    <key>OLLAMA_NUM_PARALLEL</key><string>4</string>
    <key>OLLAMA_KV_CACHE_TYPE</key><string>q8_0</string>
  </dict>
</dict></plist>`,
    );
    const service = resultOf((await run(environment)).results, "engine-service:engine");
    expect(service.status).toBe("fail");
    expect(service.detail).toContain("OLLAMA_HOST is 127.0.0.1:11434, so Ollama listens on loopback only");
    expect(service.detail).toContain("OLLAMA_NUM_PARALLEL is 4, the profile needs 2");
    expect(service.detail).toContain("OLLAMA_FLASH_ATTENTION is unset: a q8_0 KV cache needs it");
    expect(service.fix).toBe(
      "Set OLLAMA_HOST=0.0.0.0 OLLAMA_NUM_PARALLEL=2 OLLAMA_FLASH_ATTENTION=1 there and restart Ollama",
    );
  });

  it("no service definition found is a warning; the Ollama app's launchctl environment counts as one", async () => {
    let service = resultOf((await run(engineMachine())).results, "engine-service:engine");
    expect(service.status).toBe("warn");
    expect(service.fix).toContain("OLLAMA_NUM_PARALLEL=2");
    const launchctl = {
      OLLAMA_HOST: "0.0.0.0",
      OLLAMA_NUM_PARALLEL: "2",
      OLLAMA_KV_CACHE_TYPE: "q8_0",
      OLLAMA_FLASH_ATTENTION: "1",
    };
    const environment = engineMachine();
    environment.serviceLocations.launchctlGetenv = async (name) => launchctl[name as keyof typeof launchctl];
    service = resultOf((await run(environment)).results, "engine-service:engine");
    expect(service).toMatchObject({ status: "ok" });
    expect(service.detail).toMatch(/^launchctl getenv sets /);
  });

  it("macOS's GPU limit left at its default while the profile counts on 56 GB: ✗ with the sysctl", async () => {
    const report = await run(engineMachine({ readGpuWiredLimitMb: async () => 0 }));
    const limit = resultOf(report.results, "engine-gpu-limit:engine");
    expect(limit.status).toBe("fail");
    expect(limit.detail).toBe(
      "iogpu.wired_limit_mb is 0 (macOS's default, ~48 GB); the profile counts on 56 GB",
    );
    expect(limit.fix).toMatch(/^sudo sysctl iogpu\.wired_limit_mb=57344/);
  });

  it("the profile against this machine's memory: a 32 GB box cannot hold it", async () => {
    const report = await run(engineMachine({ totalMemoryBytes: 32 * 2 ** 30 }));
    const profile = resultOf(report.results, "profile:engine");
    expect(profile.status).toBe("fail");
    expect(profile.detail).toMatch(/^the models need 54\.2 GB of a 24 GB GPU budget/);
    expect(profile.fix).toBe("switchyard engine profile --memory-gb 32 --write");
  });
});
