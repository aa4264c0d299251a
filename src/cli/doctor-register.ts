/**
 * The command line of `switchyard doctor`; the checks (doctor-command.ts, src/setup/doctor*.ts) are
 * loaded when it runs.
 */
import type { Command } from "commander";
import type { DoctorCommandOptions } from "./doctor-command.js";

export function registerDoctorCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("doctor")
    .description(
      "walk this machine's setup checklist: ✓ ✗ ! with the fix for each (exit 1 when a check fails)",
    )
    .option("--role <role>", "engine, brain or workstation (default: guessed from this machine)")
    .option("--url <url>", "the Brain (default: $SWITCHYARD_URL, else server.host:server.port)")
    .option("--engine <id>", "only this Engine")
    .option("--timeout <seconds>", "time limit of each network check", "5")
    .option("--json", "print the results as JSON")
    // A usage error (an unknown option, a missing value) is exit 2: 1 means a check failed.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (options: DoctorCommandOptions) =>
      (await import("./doctor-command.js")).doctorCommand({ ...options, config: globalConfig() }),
    );
}
