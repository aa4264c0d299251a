/**
 * `switchyard engine profile` as text: the chosen settings, the trade-off between slots and
 * windows at the same GPU budget (and what not raising the GPU limit would cost), and what to set
 * on the Engine — Ollama's service environment and, where it is the lever, macOS's GPU wired limit.
 */
import { MACOS_DEFAULT_GPU_SHARE } from "./engine-hardware.js";
import {
  CLAUDE_CODE_TURN_TOKENS,
  type EngineProfile,
  engineServiceEnvironment,
  gpuWiredLimitMb,
  type ProfileCandidate,
} from "./engine-profile.js";

export function formatEngineProfile(profile: EngineProfile, engineId: string): string {
  const models = profile.windows.map((window) => window.model).join(" + ");
  const lines = [
    `Engine profile for "${engineId}": ${profile.memoryGB} GB, ${models}, KV cache ${profile.kvCache}`,
    "",
  ];
  if (!profile.fits) {
    lines.push(
      `✗ Nothing fits: the models need ${profile.totalGB.toFixed(1)} GB at the smallest settings, and the GPU may use ${profile.gpuMemoryGB.toFixed(0)} GB (less ${profile.headroomGB} GB headroom).`,
      "  Give the models an Engine each (backends.<id>.serves), use smaller models, or a machine with more memory.",
    );
    return lines.join("\n");
  }
  lines.push(
    `  slots (OLLAMA_NUM_PARALLEL)  ${profile.slots} per model: ${profile.parallelRequests} requests at once in all`,
  );
  for (const window of profile.windows) {
    const trained =
      window.contextWindow === window.trainedContextTokens ? " (the model's trained maximum)" : "";
    const short =
      window.contextWindow < window.minimumWindow ? `, below the ${window.minimumWindow} it should have` : "";
    lines.push(
      `  ${window.aliases.join(", ").padEnd(27)}  context_window ${window.contextWindow}${trained}${short}: ${window.footprintGB.toFixed(1)} GB resident`,
    );
  }
  const limit = gpuWiredLimitMb(profile);
  lines.push(
    `  GPU memory                   ${profile.totalGB.toFixed(1)} of ${profile.gpuMemoryGB.toFixed(0)} GB, every model resident together${limit ? ` (macOS lets the GPU use ~${(profile.memoryGB * MACOS_DEFAULT_GPU_SHARE).toFixed(0)} GB by default: raise it to ${profile.gpuMemoryGB.toFixed(0)})` : ""}`,
    `  Claude Code                  ${claudeCodeLine(profile)}`,
    "",
    `The trade-off at a ${profile.gpuMemoryGB.toFixed(0)} GB GPU budget:`,
    tradeOffTable(profile.alternatives, profile),
  );
  if (profile.withoutRaisingLimit) {
    const other = profile.withoutRaisingLimit;
    lines.push(
      `Without raising the GPU limit (${other.gpuMemoryGB.toFixed(0)} GB), the best is ${other.slots} slot${other.slots === 1 ? "" : "s"} with ${describeWindows(other)}${other.fits ? (other.meetsMinimums ? "" : ": windows below their minimum") : ", and even that swaps"}.`,
    );
  }
  lines.push("", "Set on the Engine, in Ollama's service environment (then restart Ollama):");
  for (const [name, value] of Object.entries(engineServiceEnvironment(profile)))
    lines.push(`  ${name}=${value}`);
  if (limit) {
    lines.push(
      `  and the GPU limit: sudo sysctl iogpu.wired_limit_mb=${limit}   (it resets at reboot: run it from a launch daemon)`,
    );
  }
  lines.push(
    "macOS app: launchctl setenv NAME VALUE for each; a launchd plist: its EnvironmentVariables; systemd: Environment= in `systemctl edit ollama`.",
  );
  return lines.join("\n");
}

function claudeCodeLine(candidate: ProfileCandidate): string {
  if (candidate.claudeCodeTurnsAtOnce === 0) {
    return `no turn fits locally (a turn starts at ~${(CLAUDE_CODE_TURN_TOKENS / 1000).toFixed(0)}k tokens plus 4,096 for the answer): its agent turns go to Sonnet`;
  }
  return `${candidate.claudeCodeTurnsAtOnce} turn${candidate.claudeCodeTurnsAtOnce === 1 ? "" : "s"} at once locally: a turn fits while its conversation is under ~${candidate.claudeCodeRoomTokens.toLocaleString("en-US")} tokens beyond Claude Code's ~${(CLAUDE_CODE_TURN_TOKENS / 1000).toFixed(0)}k start; longer ones go to Sonnet`;
}

function tradeOffTable(candidates: ProfileCandidate[], chosen: ProfileCandidate): string {
  const aliases = chosen.windows.map((window) => window.aliases[0] ?? window.model);
  const header = [
    "  slots",
    ...aliases.map((alias) => alias.padStart(15)),
    "Claude Code turns at once".padStart(26),
    "parallel requests".padStart(18),
    "GPU memory".padStart(11),
  ].join(" ");
  const rows = candidates.map((candidate) => {
    const note =
      candidate.slots === chosen.slots
        ? "  ← chosen"
        : !candidate.fits
          ? "  swaps"
          : candidate.meetsMinimums
            ? ""
            : "  windows below their minimum";
    return [
      `  ${String(candidate.slots).padStart(5)}`,
      ...candidate.windows.map((window) => String(window.contextWindow).padStart(15)),
      String(candidate.claudeCodeTurnsAtOnce).padStart(26),
      String(candidate.parallelRequests).padStart(18),
      `${candidate.totalGB.toFixed(1)} GB`.padStart(11),
    ]
      .join(" ")
      .concat(note);
  });
  return [header, ...rows].join("\n");
}

function describeWindows(candidate: ProfileCandidate): string {
  return candidate.windows
    .map((window) => `${window.aliases[0] ?? window.model} ${window.contextWindow}`)
    .join(", ");
}
