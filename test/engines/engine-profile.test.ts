/**
 * The Engine profile against known model sizes (two Q4_K_M 32B models of 19.85 GB, 256 KiB of f16
 * KV per token, q8_0 at 34/64 of that, 1 GB of buffers each): both resident on the reference 64 GB
 * Engine only with a raised GPU limit and two slots; what 96 GB allows; the trade-off; the shipped
 * defaults being that profile; the environment for Ollama's service; and the config it writes.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { setConfigValues } from "../../src/planning/config-value-edit.js";
import {
  computeEngineProfile,
  engineServiceEnvironment,
  engineServiceSettingsFromConfig,
  engineSettingsFromConfig,
  evaluateEngineSettings,
  gpuWiredLimitMb,
  profileConfigEdits,
} from "../../src/planning/engine-profile.js";
import { formatEngineProfile } from "../../src/planning/engine-profile-format.js";
import { CODER, REASONER } from "./engine-test-kit.js";

const aliases = [
  { alias: "local-coder", model: CODER, carriesClaudeCode: true },
  { alias: "local-reasoner", model: REASONER, carriesClaudeCode: false },
];
const windows = (profile: { windows: Array<{ contextWindow: number }> }) =>
  profile.windows.map((window) => window.contextWindow);
/** GB for `tokens` of q8_0 KV in one 32B model at `slots`. */
const q8 = (tokens: number, slots: number) => (tokens * slots * 262_144 * (34 / 64)) / 1e9;

describe("the Engine profile", () => {
  it("keeps both 32B models resident on 64 GB: two slots, the coder's full 32k for Claude Code, q8_0, a raised GPU limit", () => {
    const profile = computeEngineProfile({ memoryGB: 64, aliases });
    expect(profile).toMatchObject({
      slots: 2,
      kvCache: "q8_0",
      gpuMemoryGB: 56,
      raisesGpuLimit: true,
      fits: true,
      meetsMinimums: true,
      claudeCodeTurnsAtOnce: 2,
      parallelRequests: 4,
    });
    // qwen2.5-coder was trained on 32,768 tokens (Ollama caps num_ctx there); the reasoner gets what is left.
    expect(windows(profile)).toEqual([32_768, 12_288]);
    expect(profile.windows[0]!.footprintGB).toBeCloseTo(19.85 + 1 + q8(32_768, 2), 6);
    expect(profile.totalGB).toBeCloseTo(2 * 20.85 + q8(32_768, 2) + q8(12_288, 2), 6);
    expect(profile.totalGB).toBeLessThanOrEqual(56 - 1);
    // A Claude Code turn (~25k tokens plus 4,096 for the answer) fits with this much conversation.
    expect(profile.claudeCodeRoomTokens).toBe(32_768 - 4_096 - 25_000);
    expect(gpuWiredLimitMb(profile)).toBe(57_344);
  });

  it("shows the trade-off: one slot buys the reasoner a full window, three or four cost Claude Code its turns", () => {
    const profile = computeEngineProfile({ memoryGB: 64, aliases });
    expect(
      profile.alternatives.map((candidate) => [
        candidate.slots,
        ...windows(candidate),
        candidate.claudeCodeTurnsAtOnce,
        candidate.parallelRequests,
        candidate.fits,
      ]),
    ).toEqual([
      [1, 32_768, 32_768, 1, 2, true],
      [2, 32_768, 12_288, 2, 4, true],
      [3, 24_576, 4_096, 0, 6, true],
      [4, 16_384, 4_096, 0, 8, true],
    ]);
    // macOS's default ~48 GB holds both models only with one slot and a reasoner under its 8k minimum.
    expect(profile.withoutRaisingLimit).toMatchObject({ gpuMemoryGB: 48, slots: 1, meetsMinimums: false });
    expect(windows(profile.withoutRaisingLimit!)).toEqual([32_768, 4_096]);
    const text = formatEngineProfile(profile, "engine");
    expect(text).toContain("2 per model: 4 requests at once in all");
    expect(text).toContain("sudo sysctl iogpu.wired_limit_mb=57344");
    expect(text).toContain("OLLAMA_KV_CACHE_TYPE=q8_0");
    expect(text).toMatch(/ {6}2 {11}32768 {11}12288 .* ← chosen/);
  });

  it("96 GB keeps both resident at four slots within macOS's default GPU share, no sysctl needed", () => {
    const profile = computeEngineProfile({ memoryGB: 96, aliases });
    expect(profile).toMatchObject({
      slots: 4,
      gpuMemoryGB: 72,
      raisesGpuLimit: false,
      fits: true,
      claudeCodeTurnsAtOnce: 4,
      parallelRequests: 8,
    });
    expect(windows(profile)).toEqual([32_768, 16_384]);
    expect(gpuWiredLimitMb(profile)).toBeUndefined();
    expect(profile.withoutRaisingLimit).toBeUndefined();
  });

  it("an f16 KV cache on 64 GB halves the slots; without the raised limit no Claude Code turn fits", () => {
    const f16 = computeEngineProfile({ memoryGB: 64, aliases, kvCache: "f16" });
    expect(f16).toMatchObject({ slots: 1, gpuMemoryGB: 56, fits: true, meetsMinimums: true });
    expect(windows(f16)).toEqual([32_768, 16_384]);
    const cramped = computeEngineProfile({ memoryGB: 64, aliases, kvCache: "f16", gpuMemoryGB: 48 });
    expect(cramped).toMatchObject({ slots: 1, fits: true, meetsMinimums: false, claudeCodeTurnsAtOnce: 0 });
    expect(formatEngineProfile(cramped, "engine")).toContain("no turn fits locally");
  });

  it("says when nothing fits: two 32B models on a 32 GB machine", () => {
    const profile = computeEngineProfile({ memoryGB: 32, aliases });
    expect(profile.fits).toBe(false);
    expect(formatEngineProfile(profile, "engine")).toContain("Nothing fits");
  });

  it("honours fixed slots and a fixed GPU budget", () => {
    const profile = computeEngineProfile({ memoryGB: 64, aliases, slots: 1, gpuMemoryGB: 48 });
    expect(profile).toMatchObject({ slots: 1, gpuMemoryGB: 48, raisesGpuLimit: false });
    expect(profile.alternatives).toHaveLength(1);
  });
});

describe("the shipped defaults", () => {
  it("are the profile computed for the reference 64 GB Engine, and it fits", () => {
    const config = parseConfigText(undefined, "defaults", {});
    const settings = engineSettingsFromConfig(config)!;
    expect(settings).toMatchObject({
      engineId: "engine",
      memoryGB: 64,
      gpuMemoryGB: 56,
      slots: 2,
      kvCache: "q8_0",
    });
    const evaluated = evaluateEngineSettings(settings);
    expect(evaluated.fits).toBe(true);
    const profile = computeEngineProfile({ memoryGB: 64, aliases: settings.aliases });
    expect(settings.aliases.map((alias) => alias.contextWindow)).toEqual(windows(profile));
    expect(settings.slots).toBe(profile.slots);
    expect(settings.gpuMemoryGB).toBe(profile.gpuMemoryGB);
  });

  it("give Ollama's service the environment the profile needs, and the GPU limit", () => {
    const profile = computeEngineProfile({ memoryGB: 64, aliases });
    const environment = {
      OLLAMA_HOST: "0.0.0.0",
      OLLAMA_NUM_PARALLEL: "2",
      OLLAMA_MAX_LOADED_MODELS: "2",
      OLLAMA_KV_CACHE_TYPE: "q8_0",
      OLLAMA_FLASH_ATTENTION: "1",
    };
    expect(engineServiceEnvironment(profile)).toEqual(environment);
    // What `switchyard setup engine` generates from: the same, read back from the config.
    expect(engineServiceSettingsFromConfig(parseConfigText(undefined, "defaults", {}))).toEqual({
      environment,
      gpuWiredLimitMb: 57_344,
    });
  });

  it("the old defaults (32k × 4 slots, f16, 48 GB) did not fit: 110 GB", () => {
    const old = evaluateEngineSettings({
      engineId: "engine",
      memoryGB: 64,
      gpuMemoryGB: undefined,
      slots: 4,
      kvCache: "f16",
      aliases: aliases.map((alias) => ({ ...alias, contextWindow: 32_768 })),
    });
    expect(old.fits).toBe(false);
    expect(old.totalGB).toBeCloseTo(110.4, 1);
  });
});

describe("writing a profile into the config", () => {
  it("replaces values in place and adds missing keys, keeping comments and other keys", () => {
    const before = [
      "# my Brain",
      "server:",
      "  host: 0.0.0.0 # LAN",
      '  auth_tokens: ["${SWITCHYARD_TOKEN:-t}"]',
      "backends:",
      "  engine:",
      "    base_url: http://engine.local:11434",
      "    slots: 4 # was the reference",
      "aliases:",
      "  local-reasoner: { context_window: 32768 }",
      "",
    ].join("\n");
    const profile = computeEngineProfile({ memoryGB: 64, aliases });
    const after = setConfigValues(before, profileConfigEdits(profile, "engine"));
    expect(after).toContain("# my Brain");
    expect(after).toContain("  host: 0.0.0.0 # LAN");
    expect(after).toContain("    slots: 2 # was the reference");
    expect(after).toContain("local-reasoner: { context_window: 12288 }");
    const config = parseConfigText(after, "after.yaml", {});
    const engine = config.backends.engine;
    expect(engine).toMatchObject({ slots: 2, memory_gb: 64, gpu_memory_gb: 56, kv_cache_type: "q8_0" });
    expect(config.aliases["local-coder"]?.context_window).toBe(32_768);
    expect(config.aliases["local-reasoner"]?.context_window).toBe(12_288);
    expect(config.server.host).toBe("0.0.0.0");
  });

  it("adds a key as a line of its own, inside a flow mapping, or as a new section, touching nothing else", () => {
    const before = [
      "backends:",
      "  engine:",
      "    base_url: http://engine.local:11434   # static IP",
      "",
      "  engine-2: { type: ollama, base_url: http://e2:11434 }",
      "server: { host: 127.0.0.1 }",
    ].join("\n");
    const after = setConfigValues(before, [
      { path: ["backends", "engine", "kv_cache_type"], value: "q8_0" },
      { path: ["backends", "engine-2", "slots"], value: 1 },
      { path: ["aliases", "local-reasoner", "context_window"], value: 12_288 },
    ]);
    expect(after).toBe(
      [
        "backends:",
        "  engine:",
        "    base_url: http://engine.local:11434   # static IP",
        "    kv_cache_type: q8_0",
        "",
        "  engine-2: { type: ollama, base_url: http://e2:11434, slots: 1 }",
        "server: { host: 127.0.0.1 }",
        "aliases:",
        "  local-reasoner:",
        "    context_window: 12288",
        "",
      ].join("\n"),
    );
  });

  it("changes only the bytes of a value the file already has", () => {
    const before = "backends:\n  engine:\n    slots: 4   # OLLAMA_NUM_PARALLEL\n";
    expect(setConfigValues(before, [{ path: ["backends", "engine", "slots"], value: 2 }])).toBe(
      "backends:\n  engine:\n    slots: 2   # OLLAMA_NUM_PARALLEL\n",
    );
  });
});
