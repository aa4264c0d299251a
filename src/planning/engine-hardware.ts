/**
 * The numbers the capacity planner runs on: what an Engine's hardware can do (memory, bandwidth,
 * prompt speed, load speed) and what a model needs (weights, KV cache per token), and the few
 * formulas that turn them into decode speed and memory fit. Every figure is either a published
 * spec or a stated assumption; `HARDWARE_SOURCES` prints which is which.
 */

export interface HardwareProfile {
  key: string;
  name: string;
  memoryGB: number;
  /** Published unified-memory bandwidth. */
  bandwidthGBps: number;
  /** Share of memory the GPU may wire by default (macOS): what Ollama can place on the GPU. */
  gpuMemoryShare: number;
  /** Share of the bandwidth ceiling that single-stream decoding reaches (assumption). */
  decodeEfficiency: number;
  /** Prompt processing of a 32B Q4 model, tokens/s (compute-bound; assumption). */
  promptTokensPerSecond32B: number;
  /** Effective read speed when loading a model (assumption). */
  loadGBps: number;
}

/** Share of unified memory macOS lets the GPU wire by default on these machines (assumption). */
export const MACOS_DEFAULT_GPU_SHARE = 0.75;

export const HARDWARE: Record<string, HardwareProfile> = {
  "m4-max-64": {
    key: "m4-max-64",
    name: "Mac Studio M4 Max (16-core CPU, 40-core GPU) 64 GB",
    memoryGB: 64,
    bandwidthGBps: 546,
    gpuMemoryShare: MACOS_DEFAULT_GPU_SHARE,
    decodeEfficiency: 0.65,
    promptTokensPerSecond32B: 300,
    loadGBps: 3,
  },
  "m3-ultra-96": {
    key: "m3-ultra-96",
    name: "Mac Studio M3 Ultra (28-core CPU, 60-core GPU) 96 GB",
    memoryGB: 96,
    bandwidthGBps: 819,
    gpuMemoryShare: MACOS_DEFAULT_GPU_SHARE,
    // Two dies joined by UltraFusion: llama.cpp reaches a smaller share of an Ultra's bandwidth.
    decodeEfficiency: 0.55,
    promptTokensPerSecond32B: 400,
    loadGBps: 3,
  },
};

export interface ModelProfile {
  name: string;
  parametersB: number;
  /** Q4_K_M weights as Ollama stores them. */
  weightsGB: number;
  /** f16 K and V for one token of context, all layers. */
  kvBytesPerToken: number;
  /**
   * The context the model was trained for (`<architecture>.context_length` in `/api/show`). Ollama
   * caps `num_ctx` at it, so a larger `context_window` buys nothing. Undefined when unknown.
   */
  trainedContextTokens?: number;
}

/** Qwen2-architecture 32B (both default models): 64 layers × 8 KV heads × 128 dims × K,V × 2 bytes. */
const qwen32bKvBytes = 64 * 8 * 128 * 2 * 2;

const KNOWN_MODELS: ModelProfile[] = [
  {
    name: "qwen2.5-coder:32b",
    parametersB: 32.8,
    weightsGB: 19.85,
    kvBytesPerToken: qwen32bKvBytes,
    trainedContextTokens: 32_768,
  },
  {
    name: "deepseek-r1:32b",
    parametersB: 32.8,
    weightsGB: 19.85,
    kvBytesPerToken: qwen32bKvBytes,
    trainedContextTokens: 131_072,
  },
];

/** The KV cache types Ollama offers (`OLLAMA_KV_CACHE_TYPE`); the quantised ones need flash attention. */
export type KvCacheType = "f16" | "q8_0" | "q4_0";

/** Bytes per cached value against f16: GGML's q8_0 stores 32 values in 34 bytes, q4_0 in 18. */
export const KV_CACHE_SCALE: Readonly<Record<KvCacheType, number>> = {
  f16: 1,
  q8_0: 34 / 64,
  q4_0: 18 / 64,
};

/** A known model, or one sized from the parameter count in its tag (`llama3.1:8b`), else a 32B. */
export function modelProfile(name: string): ModelProfile {
  const known = KNOWN_MODELS.find((model) => model.name === name);
  if (known) return known;
  const parameters = Number(/:(\d+(?:\.\d+)?)b\b/i.exec(name)?.[1] ?? 32.8);
  // Q4_K_M is about 4.85 bits per weight; KV per token grows roughly with the model's size.
  return {
    name,
    parametersB: parameters,
    weightsGB: (parameters * 4.85) / 8,
    kvBytesPerToken: Math.round((qwen32bKvBytes * parameters) / 32.8),
  };
}

/** Per-stream speed falls as streams share a decode step: aggregate = n / (1 + α(n − 1)). */
export const BATCH_ALPHA = 0.3;

export function perStreamShare(streams: number): number {
  return 1 / (1 + BATCH_ALPHA * Math.max(0, streams - 1));
}

/** Memory Ollama reserves per loaded model beyond weights and KV (compute graph, buffers). */
export const PER_MODEL_OVERHEAD_GB = 1;
const perModelOverheadGB = PER_MODEL_OVERHEAD_GB;
/** CPU-side decoding of layers that did not fit on the GPU reaches this share of GPU speed. */
const cpuSpeedShare = 0.4;

export interface ModelSpeed {
  /** Single-stream decode, tokens/s, after any CPU offload. */
  decodeTokensPerSecond: number;
  promptTokensPerSecond: number;
  loadSeconds: number;
  /** Share of the model that runs on the CPU because it does not fit the GPU budget. */
  offloadShare: number;
}

/** `gpuBudgetGB` is what the GPU may use when the wired limit was raised; default `usableGB(hardware)`. */
export function modelSpeed(
  hardware: HardwareProfile,
  model: ModelProfile,
  footprintGB: number,
  gpuBudgetGB = usableGB(hardware),
): ModelSpeed {
  const usable = gpuBudgetGB;
  const offloadShare = footprintGB > usable ? (footprintGB - usable) / footprintGB : 0;
  const gpuDecode = (hardware.bandwidthGBps / model.weightsGB) * hardware.decodeEfficiency;
  const slowdown = 1 - offloadShare + offloadShare / cpuSpeedShare;
  return {
    decodeTokensPerSecond: gpuDecode / slowdown,
    promptTokensPerSecond: (hardware.promptTokensPerSecond32B * 32.8) / model.parametersB / slowdown,
    loadSeconds: model.weightsGB / hardware.loadGBps + 2,
    offloadShare,
  };
}

export function usableGB(hardware: HardwareProfile): number {
  return hardware.memoryGB * hardware.gpuMemoryShare;
}

/** What one loaded model takes: Ollama allocates num_ctx × OLLAMA_NUM_PARALLEL tokens of KV. */
export function modelFootprintGB(
  model: ModelProfile,
  contextTokens: number,
  slots: number,
  kvScale = 1,
): number {
  return (
    model.weightsGB + (contextTokens * slots * model.kvBytesPerToken * kvScale) / 1e9 + perModelOverheadGB
  );
}

/** The largest power-of-two context per slot (≥ 2,048) with which all `models` fit together. */
export function largestFittingContext(
  hardware: HardwareProfile,
  models: ModelProfile[],
  slots: number,
  kvScale = 1,
): number | undefined {
  let best: number | undefined;
  for (let context = 2_048; context <= 262_144; context *= 2) {
    const total = models.reduce((sum, model) => sum + modelFootprintGB(model, context, slots, kvScale), 0);
    if (total <= usableGB(hardware)) best = context;
  }
  return best;
}

export const HARDWARE_SOURCES: string[] = [
  "Bandwidth (spec): M4 Max 16-core CPU/40-core GPU 546 GB/s; M3 Ultra 28-core CPU/60-core GPU (the 96 GB model) 819 GB/s — Apple Mac Studio (2025) technical specifications.",
  "Model sizes (spec): qwen2.5-coder:32b and deepseek-r1:32b are Q4_K_M, ~19.9 GB each (ollama.com/library; /api/tags on the Engine).",
  "KV cache (architecture): Qwen2.5-32B (and the Qwen-based deepseek-r1:32b) has 64 layers × 8 KV heads × 128 dims, so f16 K+V = 256 KiB per token; q8_0 (OLLAMA_KV_CACHE_TYPE, with OLLAMA_FLASH_ATTENTION=1) stores 32 values in 34 bytes, 53% of that.",
  "Trained context (model metadata): qwen2.5-coder:32b 32,768 tokens, deepseek-r1:32b 131,072; Ollama caps num_ctx at a model's trained context (ollama/ollama#1971, #11175).",
  "Ollama (docs): a model with OLLAMA_NUM_PARALLEL=N allocates num_ctx × N tokens of context, and several models stay loaded only if they all fit (Ollama FAQ; ollama/ollama#4218).",
  `GPU memory (assumption): macOS lets the GPU wire about ${HARDWARE["m4-max-64"]!.gpuMemoryShare * 100}% of unified memory by default (raise with sudo sysctl iogpu.wired_limit_mb=…); Ollama adds ~${perModelOverheadGB} GB per model for buffers.`,
  "Decode speed (bound + assumption): each token reads every weight once, so bandwidth ÷ model size is the ceiling (546 ÷ 19.9 ≈ 27 tok/s on M4 Max); llama.cpp on Apple GPUs reaches roughly 50–75% of it (ggml-org/llama.cpp discussion #4167), so 65% on the M4 Max (≈ 18 tok/s) and 55% on the two-die M3 Ultra (≈ 23 tok/s). Calibrate with the tok/s `switchyard engine status` reports.",
  `Parallel slots (assumption): a decode step serves every active stream of a model from one read of the weights, but KV reads and compute grow with each stream: per-stream speed = 1 / (1 + ${BATCH_ALPHA}·(n − 1)), so 4 streams give ≈ ${(4 * perStreamShare(4)).toFixed(1)}× one stream's throughput.`,
  "Two models at once (assumption): both runners are memory-bound on the same bus, so while both are decoding each gets half the bandwidth.",
  "Prompt processing (assumption): compute-bound, ~300 tok/s for a 32B Q4 model on the 40-core M4 Max and ~400 tok/s on the 60-core M3 Ultra (commonly reported 250–600); it shares the GPU like decoding does.",
  `Model load (assumption): weights ÷ 3 GB/s + 2 s (≈ 9 s for 20 GB); a model that does not fit the GPU budget runs its excess share on the CPU at ${cpuSpeedShare * 100}% of GPU speed.`,
];
