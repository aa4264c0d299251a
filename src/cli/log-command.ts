/**
 * `switchyard log`: the newest ledger rows, as a table or JSON lines — from the local database
 * (read-only; none here says so), or from a named Brain's admin API (`--url`, SWITCHYARD_URL, the
 * client config).
 */

import type { RequestRecord } from "../store/ledger-store.js";
import { brainJson, namedBrainFor } from "./brain-client.js";
import { requestListSchema } from "./brain-responses.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { withLocalSources } from "./cli-ledger.js";

export interface LogCommandOptions {
  limit?: string;
  json?: boolean;
  config?: string;
  url?: string;
}

export async function logCommand(options: LogCommandOptions): Promise<void> {
  const limit = Number(options.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new CliFailure(`switchyard log: -n must be a whole number of rows; got "${options.limit}"`, 2);
  }
  const rows = await recentRows(options, limit);
  if (options.json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  process.stdout.write(formatLogTable(rows));
}

async function recentRows(options: { config?: string; url?: string }, limit: number) {
  const brain = namedBrainFor(options);
  if (brain) return (await brainJson(brain, `/admin/requests?limit=${limit}`, requestListSchema)).data;
  return withLocalSources(loadCliConfig(options.config), "log", (sources) => sources.ledger.recent(limit));
}

export function formatLogTable(rows: RequestRecord[]): string {
  if (rows.length === 0) return "The ledger is empty: no requests yet.\n";
  const header = [
    "time",
    "task",
    "tier",
    "alias",
    "tokens in/out",
    "cached",
    "cost $",
    "ttft ms",
    "total ms",
    "status",
    "hops",
  ];
  const body = rows.map((row) => [
    new Date(row.startedAt).toISOString().replace("T", " ").slice(0, 19),
    row.task,
    String(row.tier),
    row.alias,
    `${row.inputTokens}/${row.outputTokens}`,
    cachedCell(row),
    // An estimate (a paid stream cut short, the provider's figure not in yet) is marked ~.
    `${row.costEstimated ? "~" : ""}${row.costUsd.toFixed(4)}`,
    row.ttftMs === null ? "-" : row.ttftMs.toFixed(0),
    row.latencyMs.toFixed(0),
    row.status === "ok" ? "ok" : `${row.status}${row.errorCode ? ` (${row.errorCode})` : ""}`,
    String(row.fallbackHops.length),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]!.length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return `${[format(header), ...body.map(format)].join("\n")}\n`;
}

/** Prompt tokens read from / written to the provider's cache: "r1200 w300", or "-". */
function cachedCell(row: RequestRecord): string {
  const parts = [
    row.cacheReadTokens ? `r${row.cacheReadTokens}` : "",
    row.cacheWriteTokens ? `w${row.cacheWriteTokens}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "-";
}
