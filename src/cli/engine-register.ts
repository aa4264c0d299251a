/**
 * The command lines of `switchyard engine status | pull | warm | simulate | profile`; what they do
 * (engine-commands.ts, engine-profile-command.ts, with the Engine client and the capacity planner)
 * is loaded when one runs.
 */
import type { Command } from "commander";
import { HARDWARE } from "../planning/engine-hardware.js";
import type { EngineOptions, SimulateOptions } from "./engine-commands.js";
import type { EngineProfileOptions } from "./engine-profile-command.js";

const load = () => import("./engine-commands.js");

export function registerEngineCommands(program: Command, globalConfig: () => string | undefined): void {
  const engine = program
    .command("engine")
    .description("the Engines (Ollama): status, pull, warm, capacity planning");
  engine
    .command("status")
    .description("each Engine: up or down, models loaded, slots in use, tok/s, swaps")
    .option(
      "--url <url>",
      "ask this Brain (default: $SWITCHYARD_URL, else the client config, else read locally)",
    )
    .option("--minutes <minutes>", "ledger window for tok/s", "15")
    .option("--json", "print JSON")
    .action(async (options: EngineOptions) =>
      (await load()).engineStatusCommand({ ...options, config: globalConfig() }),
    );
  engine
    .command("pull [models...]")
    .description("pull models onto the Engines (default: every model each Engine serves)")
    .option("--engine <id>", "only this Engine")
    .action(async (models: string[], options: EngineOptions) =>
      (await load()).enginePullCommand(models, { ...options, config: globalConfig() }),
    );
  engine
    .command("warm")
    .description("load every served model with keep_alive -1 and check they stay resident together")
    .option("--engine <id>", "only this Engine")
    .option("--json", "print JSON")
    .action(async (options: EngineOptions) =>
      (await load()).engineWarmCommand({ ...options, config: globalConfig() }),
    );
  engine
    .command("simulate")
    .description(
      "capacity planning: queue times and throughput today, with a second Engine, with an M3 Ultra",
    )
    .option("--from-ledger", "replay local requests from the ledger instead of a synthetic mix")
    .option("--days <days>", "with --from-ledger: how far back", "7")
    .option("--speedup <factor>", "with --from-ledger: replay this many times faster", "1")
    .option("--rate <perHour>", "synthetic: local requests per hour", "30")
    .option("--hours <hours>", "synthetic: hours of traffic", "8")
    .option("--burst <count>", "synthetic: this many requests at once instead")
    .option("--seed <seed>", "synthetic: random seed", "1")
    .option("--context <tokens>", "what-if: num_ctx per slot on every Engine")
    .option("--slots <slots>", "what-if: slots per model on every Engine")
    .option("--kv-cache <type>", "what-if: f16 or q8_0 KV cache")
    .option("--hardware <key>", `today's Engine hardware: ${Object.keys(HARDWARE).join(", ")}`, "m4-max-64")
    .option("--json", "print JSON")
    .action(async (options: SimulateOptions) =>
      (await load()).engineSimulateCommand({ ...options, config: globalConfig() }),
    );
  engine
    .command("profile")
    .description(
      "the settings that keep every served model resident, their trade-off, and the Engine's environment",
    )
    .option("--memory-gb <GB>", "the Engine's memory (default: backends.<engine>.memory_gb, else 64)")
    .option(
      "--gpu-memory-gb <GB>",
      "fix what the GPU may use (default: macOS's share, or a raised limit where it helps)",
    )
    .option("--slots <n>", "fix the slots per model (default: the most that keep Claude Code's window)")
    .option("--kv-cache <type>", "f16, q8_0 or q4_0", "q8_0")
    .option("--engine <id>", "the Engine to profile (default: the first)")
    .option("--write", "write the settings into the config file (shows the diff, asks first)")
    .option("--yes", "with --write: write without asking")
    .option("--json", "print JSON")
    .action(async (options: EngineProfileOptions) =>
      (await import("./engine-profile-command.js")).engineProfileCommand({
        ...options,
        config: globalConfig(),
      }),
    );
}
