/**
 * What every `switchyard` command shares on the command line: `-c, --config <file>` before or after
 * any subcommand; a port option that says what it wants; and failures as one line that says what
 * to do, with exit code 2 for a usage error (unknown option, bad number, missing argument) and 1
 * for a failure — never commander's own text or a stack trace.
 */
import { type Command, CommanderError } from "commander";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { CliFailure } from "./cli-failure.js";

/** Exit code of a usage error: the command line itself was wrong. */
export const USAGE_ERROR = 2;

/** `--url` of the client commands, which read a named Brain's admin API instead of this machine's database. */
export const BRAIN_URL_HELP =
  "ask this Brain (default: $SWITCHYARD_URL, else the client config, else the local database)";

/**
 * Gives every subcommand its own `-c, --config <file>` (commander's positional options, which
 * `claude` needs to pass its own options through, parse the global one only before the
 * subcommand), copies the innermost one given to the global option, and makes every command's
 * usage errors `CliFailure`s. Call it once every command is registered. `passThrough` commands take
 * only `--config` (`-c` is Claude Code's own) and declare it themselves.
 */
export function prepareCommands(program: Command, passThrough: readonly Command[]): void {
  const visit = (command: Command) => {
    reportUsageErrors(command);
    for (const subcommand of command.commands) {
      if (!passThrough.includes(subcommand)) {
        subcommand.option("-c, --config <file>", "config file (as the global --config)");
        visit(subcommand);
      } else {
        reportUsageErrors(subcommand);
      }
    }
  };
  visit(program);
  program.hook("preAction", (_program, action) => {
    for (let command: Command | null = action; command && command !== program; command = command.parent) {
      const own = command.getOptionValue("config") as string | undefined;
      if (own !== undefined) {
        program.setOptionValue("config", own);
        return;
      }
    }
  });
}

/** `switchyard engine status`, for messages. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent)
    names.unshift(current.name());
  return names.join(" ");
}

/** Commander's errors become one line naming the command and its --help; help and version exit 0. */
function reportUsageErrors(command: Command): void {
  command.configureOutput({ outputError: () => {} });
  command.exitOverride((error) => {
    // Help or version printed (0), or help printed for a group named without its subcommand.
    if (error.exitCode === 0 || error.code === "commander.help") throw error;
    const what = error.message
      .replace(/^error: /, "")
      .replace(/\s*\n\s*/g, " ")
      .replace(/\.$/, "");
    const path = commandPath(command);
    throw new CliFailure(`${path}: ${what}; see \`${path} --help\``, USAGE_ERROR);
  });
}

export function portNumber(text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value > 65_535) {
    throw new CliFailure(
      `switchyard: --port must be a port number from 0 to 65535 (0: any free port); got "${text}"`,
      USAGE_ERROR,
    );
  }
  return value;
}

/** What the process prints and exits with for an error that reached the top. */
export function describeFailure(error: unknown, env: NodeJS.ProcessEnv): { text: string; exitCode: number } {
  if (error instanceof CommanderError) {
    return { text: "", exitCode: error.exitCode === 0 ? 0 : USAGE_ERROR };
  }
  if (error instanceof CliFailure) return { text: error.message, exitCode: error.exitCode };
  if (error instanceof SwitchyardError) return { text: `switchyard: ${error.message}`, exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  if (env.SWITCHYARD_DEBUG) {
    return { text: `switchyard: unexpected error: ${(error as Error).stack ?? message}`, exitCode: 1 };
  }
  return {
    text: `switchyard: unexpected error: ${message.replace(/\s*\n\s*/g, " ")} (a bug in Switchyard: run again with SWITCHYARD_DEBUG=1 for where, and report it)`,
    exitCode: 1,
  };
}
