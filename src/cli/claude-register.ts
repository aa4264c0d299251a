/**
 * The command lines of `switchyard claude` and `switchyard env claude`; claude-command.ts is loaded
 * when one runs. `claude` passes every other argument through to Claude Code.
 */
import type { Command } from "commander";

/** Returns `claude`, whose options pass through (prepareCommands gives it no `-c`). */
export function registerClaudeCommands(program: Command, globalConfig: () => string | undefined): Command {
  const claude = program
    .command("claude")
    .description("start Claude Code against the Brain; every other argument goes to Claude Code")
    .argument("[args...]", 'arguments for Claude Code, e.g. -p "explain this repo"')
    .option("--url <url>", "the Brain (default: $SWITCHYARD_URL, else server.host:server.port)")
    .option("--config <file>", "config file (before Claude Code's arguments; -c is Claude Code's own)")
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[], options: { url?: string }) =>
      (await import("./claude-command.js")).claudeCommand(args, { ...options, config: globalConfig() }),
    );

  program
    .command("env")
    .description("print environment variables for a tool")
    .command("claude")
    .description('export lines that point Claude Code at the Brain: eval "$(switchyard env claude)"')
    .option("--url <url>", "the Brain (default: $SWITCHYARD_URL, else server.host:server.port)")
    .action(async (options: { url?: string }) =>
      (await import("./claude-command.js")).envClaudeCommand({ ...options, config: globalConfig() }),
    );
  return claude;
}
