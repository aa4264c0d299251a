/** The command line of `switchyard log`; log-command.ts (the ledger or the Brain) is loaded when it runs. */
import type { Command } from "commander";
import { BRAIN_URL_HELP } from "./cli-options.js";
import type { LogCommandOptions } from "./log-command.js";

export function registerLogCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("log")
    .description("show the most recent requests from the ledger")
    .option("-n, --limit <count>", "how many rows", "20")
    .option("--json", "one JSON object per line")
    .option("--url <url>", BRAIN_URL_HELP)
    .action(async (options: LogCommandOptions) =>
      (await import("./log-command.js")).logCommand({ ...options, config: globalConfig() }),
    );
}
