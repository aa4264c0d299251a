/**
 * The command lines of `switchyard setup engine | brain | workstation`; the plans and the file
 * writing (setup-command.ts, src/setup/) are loaded when one runs.
 */
import type { Command } from "commander";
import type { SetupOptions, WorkstationOptions } from "./setup-command.js";

const load = () => import("./setup-command.js");

export function registerSetupCommands(program: Command, globalConfig: () => string | undefined): void {
  const setup = program
    .command("setup")
    .description(
      "write the service files of one machine (shows a diff, keeps a backup; --dry-run to only show)",
    );
  setup
    .command("engine")
    .description("the Engine: a launchd agent running ollama serve at boot with the Engine's settings")
    .option("--dry-run", "show what would change; write nothing")
    .option("--ollama <path>", "the ollama binary (default: ollama on PATH)")
    .option("--engine <id>", "whose settings (slots, models held) to use (default: the first Engine)")
    .option("--platform <platform>", "darwin or linux (default: this machine's)")
    .action(async (options: SetupOptions & { ollama?: string; engine?: string }) =>
      (await load()).setupEngineCommand({ ...options, config: globalConfig() }),
    );
  setup
    .command("brain")
    .description("the Brain: switchyard serve as a launchd agent (or systemd unit) with its token in a file")
    .option("--dry-run", "show what would change; write nothing")
    .option("--host <host>", "the address to listen on", "0.0.0.0")
    .option("--token-file <path>", "where the token lives (default: brain-token in the user config dir)")
    .option("--platform <platform>", "darwin or linux (default: this machine's)")
    .action(async (options: SetupOptions & { host: string; tokenFile?: string }) =>
      (await load()).setupBrainCommand({ ...options, config: globalConfig() }),
    );
  setup
    .command("workstation")
    .description("the Workstation: ssh entries for brain and engine, and the client config with the token")
    .requiredOption("--brain <address>", "the Brain's IP address or LAN hostname")
    .option("--engine <address>", "the Engine's IP address or LAN hostname (adds Host engine)")
    .option("--user <name>", "your user name on the Brain and the Engine (default: yours here)")
    .option("--port <port>", "the Brain's port", "8787")
    .option("--token-file <path>", "a file holding the Brain's token; - reads it from stdin")
    .option("--dry-run", "show what would change; write nothing")
    .action(async (options: WorkstationOptions) => (await load()).setupWorkstationCommand(options));
}
