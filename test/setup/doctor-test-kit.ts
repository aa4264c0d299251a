/**
 * Shared pieces for the doctor's tests: a timer the test fires by hand (so "within its time limit"
 * never depends on the clock), a doctor environment over a config text with every local source
 * (HOME, the service files' root, PATH, LAN addresses, memory, the GPU limit) pointed at temp dirs
 * and given values, and a way to find one check's result.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigText } from "../../src/config/config-load.js";
import type { CheckResult, DoctorTimer } from "../../src/setup/doctor-check.js";
import { DEFAULT_DOCTOR_TIMEOUTS, type DoctorEnvironment } from "../../src/setup/doctor-environment.js";

export interface PendingTimer {
  milliseconds: number;
  fire(): void;
}

/** Timers fire only when the test says so. */
export class ManualTimer implements DoctorTimer {
  private readonly timers = new Set<PendingTimer>();

  start(milliseconds: number, onTimeout: () => void): () => void {
    const timer: PendingTimer = {
      milliseconds,
      fire: () => {
        this.timers.delete(timer);
        onTimeout();
      },
    };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** The pending timers of this length. */
  pending(milliseconds: number): PendingTimer[] {
    return [...this.timers].filter((timer) => timer.milliseconds === milliseconds);
  }
}

/** 20 June 2026, noon UTC: the doctor's "now" in these tests. */
export const NOW = Date.parse("2026-06-20T12:00:00Z");

export function doctorEnvironment(
  configYaml: string,
  overrides: Partial<DoctorEnvironment> = {},
): DoctorEnvironment {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-doctor-"));
  const config = parseConfigText(configYaml, "switchyard.yaml", {});
  return {
    config,
    configPath: join(directory, "switchyard.yaml"),
    configText: configYaml,
    env: {},
    home: join(directory, "home"),
    path: "",
    brainUrl: "http://127.0.0.1:9",
    brainUrlGiven: true,
    localBrainUrl: "http://127.0.0.1:9",
    token: undefined,
    lanAddresses: [],
    totalMemoryBytes: 64 * 2 ** 30,
    serviceLocations: { home: join(directory, "home"), root: join(directory, "root") },
    readGpuWiredLimitMb: async () => undefined,
    now: () => NOW,
    timeouts: DEFAULT_DOCTOR_TIMEOUTS,
    ...overrides,
  };
}

export function resultOf(results: readonly CheckResult[], id: string): CheckResult {
  const found = results.find((result) => result.id === id);
  if (!found) throw new Error(`no check "${id}" among ${results.map((result) => result.id).join(", ")}`);
  return found;
}
