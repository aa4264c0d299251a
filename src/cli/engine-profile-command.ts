/**
 * `switchyard engine profile [--memory-gb 64] [--write [--yes]]`: the Engine settings that keep
 * every served model resident (windows, slots, KV cache, GPU limit), the trade-off between them,
 * the environment to give Ollama's service, and — with `--write` — the settings written into the
 * config file, comments kept.
 */
import { readFileSync } from "node:fs";
import { setConfigValues } from "../planning/config-value-edit.js";
import type { KvCacheType } from "../planning/engine-hardware.js";
import {
  computeEngineProfile,
  engineServiceEnvironment,
  engineSettingsFromConfig,
  gpuWiredLimitMb,
  profileConfigEdits,
} from "../planning/engine-profile.js";
import { formatEngineProfile } from "../planning/engine-profile-format.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { writeConfigChanges } from "./config-write.js";

export interface EngineProfileOptions {
  config?: string | undefined;
  engine?: string;
  memoryGb?: string;
  gpuMemoryGb?: string;
  slots?: string;
  kvCache?: string;
  write?: boolean;
  yes?: boolean;
  json?: boolean;
}

const KV_TYPES: readonly KvCacheType[] = ["f16", "q8_0", "q4_0"];

export async function engineProfileCommand(options: EngineProfileOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const settings = engineSettingsFromConfig(loaded.config, options.engine);
  if (!settings) {
    throw new CliFailure(
      options.engine === undefined
        ? "switchyard: no Engine (Ollama back end) is configured"
        : `switchyard: no Engine "${options.engine}" is configured`,
      2,
    );
  }
  if (options.kvCache !== undefined && !KV_TYPES.includes(options.kvCache as KvCacheType))
    throw new CliFailure(
      `switchyard: --kv-cache must be one of ${KV_TYPES.join(", ")}; got "${options.kvCache}"`,
      2,
    );
  const memoryGB =
    options.memoryGb === undefined ? settings.memoryGB : positive(options.memoryGb, "--memory-gb");
  const gpuMemoryGB =
    options.gpuMemoryGb === undefined ? undefined : positive(options.gpuMemoryGb, "--gpu-memory-gb");
  if (gpuMemoryGB !== undefined && gpuMemoryGB > memoryGB)
    throw new CliFailure("switchyard: --gpu-memory-gb cannot be more than --memory-gb", 2);
  const profile = computeEngineProfile({
    memoryGB,
    aliases: settings.aliases,
    kvCache: (options.kvCache as KvCacheType | undefined) ?? "q8_0",
    ...(gpuMemoryGB === undefined ? {} : { gpuMemoryGB }),
    ...(options.slots === undefined ? {} : { slots: Math.round(positive(options.slots, "--slots")) }),
  });
  const edits = profileConfigEdits(profile, settings.engineId);
  // With --json, stdout is the profile alone; the diff and questions go to stderr.
  const say = (text: string) => (options.json ? process.stderr : process.stdout).write(text);
  if (options.json) {
    const limit = gpuWiredLimitMb(profile);
    process.stdout.write(
      `${JSON.stringify(
        {
          engine: settings.engineId,
          profile,
          serviceEnvironment: engineServiceEnvironment(profile),
          ...(limit === undefined ? {} : { gpuWiredLimitMb: limit }),
          config: Object.fromEntries(edits.map((edit) => [edit.path.join("."), edit.value])),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    say(`${formatEngineProfile(profile, settings.engineId)}\n`);
  }
  if (!options.write) {
    if (!options.json && profile.fits) say("\nWrite these settings into the config with --write.\n");
    return;
  }
  if (!profile.fits) throw new CliFailure("switchyard: no profile fits; nothing written", 1);
  if (!loaded.path) {
    throw new CliFailure(
      "switchyard: --write needs a config file to edit; create one (switchyard config init > switchyard.yaml) and run again",
    );
  }
  const before = readFileSync(loaded.path, "utf8");
  await writeConfigChanges({
    path: loaded.path,
    before,
    after: setConfigValues(before, edits),
    env: loaded.env,
    yes: options.yes === true,
    flag: "--write",
    label: "engine profile",
    say,
  });
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliFailure(`switchyard: ${flag} must be a positive number; got "${text}"`, 2);
  return value;
}
