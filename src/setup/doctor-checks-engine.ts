/**
 * The Engine's checklist, run on the Engine itself: Ollama answers here, and on the LAN — not only
 * on loopback, which looks like "down" from the Brain —, its service starts it with the profile's
 * environment, macOS lets the GPU use what the profile needs, then the checks any machine can make
 * (models pulled, resident together, slots measured, the profile against this machine's memory).
 */
import { isLoopbackHost } from "../config/config-schema.js";
import { type EngineSpec, engineSpecs } from "../engines/engine-spec.js";
import { MACOS_DEFAULT_GPU_SHARE } from "../planning/engine-hardware.js";
import {
  type EngineSettings,
  engineServiceEnvironment,
  engineSettingsFromConfig,
  evaluateEngineSettings,
  gpuWiredLimitMb,
} from "../planning/engine-profile.js";
import { type CheckOutcome, type DoctorCheck, failed, passed, warned } from "./doctor-check.js";
import {
  engineReachableCheck,
  modelsPulledCheck,
  modelsResidentCheck,
  type OllamaTarget,
  profileFitsCheck,
  slotsCheck,
} from "./doctor-checks-ollama.js";
import type { DoctorEnvironment } from "./doctor-environment.js";
import { httpGet, networkReason } from "./doctor-http.js";
import { readOllamaServiceEnvironment } from "./service-environment.js";

/** Where this machine's Ollama answers: the configured URL when it is local, else the default port. */
export function localOllamaUrl(spec: EngineSpec | undefined): string {
  if (spec && isLoopbackHost(new URL(spec.baseUrl).hostname)) return spec.baseUrl.replace(/\/+$/, "");
  const port = spec ? new URL(spec.baseUrl).port || "11434" : "11434";
  return `http://127.0.0.1:${port}`;
}

export function engineChecks(environment: DoctorEnvironment): DoctorCheck[] {
  const spec = engineSpecs(environment.config).find(
    (entry) => environment.engineId === undefined || entry.id === environment.engineId,
  );
  const settings = engineSettingsFromConfig(environment.config, spec?.id);
  if (!spec || !settings) return [];
  const target: OllamaTarget = { spec, baseUrl: localOllamaUrl(spec), where: "on this machine" };
  const { timeouts } = environment;
  const memoryGB = Math.round(environment.totalMemoryBytes / 2 ** 30);
  return [
    engineReachableCheck(target, timeouts),
    lanCheck(target, environment),
    serviceEnvironmentCheck(settings, environment),
    gpuLimitCheck(settings, memoryGB, environment),
    modelsPulledCheck(target, timeouts),
    modelsResidentCheck(target, timeouts),
    slotsCheck(target, environment.config, timeouts),
    profileFitsCheck(settings, timeouts, memoryGB),
  ];
}

function lanCheck(target: OllamaTarget, environment: DoctorEnvironment): DoctorCheck {
  const port = new URL(target.baseUrl).port || "11434";
  const setHost =
    "Set OLLAMA_HOST=0.0.0.0 in Ollama's service and restart it (macOS app: launchctl setenv OLLAMA_HOST 0.0.0.0; launchd plist: EnvironmentVariables; systemd: Environment= in `systemctl edit ollama`; switchyard setup engine writes it)";
  return {
    id: `engine-lan:${target.spec.id}`,
    title: "Ollama listens on the LAN, not only on loopback (OLLAMA_HOST)",
    timeoutMs: environment.timeouts.networkMs,
    requires: [`engine-reachable:${target.spec.id}`],
    onTimeout: (limit) =>
      failed(
        `no answer on this machine's LAN address within ${limit}: a firewall, or loopback only`,
        setHost,
      ),
    run: async (signal) => {
      if (environment.lanAddresses.length === 0)
        return warned("this machine has no LAN address (no network interface but loopback)");
      const failures: string[] = [];
      for (const address of environment.lanAddresses) {
        const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
        try {
          const answer = await httpGet(`${url}/api/version`, { signal });
          if (answer.status === 200)
            return passed(`answers on ${address}:${port}, so the Brain can reach it`);
          failures.push(`${address}: HTTP ${answer.status}`);
        } catch (error) {
          failures.push(`${address}: ${networkReason(error, signal)}`);
        }
      }
      return failed(
        `Ollama answers on ${target.baseUrl} but not on the LAN (${failures.join("; ")}): it listens on loopback only`,
        setHost,
      );
    },
  };
}

function serviceEnvironmentCheck(settings: EngineSettings, environment: DoctorEnvironment): DoctorCheck {
  return {
    id: `engine-service:${settings.engineId}`,
    title: "Ollama's service environment matches the profile",
    timeoutMs: environment.timeouts.networkMs,
    run: async () => {
      const found = await readOllamaServiceEnvironment(environment.serviceLocations);
      const expected = engineServiceEnvironment(evaluateEngineSettings(settings));
      if (found.sources.length === 0) {
        return warned(
          "found no Ollama service definition (a launchd plist naming ollama, /etc/systemd/system/ollama.service, or launchctl getenv); the measured checks below still tell",
          `Set ${Object.entries(expected)
            .map(([name, value]) => `${name}=${value}`)
            .join(" ")} in its service (switchyard setup engine)`,
        );
      }
      const wrong = compareEnvironment(found.variables, expected);
      const where = found.sources.join(", ");
      if (wrong.length === 0) return passed(`${where} sets ${describe(found.variables, expected)}`);
      return failed(
        `${where}: ${wrong.map((entry) => entry.problem).join("; ")}`,
        `Set ${wrong.map((entry) => `${entry.name}=${entry.want}`).join(" ")} there and restart Ollama`,
      );
    },
  };
}

interface Mismatch {
  name: string;
  want: string;
  problem: string;
}

function compareEnvironment(found: Record<string, string>, expected: Record<string, string>): Mismatch[] {
  const wrong: Mismatch[] = [];
  const host = found.OLLAMA_HOST;
  const hostName = host
    ?.replace(/^https?:\/\//, "")
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "");
  if (hostName === undefined || hostName === "" || isLoopbackHost(hostName)) {
    wrong.push({
      name: "OLLAMA_HOST",
      want: "0.0.0.0",
      problem: `OLLAMA_HOST is ${host ?? "unset"}, so Ollama listens on loopback only`,
    });
  }
  const exact = (name: string, unset: string) => {
    const value = found[name] ?? unset;
    if (value.toLowerCase() !== expected[name]!.toLowerCase())
      wrong.push({
        name,
        want: expected[name]!,
        problem: `${name} is ${found[name] ?? `unset (${unset})`}, the profile needs ${expected[name]}`,
      });
  };
  exact("OLLAMA_NUM_PARALLEL", "Ollama's default: 1");
  exact("OLLAMA_KV_CACHE_TYPE", "f16");
  const loaded = Number(found.OLLAMA_MAX_LOADED_MODELS ?? "0");
  // Unset or 0: Ollama allows 3 per GPU.
  if (loaded !== 0 && loaded < Number(expected.OLLAMA_MAX_LOADED_MODELS)) {
    wrong.push({
      name: "OLLAMA_MAX_LOADED_MODELS",
      want: expected.OLLAMA_MAX_LOADED_MODELS!,
      problem: `OLLAMA_MAX_LOADED_MODELS is ${loaded}: fewer than the ${expected.OLLAMA_MAX_LOADED_MODELS} models it serves`,
    });
  }
  const flash = (found.OLLAMA_FLASH_ATTENTION ?? "").toLowerCase();
  if (expected.OLLAMA_KV_CACHE_TYPE !== "f16" && flash !== "1" && flash !== "true") {
    wrong.push({
      name: "OLLAMA_FLASH_ATTENTION",
      want: "1",
      problem: `OLLAMA_FLASH_ATTENTION is ${found.OLLAMA_FLASH_ATTENTION ?? "unset"}: a ${expected.OLLAMA_KV_CACHE_TYPE} KV cache needs it (Ollama falls back to f16 without it)`,
    });
  }
  return wrong;
}

function describe(found: Record<string, string>, expected: Record<string, string>): string {
  return Object.keys(expected)
    .filter((name) => found[name] !== undefined)
    .map((name) => `${name}=${found[name]}`)
    .join(", ");
}

function gpuLimitCheck(
  settings: EngineSettings,
  memoryGB: number,
  environment: DoctorEnvironment,
): DoctorCheck {
  return {
    id: `engine-gpu-limit:${settings.engineId}`,
    title: "The GPU may use the memory the profile counts on (macOS iogpu.wired_limit_mb)",
    timeoutMs: environment.timeouts.networkMs,
    run: async (): Promise<CheckOutcome> => {
      const defaultGB = memoryGB * MACOS_DEFAULT_GPU_SHARE;
      const wantGB = settings.gpuMemoryGB ?? defaultGB;
      const wantMb = gpuWiredLimitMb({ gpuMemoryGB: wantGB, raisesGpuLimit: wantGB > defaultGB + 1e-9 });
      if (wantMb === undefined)
        return passed(`the profile needs no more than macOS's default (~${defaultGB.toFixed(0)} GB)`);
      const limit = await environment.readGpuWiredLimitMb();
      if (limit === undefined) return passed("not macOS: there is no GPU wired limit to raise");
      const fix = `sudo sysctl iogpu.wired_limit_mb=${wantMb}, and run it at boot from a launch daemon (switchyard setup engine)`;
      if (limit === 0)
        return failed(
          `iogpu.wired_limit_mb is 0 (macOS's default, ~${defaultGB.toFixed(0)} GB); the profile counts on ${wantGB} GB`,
          fix,
        );
      if (limit < wantMb)
        return failed(
          `iogpu.wired_limit_mb is ${limit}; the profile counts on ${wantMb} (${wantGB} GB)`,
          fix,
        );
      return passed(`iogpu.wired_limit_mb is ${limit} (${(limit / 1024).toFixed(0)} GB)`);
    },
  };
}
