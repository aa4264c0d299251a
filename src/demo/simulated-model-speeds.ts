/**
 * How fast the demo's simulated models are, in simulated time. The local figures are the capacity
 * planner's own model of the reference Engine (planning/engine-hardware.ts: a Mac Studio M4 Max,
 * 546 GB/s, decoding a 19.9 GB Q4_K_M 32B at 65% of the bandwidth bound ≈ 18 tok/s, prompts at
 * ~300 tok/s, a load at weights ÷ 3 GB/s + 2 s ≈ 8.6 s), so the demo and `switchyard engine
 * simulate` agree; their sources are in HARDWARE_SOURCES there. The cloud figures are public
 * benchmarks (Artificial Analysis, late 2025): Claude Sonnet 4.5 ≈ 63 tok/s with 1.8 s to the
 * first token; Claude Opus 4.1 ≈ 45 tok/s with 2.7 s, taken for Opus 4.6 until it is measured.
 * Through OpenRouter they vary by provider and hour; these are typical values, not promises.
 */
import { HARDWARE, modelProfile, modelSpeed, perStreamShare } from "../planning/engine-hardware.js";

export interface LocalModelSpec {
  name: string;
  sizeBytes: number;
  contextLength: number;
  /** What `/api/show` lists: "thinking" lets Ollama take `think: true`. */
  capabilities: string[];
  family: string;
  /** One stream alone, tokens per second. */
  decodeTokensPerSecond: number;
  promptTokensPerSecond: number;
  loadMs: number;
}

export interface CloudModelSpec {
  id: string;
  /** USD per million tokens, as the simulated OpenRouter publishes them. */
  promptUsdPerMillion: number;
  completionUsdPerMillion: number;
  contextLength: number;
  maxCompletionTokens: number;
  outputTokensPerSecond: number;
  firstTokenMs: number;
}

const engineHardware = HARDWARE["m4-max-64"]!;

function localModel(
  name: string,
  details: { contextLength: number; capabilities: string[]; family: string },
): LocalModelSpec {
  const profile = modelProfile(name);
  const speed = modelSpeed(engineHardware, profile, profile.weightsGB);
  return {
    name,
    sizeBytes: Math.round(profile.weightsGB * 1e9),
    ...details,
    decodeTokensPerSecond: speed.decodeTokensPerSecond,
    promptTokensPerSecond: speed.promptTokensPerSecond,
    loadMs: speed.loadSeconds * 1000,
  };
}

/** The two models of the reference Engine, as `ollama pull` installs them. */
export const SIMULATED_LOCAL_MODELS: readonly LocalModelSpec[] = [
  localModel("qwen2.5-coder:32b", {
    contextLength: 32_768,
    capabilities: ["completion", "tools", "insert"],
    family: "qwen2",
  }),
  localModel("deepseek-r1:32b", {
    contextLength: 131_072,
    capabilities: ["completion", "thinking"],
    family: "qwen2",
  }),
];

/** Sonnet and Opus at Anthropic's published list prices (OpenRouter passes them through). */
export const SIMULATED_CLOUD_MODELS: readonly CloudModelSpec[] = [
  {
    id: "anthropic/claude-sonnet-4.5",
    promptUsdPerMillion: 3,
    completionUsdPerMillion: 15,
    contextLength: 200_000,
    maxCompletionTokens: 64_000,
    outputTokensPerSecond: 63,
    firstTokenMs: 1_800,
  },
  {
    id: "anthropic/claude-opus-4.6",
    promptUsdPerMillion: 5,
    completionUsdPerMillion: 25,
    contextLength: 200_000,
    maxCompletionTokens: 128_000,
    outputTokensPerSecond: 45,
    firstTokenMs: 2_700,
  },
];

/**
 * One stream's decode speed while `sameModelStreams` streams (itself included) share the model's
 * decode step and `otherModelsDecoding` other models decode on the same memory bus — the
 * planner's assumptions: per-stream share 1 / (1 + 0.3·(n − 1)), and the bandwidth split evenly
 * between models decoding at once.
 */
export function streamDecodeRate(
  model: LocalModelSpec,
  sameModelStreams: number,
  otherModelsDecoding: number,
): number {
  return (model.decodeTokensPerSecond * perStreamShare(sameModelStreams)) / (1 + otherModelsDecoding);
}
