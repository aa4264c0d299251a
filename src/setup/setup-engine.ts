/**
 * `switchyard setup engine`: the Engine's Ollama as a service. On macOS, a launchd agent running
 * `ollama serve` at login (at boot, with automatic login) with the Engine's environment, its log
 * in ~/Library/Logs/Switchyard, and the hourly job that rotates that log. On Linux, Ollama's
 * installer already made a systemd service; the environment goes into its drop-in, shown as a step.
 */
import { join } from "node:path";
import { launchdJobPlist, plistXml } from "./service-launchd.js";
import { logRotationJob } from "./service-log-rotation.js";
import { ENGINE_MACOS_STEPS, engineLinuxSteps, launchdLoadStep } from "./setup-manual-steps.js";
import type { SetupPlan, SetupPlatform } from "./setup-plan.js";

export const ENGINE_LABEL = "com.switchyard.engine";
export const ENGINE_LOG_ROTATION_LABEL = "com.switchyard.engine.log-rotation";

/** The part of an Engine's config its service environment follows. */
export interface EngineServiceFacts {
  /** The Engine's URL in the Brain's config: its port is the one Ollama listens on. */
  baseUrl?: string;
  /** Requests per model at once (`slots`). */
  slots?: number;
  /** Models it holds at once (`max_loaded_models`). */
  maxLoadedModels?: number;
}

/**
 * The Engine's Ollama environment: the reference setup's values, with the slots, model count and
 * port the config gives the Engine.
 *
 * `switchyard setup engine` lays the Engine profile in the config (slots, KV cache:
 * `engineServiceSettingsFromConfig` in planning/engine-profile.ts) over these.
 */
export function engineServiceEnvironmentDefaults(facts: EngineServiceFacts = {}): Record<string, string> {
  const port = facts.baseUrl ? new URL(facts.baseUrl).port : "";
  return {
    // All interfaces, so the Brain can reach it over the LAN.
    OLLAMA_HOST: port && port !== "11434" ? `0.0.0.0:${port}` : "0.0.0.0",
    OLLAMA_NUM_PARALLEL: String(facts.slots ?? 2),
    OLLAMA_MAX_LOADED_MODELS: String(facts.maxLoadedModels ?? 2),
    // Never unload a model for being idle: the Brain keeps both resident.
    OLLAMA_KEEP_ALIVE: "-1",
    // Half the KV cache memory of f16 for a negligible quality cost; needs flash attention.
    OLLAMA_KV_CACHE_TYPE: "q8_0",
    OLLAMA_FLASH_ATTENTION: "1",
  };
}

export interface EngineSetupInput {
  home: string;
  platform: SetupPlatform;
  /** Absolute path of the ollama binary (launchd has no useful PATH). */
  ollamaPath: string;
  environment: Record<string, string>;
}

export function engineSetupPlan(input: EngineSetupInput): SetupPlan {
  if (input.platform === "linux") {
    return { files: [], directories: [], manualSteps: engineLinuxSteps(input.environment), notes: [] };
  }
  const agents = join(input.home, "Library", "LaunchAgents");
  const logs = join(input.home, "Library", "Logs", "Switchyard");
  const logPath = join(logs, "ollama.log");
  const plistPath = join(agents, `${ENGINE_LABEL}.plist`);
  const rotationPath = join(agents, `${ENGINE_LOG_ROTATION_LABEL}.plist`);
  const service = launchdJobPlist({
    label: ENGINE_LABEL,
    programArguments: [input.ollamaPath, "serve"],
    environment: input.environment,
    logPath,
    keepAlive: true,
    // Inference is the machine's one job: no background throttling of CPU or I/O.
    processType: "Interactive",
  });
  return {
    files: [
      {
        path: plistPath,
        content: plistXml(service),
        mode: 0o644,
        description: "the Engine's launchd agent (ollama serve)",
      },
      {
        path: rotationPath,
        content: plistXml(launchdJobPlist(logRotationJob(ENGINE_LOG_ROTATION_LABEL, [logPath]))),
        mode: 0o644,
        description: "hourly rotation of the Engine's log",
      },
    ],
    directories: [logs],
    manualSteps: [
      launchdLoadStep({
        plists: [plistPath, rotationPath],
        home: input.home,
        check: "curl -s http://localhost:11434/api/version",
        logPath,
      }),
      ...ENGINE_MACOS_STEPS,
    ],
    notes: [],
  };
}
