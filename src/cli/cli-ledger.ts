/**
 * Where the read commands (`costs`, `savings`, `status`, `calibrate`, `log`) read this machine's
 * ledger: opened read-only, so that reading never creates or changes it. On a machine that has none
 * (a Workstation with no Brain named) they say so and where to run them, instead of creating an
 * empty database and reporting $0.00.
 */
import { existsSync } from "node:fs";
import type { LoadedConfig } from "../config/config-load.js";
import { openReportSources, type ReportSources } from "../planning/budget-reports.js";
import { databaseLocation, isPostgresUrl } from "../store/open-stores.js";
import { OutdatedDatabaseError } from "../store/schema-migrations.js";
import { CliFailure } from "./cli-context.js";

/** This machine's ledger: a PostgreSQL URL, or a SQLite file that exists. */
export function localLedger(loaded: LoadedConfig): string | undefined {
  const location = databaseLocation(loaded.config, loaded.env);
  return isPostgresUrl(location) || existsSync(location) ? location : undefined;
}

/** `command` names the command in the message, e.g. "costs" or "engine simulate --from-ledger". */
export function noLedger(loaded: LoadedConfig, command: string, options: { url?: boolean } = {}): CliFailure {
  const location = databaseLocation(loaded.config, loaded.env);
  const elsewhere = options.url === false ? "" : " or pass --url http://brain:8787";
  return new CliFailure(
    `switchyard ${command}: this machine has no Switchyard ledger at ${location}: run this on the Brain (ssh brain switchyard ${command})${elsewhere}`,
    1,
  );
}

/**
 * The local ledger's report sources, read-only, for `use`; no ledger here is `noLedger`, and a
 * file from an older Switchyard is a one-line failure too.
 */
export async function withLocalSources<T>(
  loaded: LoadedConfig,
  command: string,
  use: (sources: ReportSources) => Promise<T>,
  options: { url?: boolean } = {},
): Promise<T> {
  if (!localLedger(loaded)) throw noLedger(loaded, command, options);
  let sources: Awaited<ReturnType<typeof openReportSources>>;
  try {
    sources = await openReportSources(loaded.config, loaded.env, { readOnly: true });
  } catch (error) {
    if (error instanceof OutdatedDatabaseError)
      throw new CliFailure(`switchyard ${command}: ${error.message}`, 1);
    throw error;
  }
  try {
    return await use(sources);
  } finally {
    await sources.close();
  }
}
