/**
 * The Engine profile: the settings that keep every model an Engine serves resident at once — a
 * context window per model, the slots per model (`OLLAMA_NUM_PARALLEL`), the KV cache type and the
 * GPU's share of memory — and the trade-off between them. Ollama allocates `num_ctx × slots` tokens
 * of KV cache per loaded model, so windows, slots and the second model compete for one budget:
 * Claude Code's ~25k-token agent turns want a large window on the alias that takes tools, parallel
 * work wants slots, and both models must still fit or the Engine swaps.
 *
 * How a profile is chosen (`computeEngineProfile`): every window starts at its minimum — enough
 * for a Claude Code turn on the aliases that take tools, 8k elsewhere — then grows, Claude Code's
 * first, towards its target, never past the model's trained context (Ollama caps `num_ctx` there).
 * Among the slot counts and GPU budgets whose minimums fit, the most slots win, then the larger
 * Claude Code window, then macOS's default GPU budget over a raised wired limit (no sysctl to keep
 * set). Pure; the CLI prints it, writes it into the config and `doctor` checks the config with it.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import { engineSpecs } from "../engines/engine-spec.js";
import { DEFAULT_OUTPUT_RESERVE_TOKENS } from "../routing/context-fit.js";
import type { ConfigValueEdit } from "./config-value-edit.js";
import {
  KV_CACHE_SCALE,
  type KvCacheType,
  MACOS_DEFAULT_GPU_SHARE,
  modelProfile,
  PER_MODEL_OVERHEAD_GB,
} from "./engine-hardware.js";

/** Windows move in steps of this many tokens. */
const WINDOW_STEP = 4_096;
/** The smallest window worth serving (Ollama's own default num_ctx). */
const WINDOW_FLOOR = 4_096;
/** Drafting and reasoning prompts: the least a model without Claude Code's turns gets. */
const OTHER_MINIMUM = 8_192;
/** Beyond this the reasoner's drafts gain little; memory is better left as headroom. */
const OTHER_TARGET = 32_768;
/** Claude Code's alias grows to this when memory allows: room for a long session. */
const CLAUDE_CODE_TARGET = 65_536;

/** Claude Code's system prompt and tool definitions: the low end of the 25–30k tokens it sends. */
export const CLAUDE_CODE_TURN_TOKENS = 25_000;

/** One alias on the Engine, and whether Claude Code's agent turns (they carry tools) land on it. */
export interface ProfileAlias {
  alias: string;
  model: string;
  carriesClaudeCode: boolean;
}

/** One loaded model: its window (every alias on it gets the same, or Ollama reloads between them). */
export interface ProfileWindow {
  model: string;
  aliases: string[];
  carriesClaudeCode: boolean;
  contextWindow: number;
  /** The least this model should get: a Claude Code turn plus its answer, or 8k. */
  minimumWindow: number;
  trainedContextTokens: number | undefined;
  /** Weights, KV cache at `contextWindow × slots` and Ollama's buffers. */
  footprintGB: number;
}

/** A set of Engine settings and what they come to. */
export interface ProfileCandidate {
  slots: number;
  kvCache: KvCacheType;
  memoryGB: number;
  /** What the GPU may use, GB. */
  gpuMemoryGB: number;
  /** True when `gpuMemoryGB` is above macOS's default share: the wired limit must be raised. */
  raisesGpuLimit: boolean;
  windows: ProfileWindow[];
  totalGB: number;
  /** Kept free inside the GPU budget for what the estimate misses. */
  headroomGB: number;
  /** Every model resident at once: `totalGB` within the budget less the headroom. */
  fits: boolean;
  /** Every window at least its minimum. */
  meetsMinimums: boolean;
  /** Claude Code turns that can run locally at once (slots on a window that holds a turn). */
  claudeCodeTurnsAtOnce: number;
  /** Tokens of conversation a local Claude Code turn may carry beyond its start (0 when none fits). */
  claudeCodeRoomTokens: number;
  /** Requests the Engine runs at once, over every model. */
  parallelRequests: number;
}

export interface EngineProfile extends ProfileCandidate {
  /** The other slot counts at the same GPU budget: the trade-off. */
  alternatives: ProfileCandidate[];
  /** The best profile at macOS's default GPU budget, when the chosen one raises it. */
  withoutRaisingLimit: ProfileCandidate | undefined;
}

export interface ProfileOptions {
  memoryGB: number;
  aliases: ProfileAlias[];
  /** Default q8_0: half the memory of f16 for a negligible loss. */
  kvCache?: KvCacheType;
  /** Fix the slots instead of choosing from 1 to `maxSlots`. */
  slots?: number;
  maxSlots?: number;
  /** Fix the GPU budget instead of choosing between macOS's default and a raised limit. */
  gpuMemoryGB?: number;
  /** Left to the operating system when the wired limit is raised; default 8 GB. */
  systemReserveGB?: number;
  /** Kept free inside the GPU budget; default 1 GB. */
  headroomGB?: number;
  claudeCodeTurnTokens?: number;
}

/** The settings an Engine runs with today, read from the config (for `doctor` and the simulator). */
export interface EngineSettings {
  engineId: string;
  memoryGB: number;
  /** Configured `gpu_memory_gb`; undefined means macOS's default share. */
  gpuMemoryGB: number | undefined;
  slots: number;
  kvCache: KvCacheType;
  /** Per alias: its model and `context_window` (Ollama's 4,096 when unset). */
  aliases: Array<ProfileAlias & { contextWindow: number }>;
}

/** The reference Engine's memory, assumed when the config does not give `memory_gb`. */
export const REFERENCE_ENGINE_MEMORY_GB = 64;

export function computeEngineProfile(options: ProfileOptions): EngineProfile {
  const kvCache = options.kvCache ?? "q8_0";
  const defaultBudget = options.memoryGB * MACOS_DEFAULT_GPU_SHARE;
  const raisedBudget = options.memoryGB - (options.systemReserveGB ?? 8);
  const budgets =
    options.gpuMemoryGB !== undefined
      ? [options.gpuMemoryGB]
      : raisedBudget > defaultBudget
        ? [defaultBudget, raisedBudget]
        : [defaultBudget];
  const slotCounts =
    options.slots !== undefined
      ? [options.slots]
      : Array.from({ length: options.maxSlots ?? 4 }, (_, index) => index + 1);
  const candidates = budgets.flatMap((gpuMemoryGB) =>
    slotCounts.map((slots) => fillWindows({ ...options, kvCache, slots, gpuMemoryGB })),
  );
  const chosen = best(candidates);
  const defaultOnes = candidates.filter((candidate) => !candidate.raisesGpuLimit);
  return {
    ...chosen,
    alternatives: candidates.filter((candidate) => candidate.gpuMemoryGB === chosen.gpuMemoryGB),
    withoutRaisingLimit: chosen.raisesGpuLimit && defaultOnes.length > 0 ? best(defaultOnes) : undefined,
  };
}

/** What configured settings come to: footprints, fit, Claude Code turns. */
export function evaluateEngineSettings(settings: EngineSettings, headroomGB = 1): ProfileCandidate {
  const groups = groupByModel(settings.aliases, CLAUDE_CODE_TURN_TOKENS);
  const windows = groups.map((group) => {
    const configured = Math.max(
      ...settings.aliases.filter((alias) => alias.model === group.model).map((alias) => alias.contextWindow),
    );
    // Ollama serves no more than the trained context, whatever num_ctx asks for.
    return Math.min(configured, group.trainedContextTokens ?? Number.POSITIVE_INFINITY);
  });
  return candidate({
    groups,
    windows,
    slots: settings.slots,
    kvCache: settings.kvCache,
    memoryGB: settings.memoryGB,
    gpuMemoryGB: settings.gpuMemoryGB ?? settings.memoryGB * MACOS_DEFAULT_GPU_SHARE,
    headroomGB,
    turnTokens: CLAUDE_CODE_TURN_TOKENS,
  });
}

/** An Engine's settings from the config: the first Engine, or the one named. */
export function engineSettingsFromConfig(
  config: SwitchyardConfig,
  engineId?: string,
): EngineSettings | undefined {
  const spec = engineSpecs(config).find((entry) => engineId === undefined || entry.id === engineId);
  const backend = spec ? config.backends[spec.id] : undefined;
  if (!spec || backend?.type !== "ollama") return undefined;
  return {
    engineId: spec.id,
    memoryGB: backend.memory_gb ?? REFERENCE_ENGINE_MEMORY_GB,
    gpuMemoryGB: backend.gpu_memory_gb,
    slots: spec.slots,
    kvCache: backend.kv_cache_type,
    aliases: [...spec.serves].map(([alias, model]) => ({
      alias,
      model,
      carriesClaudeCode: config.aliases[alias]?.tools !== false,
      contextWindow: config.aliases[alias]?.context_window ?? 4_096,
    })),
  };
}

/**
 * The environment Ollama's service needs for a profile: listen on the LAN, hold every served model
 * at once, the slots, and the KV cache type with flash attention (the quantised caches need it, and
 * it shrinks the compute buffers of f16 too). The launchd/systemd generators write exactly this.
 */
export function engineServiceEnvironment(profile: {
  slots: number;
  kvCache: KvCacheType;
  windows: readonly unknown[];
}): Record<string, string> {
  return {
    OLLAMA_HOST: "0.0.0.0",
    OLLAMA_NUM_PARALLEL: String(profile.slots),
    OLLAMA_MAX_LOADED_MODELS: String(Math.max(1, profile.windows.length)),
    OLLAMA_KV_CACHE_TYPE: profile.kvCache,
    OLLAMA_FLASH_ATTENTION: "1",
  };
}

/**
 * What an Engine's service needs, as the config describes the Engine: Ollama's environment and,
 * when the config's GPU budget is above macOS's default share, `iogpu.wired_limit_mb`. The
 * launchd/systemd generators (`switchyard setup engine`) and `doctor` both start from this.
 */
export function engineServiceSettingsFromConfig(
  config: SwitchyardConfig,
  engineId?: string,
): { environment: Record<string, string>; gpuWiredLimitMb: number | undefined } | undefined {
  const settings = engineSettingsFromConfig(config, engineId);
  if (!settings) return undefined;
  const evaluated = evaluateEngineSettings(settings);
  return { environment: engineServiceEnvironment(evaluated), gpuWiredLimitMb: gpuWiredLimitMb(evaluated) };
}

/** The config keys a profile sets: the Engine's slots, memory, GPU budget and KV cache, each alias's window. */
export function profileConfigEdits(profile: ProfileCandidate, engineId: string): ConfigValueEdit[] {
  const engine = ["backends", engineId];
  return [
    { path: [...engine, "slots"], value: profile.slots },
    { path: [...engine, "memory_gb"], value: profile.memoryGB },
    { path: [...engine, "gpu_memory_gb"], value: Number(profile.gpuMemoryGB.toFixed(1)) },
    { path: [...engine, "kv_cache_type"], value: profile.kvCache },
    ...profile.windows.flatMap((window) =>
      window.aliases.map((alias) => ({
        path: ["aliases", alias, "context_window"],
        value: window.contextWindow,
      })),
    ),
  ];
}

/** `sysctl iogpu.wired_limit_mb` for a profile that raises the GPU's share (macOS counts MiB). */
export function gpuWiredLimitMb(profile: {
  gpuMemoryGB: number;
  raisesGpuLimit: boolean;
}): number | undefined {
  return profile.raisesGpuLimit ? Math.round(profile.gpuMemoryGB * 1024) : undefined;
}

interface ModelGroup {
  model: string;
  aliases: string[];
  carriesClaudeCode: boolean;
  trainedContextTokens: number | undefined;
  weightsGB: number;
  kvBytesPerToken: number;
  minimumWindow: number;
  targetWindow: number;
}

function groupByModel(aliases: readonly ProfileAlias[], turnTokens: number): ModelGroup[] {
  const groups: ModelGroup[] = [];
  for (const entry of aliases) {
    let group = groups.find((candidate) => candidate.model === entry.model);
    if (!group) {
      const profile = modelProfile(entry.model);
      group = {
        model: entry.model,
        aliases: [],
        carriesClaudeCode: false,
        trainedContextTokens: profile.trainedContextTokens,
        weightsGB: profile.weightsGB,
        kvBytesPerToken: profile.kvBytesPerToken,
        minimumWindow: 0,
        targetWindow: 0,
      };
      groups.push(group);
    }
    group.aliases.push(entry.alias);
    group.carriesClaudeCode ||= entry.carriesClaudeCode;
  }
  for (const group of groups) {
    const ceiling = group.trainedContextTokens ?? Number.POSITIVE_INFINITY;
    const turn = roundUp(turnTokens + DEFAULT_OUTPUT_RESERVE_TOKENS);
    group.minimumWindow = Math.min(ceiling, group.carriesClaudeCode ? turn : OTHER_MINIMUM);
    group.targetWindow = Math.min(ceiling, group.carriesClaudeCode ? CLAUDE_CODE_TARGET : OTHER_TARGET);
  }
  return groups;
}

/** Windows for one slot count and budget: minimums first (Claude Code's first), then targets. */
function fillWindows(
  options: ProfileOptions & { kvCache: KvCacheType; slots: number; gpuMemoryGB: number },
): ProfileCandidate {
  const turnTokens = options.claudeCodeTurnTokens ?? CLAUDE_CODE_TURN_TOKENS;
  const headroomGB = options.headroomGB ?? 1;
  const groups = groupByModel(options.aliases, turnTokens);
  const perTokenGB = (group: ModelGroup) =>
    (options.slots * group.kvBytesPerToken * KV_CACHE_SCALE[options.kvCache]) / 1e9;
  const windows = groups.map((group) => Math.min(WINDOW_FLOOR, group.targetWindow));
  let leftGB =
    options.gpuMemoryGB -
    headroomGB -
    groups.reduce(
      (sum, group, index) =>
        sum + group.weightsGB + PER_MODEL_OVERHEAD_GB + windows[index]! * perTokenGB(group),
      0,
    );
  const passes: Array<[claudeCode: boolean, goal: "minimumWindow" | "targetWindow"]> = [
    [true, "minimumWindow"],
    [false, "minimumWindow"],
    [true, "targetWindow"],
    [false, "targetWindow"],
  ];
  for (const [claudeCode, goal] of passes) {
    for (const [index, group] of groups.entries()) {
      if (group.carriesClaudeCode !== claudeCode) continue;
      const stepGB = WINDOW_STEP * perTokenGB(group);
      while (windows[index]! + WINDOW_STEP <= group[goal] && stepGB <= leftGB) {
        windows[index]! += WINDOW_STEP;
        leftGB -= stepGB;
      }
    }
  }
  return candidate({ ...options, groups, windows, headroomGB, turnTokens });
}

function candidate(input: {
  groups: ModelGroup[];
  windows: number[];
  slots: number;
  kvCache: KvCacheType;
  memoryGB: number;
  gpuMemoryGB: number;
  headroomGB: number;
  turnTokens: number;
}): ProfileCandidate {
  const { groups, slots, kvCache } = input;
  const windows: ProfileWindow[] = groups.map((group, index) => {
    const contextWindow = input.windows[index]!;
    const kvGB = (contextWindow * slots * group.kvBytesPerToken * KV_CACHE_SCALE[kvCache]) / 1e9;
    return {
      model: group.model,
      aliases: group.aliases,
      carriesClaudeCode: group.carriesClaudeCode,
      contextWindow,
      minimumWindow: group.minimumWindow,
      trainedContextTokens: group.trainedContextTokens,
      footprintGB: group.weightsGB + PER_MODEL_OVERHEAD_GB + kvGB,
    };
  });
  const totalGB = windows.reduce((sum, window) => sum + window.footprintGB, 0);
  const claudeWindow = Math.max(
    0,
    ...windows.filter((window) => window.carriesClaudeCode).map((window) => window.contextWindow),
  );
  const room = claudeWindow - DEFAULT_OUTPUT_RESERVE_TOKENS - input.turnTokens;
  return {
    slots,
    kvCache,
    memoryGB: input.memoryGB,
    gpuMemoryGB: input.gpuMemoryGB,
    raisesGpuLimit: input.gpuMemoryGB > input.memoryGB * MACOS_DEFAULT_GPU_SHARE + 1e-9,
    windows,
    totalGB,
    headroomGB: input.headroomGB,
    fits: totalGB <= input.gpuMemoryGB - input.headroomGB + 1e-9,
    meetsMinimums: windows.every((window) => window.contextWindow >= window.minimumWindow),
    claudeCodeTurnsAtOnce: room >= 0 ? slots : 0,
    claudeCodeRoomTokens: Math.max(0, room),
    parallelRequests: slots * windows.length,
  };
}

/** Most slots, then the larger Claude Code window, then no raised limit, then the larger windows. */
function best(candidates: ProfileCandidate[]): ProfileCandidate {
  const claudeWindow = (candidate: ProfileCandidate) =>
    Math.max(0, ...candidate.windows.filter((w) => w.carriesClaudeCode).map((w) => w.contextWindow));
  const allWindows = (candidate: ProfileCandidate) =>
    candidate.windows.reduce((sum, window) => sum + window.contextWindow, 0);
  const good = candidates.filter((candidate) => candidate.fits && candidate.meetsMinimums);
  const fitting = candidates.filter((candidate) => candidate.fits);
  const ranked = good.length > 0 ? good : fitting;
  if (ranked.length === 0) {
    // Nothing fits: the least impossible, so the output can say by how much.
    return [...candidates].sort((left, right) => left.totalGB - right.totalGB)[0]!;
  }
  return [...ranked].sort(
    (left, right) =>
      (good.length > 0 ? right.slots - left.slots : 0) ||
      claudeWindow(right) - claudeWindow(left) ||
      (good.length > 0 ? 0 : right.slots - left.slots) ||
      Number(left.raisesGpuLimit) - Number(right.raisesGpuLimit) ||
      allWindows(right) - allWindows(left),
  )[0]!;
}

function roundUp(tokens: number): number {
  return Math.ceil(tokens / WINDOW_STEP) * WINDOW_STEP;
}
