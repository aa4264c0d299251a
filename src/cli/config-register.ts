/** The command lines of `switchyard config check | print | init`; config-command.ts is loaded on use. */
import type { Command } from "commander";

export function registerConfigCommands(program: Command, globalConfig: () => string | undefined): void {
  const config = program.command("config").description("check, print or start a config file");
  config
    .command("check [file]")
    .description("validate a config file")
    .action(async (file: string | undefined) =>
      (await import("./config-command.js")).configCheckCommand(file, { config: globalConfig() }),
    );
  config
    .command("print")
    .description("show the effective config, secrets redacted")
    .action(async () => (await import("./config-command.js")).configPrintCommand({ config: globalConfig() }));
  config
    .command("init")
    .description("print the default config, to start a switchyard.yaml")
    .action(async () => (await import("./config-command.js")).configInitCommand());
}
