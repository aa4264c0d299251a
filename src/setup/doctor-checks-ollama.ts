/**
 * The Engine checks that work from any machine that can reach it: Ollama answers at its URL, the
 * served models are pulled, they stay resident together once warmed (the num_ctx their aliases ask
 * for included), the slots really run at once (measured with concurrent probes), and the configured
 * profile fits the Engine's memory. The Brain runs them against the configured URL; the Engine
 * against its own.
 */
import {
  getOllamaVersion,
  listInstalledOllamaModels,
  type OllamaApiConnection,
} from "../backends/ollama/ollama-api.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { gigabytes } from "../engines/engine-inventory.js";
import { type EngineSpec, sameModel, servedModels } from "../engines/engine-spec.js";
import { warmEngine } from "../engines/engine-warmup.js";
import { modelProfile } from "../planning/engine-hardware.js";
import { type EngineSettings, evaluateEngineSettings } from "../planning/engine-profile.js";
import { type DoctorCheck, failed, passed, warned } from "./doctor-check.js";
import type { DoctorTimeouts } from "./doctor-environment.js";
import { isRefused, networkReason } from "./doctor-http.js";
import { probeSlots } from "./slot-probe.js";

export interface OllamaTarget {
  spec: EngineSpec;
  /** Where to reach it from here: the configured URL, or this machine's own Ollama. */
  baseUrl: string;
  /** "from the Brain" / "on this machine", for the titles. */
  where: string;
}

const connection = (target: OllamaTarget, signal: AbortSignal, timeoutMs: number): OllamaApiConnection => ({
  baseUrl: target.baseUrl,
  backend: target.spec.id,
  signal,
  timeoutMs,
});

export function engineReachableCheck(target: OllamaTarget, timeouts: DoctorTimeouts): DoctorCheck {
  const { spec } = target;
  return {
    id: `engine-reachable:${spec.id}`,
    title: `Engine "${spec.id}" answers at ${target.baseUrl} ${target.where}`,
    timeoutMs: timeouts.networkMs,
    onTimeout: (limit) =>
      failed(
        `no answer from ${target.baseUrl} within ${limit}`,
        `Check the address (backends.${spec.id}.base_url / OLLAMA_BASE_URL), a firewall, or whether the Engine is asleep (it should never sleep)`,
      ),
    run: async (signal) => {
      const started = performance.now();
      try {
        const version = await getOllamaVersion(connection(target, signal, timeouts.networkMs));
        return passed(`Ollama ${version} answered in ${(performance.now() - started).toFixed(0)} ms`);
      } catch (error) {
        const reason = networkReason(error, signal);
        if (isRefused(error)) {
          return failed(
            `${target.baseUrl}: ${reason}`,
            "On the Engine: start Ollama, and make it listen on the LAN, not only on loopback — OLLAMA_HOST=0.0.0.0 in its service (`switchyard doctor --role engine` there tells which)",
          );
        }
        return failed(
          `${target.baseUrl}: ${reason}`,
          `Check backends.${spec.id}.base_url (OLLAMA_BASE_URL): give the Engine a static IP or hostname`,
        );
      }
    },
  };
}

export function modelsPulledCheck(target: OllamaTarget, timeouts: DoctorTimeouts): DoctorCheck {
  const { spec } = target;
  const models = servedModels(spec);
  return {
    id: `models-pulled:${spec.id}`,
    title: `Models pulled on "${spec.id}"`,
    timeoutMs: timeouts.networkMs,
    requires: [`engine-reachable:${spec.id}`],
    run: async (signal) => {
      const installed = await listInstalledOllamaModels(connection(target, signal, timeouts.networkMs));
      const missing = models.filter((model) => !installed.some((entry) => sameModel(entry.name, model)));
      if (missing.length === 0) return passed(`${models.join(", ")} pulled`);
      return failed(
        `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not pulled (the Engine has ${installed.map((entry) => entry.name).join(", ") || "no models"})`,
        `On the Engine: ${missing.map((model) => `ollama pull ${model}`).join(" && ")} — or from here: switchyard engine pull`,
      );
    },
  };
}

export function modelsResidentCheck(target: OllamaTarget, timeouts: DoctorTimeouts): DoctorCheck {
  const { spec } = target;
  const models = servedModels(spec);
  return {
    id: `models-resident:${spec.id}`,
    title: `Models resident together on "${spec.id}" after warm-up`,
    timeoutMs: timeouts.warmMs,
    requires: [`models-pulled:${spec.id}`],
    run: async (signal) => {
      const report = await warmEngine(
        connection(target, signal, timeouts.warmMs),
        models,
        spec.contextWindows,
      );
      if (report.failures.length > 0) {
        return failed(
          report.failures.map((failure) => failure.message).join("; "),
          "Free memory on the Engine (switchyard engine profile), or pull the model again",
        );
      }
      const sizes = report.loaded
        .filter((entry) => models.some((model) => sameModel(model, entry.name)))
        .map((entry) => {
          const vram = entry.sizeVramBytes ?? entry.sizeBytes ?? 0;
          const context = entry.contextLength ? `, ctx ${entry.contextLength}` : "";
          return `${entry.name} ${gigabytes(vram)}${context}`;
        });
      if (report.evicted.length > 0) {
        return failed(
          `only ${report.resident.join(", ") || "nothing"} stayed loaded: ${report.evicted.join(", ")} loaded and was evicted again, so requests would swap models`,
          `Set OLLAMA_MAX_LOADED_MODELS=${models.length} in Ollama's service, and fit the memory: switchyard engine profile --memory-gb <GB> --write (fewer slots, smaller windows, q8_0 KV, a raised GPU limit)`,
        );
      }
      const onCpu = report.loaded.filter(
        (entry) =>
          entry.sizeBytes !== undefined && (entry.sizeVramBytes ?? entry.sizeBytes) < entry.sizeBytes,
      );
      if (onCpu.length > 0) {
        return warned(
          `resident (${sizes.join("; ")}), but ${onCpu.map((entry) => entry.name).join(", ")} runs partly on the CPU: slower`,
          "Raise the GPU limit or shrink the profile: switchyard engine profile",
        );
      }
      return passed(`${sizes.join("; ")} — resident together`);
    },
  };
}

export function slotsCheck(
  target: OllamaTarget,
  config: SwitchyardConfig,
  timeouts: DoctorTimeouts,
): DoctorCheck {
  const { spec } = target;
  const [alias, model] = [...spec.serves][0] ?? ["", ""];
  return {
    id: `slots:${spec.id}`,
    title: `Slots on "${spec.id}": ${spec.slots} requests at once (OLLAMA_NUM_PARALLEL), measured`,
    timeoutMs: timeouts.probeMs,
    requires: [`models-resident:${spec.id}`],
    run: async (signal, timer) => {
      const think = config.aliases[alias]?.think;
      const numCtx = spec.contextWindows?.get(model);
      const result = await probeSlots({
        baseUrl: target.baseUrl,
        model,
        concurrency: spec.slots,
        signal,
        timer,
        windowMs: timeouts.probeWindowMs,
        ...(think === undefined ? {} : { think }),
        ...(numCtx === undefined ? {} : { numCtx }),
      });
      if (result.ending === "all-failed")
        return failed(`every probe of ${model} failed: ${result.errors[0]}`, "See the Engine's Ollama log");
      if (result.measured >= spec.slots)
        return passed(`${result.measured} of ${spec.slots} concurrent requests to ${model} ran at once`);
      if (result.ending === "stopped-early") {
        return warned(
          `${result.measured} of ${spec.slots} ran at once before one probe stopped short: inconclusive`,
          "Run the doctor again while the Engine is idle",
        );
      }
      return failed(
        `only ${result.measured} of ${spec.slots} concurrent requests to ${model} ran at once; Ollama queued the rest${result.errors.length > 0 ? ` (${result.errors.length} failed: ${result.errors[0]})` : ""}`,
        `Set OLLAMA_NUM_PARALLEL=${spec.slots} in Ollama's service and restart it (Ollama also lowers it when memory is short: switchyard engine profile), or set backends.${spec.id}.slots: ${Math.max(1, result.measured)}`,
      );
    },
  };
}

/**
 * The configured profile against the Engine's memory. `machineMemoryGB`: the memory of the machine
 * the doctor runs on, when that is the Engine; otherwise `memory_gb` from the config is believed.
 */
export function profileFitsCheck(
  settings: EngineSettings,
  timeouts: DoctorTimeouts,
  machineMemoryGB?: number,
): DoctorCheck {
  return {
    id: `profile:${settings.engineId}`,
    title: `Engine profile of "${settings.engineId}" fits its memory`,
    timeoutMs: timeouts.networkMs,
    run: async () => {
      const memoryGB = machineMemoryGB ?? settings.memoryGB;
      // A GPU budget set for a machine of another size says nothing about this one.
      const sameMachine = Math.abs(memoryGB - settings.memoryGB) < 1;
      const evaluated = evaluateEngineSettings({
        ...settings,
        memoryGB,
        gpuMemoryGB: sameMachine ? settings.gpuMemoryGB : undefined,
      });
      const windows = evaluated.windows.map(
        (window) => `${window.aliases.join("/")} ${window.contextWindow}`,
      );
      const summary = `${evaluated.totalGB.toFixed(1)} GB of a ${evaluated.gpuMemoryGB.toFixed(0)} GB GPU budget at ${settings.slots} slots, ${settings.kvCache} KV (${windows.join(", ")})`;
      const fix = `switchyard engine profile --memory-gb ${Math.round(memoryGB)} --write`;
      if (!evaluated.fits)
        return failed(`the models need ${summary}: they cannot stay resident together`, fix);
      const capped = settings.aliases.filter((alias) => {
        const trained = modelProfile(alias.model).trainedContextTokens;
        return trained !== undefined && alias.contextWindow > trained;
      });
      if (capped.length > 0) {
        return warned(
          `fits (${summary}), but ${capped.map((alias) => `${alias.alias}'s context_window ${alias.contextWindow}`).join(", ")} is above the model's trained context, which Ollama caps it at`,
          fix,
        );
      }
      if (!sameMachine) {
        return warned(
          `fits this machine's ${memoryGB.toFixed(0)} GB (${summary}), but the config says memory_gb ${settings.memoryGB}`,
          `Set backends.${settings.engineId}.memory_gb: ${memoryGB.toFixed(0)} in the Brain's config (${fix})`,
        );
      }
      return passed(summary);
    },
  };
}
