/**
 * The command lines of the budget reports (`costs`, `savings`, `status`) and of `models sync`;
 * budget-commands.ts, with the ledger and the Brain client, is loaded when one runs.
 */
import type { Command } from "commander";
import type { ReportCommandOptions } from "./budget-commands.js";
import { BRAIN_URL_HELP } from "./cli-options.js";

const load = () => import("./budget-commands.js");

export function registerReportCommands(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("costs")
    .description("spend this budget period: by alias, tier, task and day, with a month-end forecast")
    .option("--json", "print the report as JSON")
    .option("--url <url>", BRAIN_URL_HELP)
    .action(async (options: ReportCommandOptions) =>
      (await load()).costsCommand({ ...options, config: globalConfig() }),
    );

  program
    .command("savings")
    .description("what this traffic would have cost on all-Sonnet or all-Opus, against the subscription")
    .option("--json", "print the report as JSON")
    .option("--url <url>", BRAIN_URL_HELP)
    .action(async (options: ReportCommandOptions) =>
      (await load()).savingsCommand({ ...options, config: globalConfig() }),
    );

  program
    .command("status")
    .description("where each budget stands, the alerts fired this period, and the Engines")
    .option("--json", "print the status as JSON")
    .option("--url <url>", BRAIN_URL_HELP)
    .action(async (options: ReportCommandOptions) =>
      (await load()).statusCommand({ ...options, config: globalConfig() }),
    );
}

export function registerModelsCommands(program: Command, globalConfig: () => string | undefined): void {
  const models = program.command("models").description("the price catalog");
  models
    .command("sync")
    .description("fetch prices and context lengths from OpenRouter and cache them")
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) =>
      (await load()).modelsSyncCommand({ ...options, config: globalConfig() }),
    );
}
