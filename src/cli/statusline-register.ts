/**
 * The command line of `switchyard statusline` for `--help` and completion; bin/switchyard.js runs
 * the command itself through statusline-main.ts, which loads nothing else.
 */
import type { Command } from "commander";

export function registerStatuslineCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("statusline")
    .description(
      "one line for Claude Code's status line: tier, model and this session's cost, from the Brain",
    )
    .option(
      "--url <url>",
      "the Brain (default: $SWITCHYARD_URL, the client config, ANTHROPIC_BASE_URL, the config)",
    )
    .action(async (options: { url?: string }) =>
      (await import("./statusline-command.js")).statuslineCommand({ ...options, config: globalConfig() }),
    );
}
