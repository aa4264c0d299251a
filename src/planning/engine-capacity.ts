/**
 * The upgrade questions, answered by simulation: the configured Engines today, with a second Engine
 * (serving both models, or split coding / reasoning), and with the Engine replaced by a 96 GB M3
 * Ultra. Each scenario runs the workload as it arrives (queue waits, latency) and as one burst
 * (how much it can do), and says what fits in memory and at which context. Pure; the CLI renders it.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import { engineSpecs } from "../engines/engine-spec.js";
import {
  HARDWARE,
  HARDWARE_SOURCES,
  type HardwareProfile,
  KV_CACHE_SCALE,
  type KvCacheType,
  largestFittingContext,
  modelProfile,
  perStreamShare,
} from "./engine-hardware.js";
import { planEngine, type SimulatedEngine, type SimulationResult, simulate } from "./engine-simulation.js";
import type { SimulatedRequest } from "./engine-workload.js";

export interface Scenario {
  name: string;
  engines: SimulatedEngine[];
}

export interface ScenarioResult extends Scenario {
  /** The workload as it arrives. */
  load: SimulationResult;
  /** The same requests all at once: throughput at saturation. */
  capacity: SimulationResult;
  /** What fits, and the context that would let every model stay loaded. */
  notes: string[];
}

export interface CapacityPlan {
  workload: string;
  scenarios: ScenarioResult[];
  sources: string[];
}

export interface CapacityOptions {
  /** The hardware the configured Engines run on today; default the M4 Max 64 GB. */
  todayHardware?: HardwareProfile;
  maxWaitSeconds?: number;
  /** What-ifs applied to every Engine: num_ctx per slot, slots, and the KV cache type. */
  contextTokens?: number;
  slots?: number;
  kvCache?: KvCacheType;
}

/** A saturation burst needs enough requests to reach a steady rate, not every one of a long replay. */
const burstLimit = 400;

/** The four scenarios, built from the configured Engines. */
export function capacityScenarios(config: SwitchyardConfig, options: CapacityOptions = {}): Scenario[] {
  const today = options.todayHardware ?? HARDWARE["m4-max-64"]!;
  const ultra = HARDWARE["m3-ultra-96"]!;
  const engines: SimulatedEngine[] = engineSpecs(config).map((spec) => {
    const backend = config.backends[spec.id];
    const configured = backend?.type === "ollama" ? backend : undefined;
    // Ollama's own default num_ctx when an alias sets no context_window.
    const contextByModel: Record<string, number> = {};
    for (const [alias, model] of spec.serves)
      contextByModel[model] = Math.max(
        contextByModel[model] ?? 0,
        config.aliases[alias]?.context_window ?? 4_096,
      );
    return {
      name: spec.id,
      hardware: today,
      models: [...new Set(spec.serves.values())],
      slots: options.slots ?? spec.slots,
      contextTokens: options.contextTokens ?? Math.max(4_096, ...Object.values(contextByModel)),
      ...(options.contextTokens === undefined ? { contextByModel } : {}),
      kvScale: KV_CACHE_SCALE[options.kvCache ?? configured?.kv_cache_type ?? "f16"],
      // A configured GPU budget belongs to the machine it was set for, not to other hardware.
      ...(configured?.gpu_memory_gb !== undefined &&
      (configured.memory_gb ?? today.memoryGB) === today.memoryGB
        ? { gpuBudgetGB: configured.gpu_memory_gb }
        : {}),
    };
  });
  const allModels = [...new Set(engines.flatMap((engine) => engine.models))];
  const template = engines[0] ?? {
    name: "engine",
    hardware: today,
    models: allModels,
    slots: options.slots ?? 4,
    contextTokens: options.contextTokens ?? 4_096,
  };
  const scenarios: Scenario[] = [
    { name: `today: ${describe(engines)}`, engines },
    {
      name: `+ a second ${short(today)} serving every model`,
      engines: [...engines, { ...template, name: "engine-2", models: allModels }],
    },
  ];
  if (allModels.length > 1) {
    scenarios.push({
      name: `2 × ${short(today)}, one per model (coding / reasoning)`,
      engines: [
        { ...template, name: "coding", models: allModels.slice(0, 1) },
        { ...template, name: "reasoning", models: allModels.slice(1) },
      ],
    });
  }
  scenarios.push({
    name: `the Engine replaced by a ${short(ultra)}`,
    engines: engines.map(({ gpuBudgetGB: _today, ...engine }) => ({ ...engine, hardware: ultra })),
  });
  return scenarios;
}

export function runCapacityPlan(
  scenarios: Scenario[],
  workload: SimulatedRequest[],
  workloadLabel: string,
  options: CapacityOptions = {},
): CapacityPlan {
  const step = Math.max(1, workload.length / burstLimit);
  const burst = Array.from({ length: Math.min(workload.length, burstLimit) }, (_, index) => ({
    ...workload[Math.floor(index * step)]!,
    arrivalSeconds: 0,
  }));
  const maxWaitSeconds = options.maxWaitSeconds ?? 30;
  return {
    workload: workloadLabel,
    scenarios: scenarios.map((scenario) => ({
      ...scenario,
      load: simulate({ engines: scenario.engines, requests: workload, maxWaitSeconds }),
      capacity: simulate({ engines: scenario.engines, requests: burst, maxWaitSeconds }),
      notes: scenario.engines.map(engineNote),
    })),
    sources: HARDWARE_SOURCES,
  };
}

function engineNote(engine: SimulatedEngine): string {
  const plan = planEngine(engine);
  const needed = Object.values(plan.footprintsGB).reduce((sum, value) => sum + value, 0);
  const profiles = engine.models.map(modelProfile);
  const speeds = engine.models.map((model) => {
    const speed = plan.speeds[model]!;
    const offload = speed.offloadShare > 0 ? `, ${(speed.offloadShare * 100).toFixed(0)}% on the CPU` : "";
    return `${model} ${speed.decodeTokensPerSecond.toFixed(1)} tok/s alone, ${(speed.decodeTokensPerSecond * engine.slots * perStreamShare(engine.slots)).toFixed(0)} with ${engine.slots} streams${offload}`;
  });
  const holds =
    plan.capacity >= engine.models.length
      ? "all resident together"
      : `holds ${plan.capacity} at a time, so it swaps (${plan.speeds[engine.models[0]!]?.loadSeconds.toFixed(0)} s per load)`;
  const lines = [
    `${engine.name} (${short(engine.hardware)}): ${engine.models.length} model(s) need ${needed.toFixed(1)} GB at num_ctx ${contexts(engine)} × ${engine.slots} slots of a ${plan.usableGB.toFixed(0)} GB GPU budget — ${holds}; ${speeds.join("; ")}`,
  ];
  if (
    plan.capacity < engine.models.length ||
    Object.values(plan.footprintsGB).some((gb) => gb > plan.usableGB)
  ) {
    const f16 = largestFittingContext(engine.hardware, profiles, engine.slots);
    const q8 = largestFittingContext(engine.hardware, profiles, engine.slots, KV_CACHE_SCALE.q8_0);
    lines.push(
      `  to keep ${engine.models.length > 1 ? "every model" : "it"} resident on the GPU with ${engine.slots} slots: num_ctx ≤ ${f16 ?? "(none fits)"} (f16 KV), or ≤ ${q8 ?? "(none fits)"} with OLLAMA_KV_CACHE_TYPE=q8_0; or fewer slots, or raise the GPU wired limit (switchyard engine profile chooses)`,
    );
  }
  return lines.join("\n");
}

export function formatCapacityPlan(plan: CapacityPlan): string {
  const seconds = (value: number) => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} s`;
  const lines = [
    `Capacity plan — workload: ${plan.workload}`,
    "",
    `${"scenario".padEnd(52)} ${"wait p50".padStart(8)} ${"wait p95".padStart(8)} ${"TTFT p95".padStart(8)} ${"lat. p95".padStart(8)} ${"loads".padStart(5)} ${">wait".padStart(6)} ${"cap. req/h".padStart(10)} ${"out tok/s".padStart(9)}`,
  ];
  for (const scenario of plan.scenarios) {
    const { load, capacity } = scenario;
    lines.push(
      `${scenario.name.slice(0, 52).padEnd(52)} ${seconds(load.wait.p50).padStart(8)} ${seconds(load.wait.p95).padStart(8)} ${seconds(load.timeToFirstToken.p95).padStart(8)} ${seconds(load.latency.p95).padStart(8)} ${String(load.loads).padStart(5)} ${`${(load.overMaxWaitShare * 100).toFixed(0)}%`.padStart(6)} ${capacity.requestsPerHour.toFixed(0).padStart(10)} ${capacity.outputTokensPerSecond.toFixed(0).padStart(9)}`,
    );
  }
  lines.push(
    "",
    "wait: arrival to the start of work (queue and model loads); >wait: share that waited past queue.max_wait_ms",
    "(those would move up the ladder to a paid model); cap.: the same requests sent all at once.",
    "",
    "Engines in each scenario:",
  );
  for (const scenario of plan.scenarios) {
    lines.push(`  ${scenario.name}`);
    for (const note of scenario.notes) lines.push(...note.split("\n").map((line) => `    ${line}`));
  }
  lines.push("", "Sources and assumptions:", ...plan.sources.map((source) => `  - ${source}`));
  return lines.join("\n");
}

/** The local model a task kind starts on, or undefined when it starts in the cloud. */
export function localModelForTask(config: SwitchyardConfig, task: string): string | undefined {
  const alias = config.tasks[task as keyof SwitchyardConfig["tasks"]]?.alias;
  const entry = alias === undefined ? undefined : config.aliases[alias];
  return entry && config.backends[entry.backend]?.type === "ollama" ? entry.model : undefined;
}

/** "32768" when every model has the same window, else "32768/12288" in model order. */
function contexts(engine: SimulatedEngine): string {
  const windows = engine.models.map((model) => engine.contextByModel?.[model] ?? engine.contextTokens);
  return new Set(windows).size === 1 ? String(windows[0]) : windows.join("/");
}

function describe(engines: SimulatedEngine[]): string {
  if (engines.length === 0) return "no Engines";
  return engines.map((engine) => `${engine.name} ${short(engine.hardware)}`).join(", ");
}

function short(hardware: HardwareProfile): string {
  return hardware.key === "m3-ultra-96"
    ? "M3 Ultra 96 GB"
    : hardware.key === "m4-max-64"
      ? "M4 Max 64 GB"
      : hardware.name;
}
