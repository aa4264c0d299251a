/** The command line of `switchyard calibrate`; calibrate-command.ts is loaded when it runs. */
import type { Command } from "commander";
import type { CalibrateCommandOptions } from "./calibrate-command.js";

export function registerCalibrateCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("calibrate")
    .description("pass rates and escalation per task and alias from the ledger, and where tasks should start")
    .option("--days <n>", "how many days of the ledger to read (default: escalation.calibration.days, 30)")
    .option("--json", "print the report as JSON")
    .option("--apply", "write the recommended task moves into the config file (shows the diff, asks first)")
    .option("--yes", "with --apply: write without asking")
    .action(async (options: CalibrateCommandOptions) =>
      (await import("./calibrate-command.js")).calibrateCommand({ ...options, config: globalConfig() }),
    );
}
