/**
 * `switchyard doctor [--role engine|brain|workstation] [--json]`: walks this machine's setup
 * checklist and prints ✓/✗/! with the fix for each, each check under a time limit. Exit code 0
 * when nothing failed (warnings allowed), 1 when a check failed, 2 for a usage error.
 */
import { readFileSync } from "node:fs";
import { runDoctor } from "../setup/doctor.js";
import { DOCTOR_ROLES, type DoctorRole } from "../setup/doctor-check.js";
import { localDoctorEnvironment } from "../setup/doctor-environment.js";
import { doctorJson, formatResult, formatRole, formatSummary } from "../setup/doctor-format.js";
import { brainBaseUrl } from "./claude-command.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";

export interface DoctorCommandOptions {
  config?: string | undefined;
  role?: string;
  url?: string;
  engine?: string;
  timeout?: string;
  json?: boolean;
}

export async function doctorCommand(options: DoctorCommandOptions): Promise<void> {
  if (options.role !== undefined && !DOCTOR_ROLES.includes(options.role as DoctorRole))
    throw new CliFailure(
      `switchyard: --role must be one of ${DOCTOR_ROLES.join(", ")}; got "${options.role}"`,
      2,
    );
  const timeout = Number(options.timeout ?? "5");
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new CliFailure(
      `switchyard: --timeout must be a positive number of seconds; got "${options.timeout}"`,
      2,
    );
  const loaded = loadCliConfig(options.config);
  const { config, env } = loaded;
  const environment = localDoctorEnvironment({
    config,
    configPath: loaded.path,
    configText: loaded.path ? readFileSync(loaded.path, "utf8") : undefined,
    env,
    brainUrl: brainBaseUrl(config, env, options.url),
    brainUrlGiven: Boolean(options.url || env.SWITCHYARD_URL),
    localBrainUrl: brainBaseUrl(config, {}),
    token: env.SWITCHYARD_TOKEN || config.server.auth_tokens.find(Boolean),
    engineId: options.engine,
    timeouts: { networkMs: timeout * 1000 },
  });
  const print = (text: string) => {
    if (!options.json) process.stdout.write(`${text}\n`);
  };
  const report = await runDoctor({
    environment,
    ...(options.role ? { role: options.role as DoctorRole } : {}),
    onRole: (role, guessed, reason) => print(`${formatRole(role, guessed, reason)}\n`),
    onResult: (result) => print(formatResult(result)),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(doctorJson(report), null, 2)}\n`);
  else print(`\n${formatSummary(report)}`);
  process.exitCode = report.exitCode;
}
