/** `switchyard log`: the newest ledger rows, as a table or JSON lines. */

import type { RequestRecord } from "../store/ledger-store.js";
import { databaseLocation, openStores } from "../store/open-stores.js";
import { loadCliConfig } from "./cli-context.js";

export async function logCommand(options: {
  limit?: string;
  json?: boolean;
  config?: string;
}): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const stores = await openStores(databaseLocation(loaded.config, loaded.env));
  try {
    const rows = await stores.ledger.recent(Number(options.limit ?? 20));
    if (options.json) {
      for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      return;
    }
    process.stdout.write(formatLogTable(rows));
  } finally {
    await stores.close();
  }
}

export function formatLogTable(rows: RequestRecord[]): string {
  if (rows.length === 0) return "The ledger is empty: no requests yet.\n";
  const header = [
    "time",
    "task",
    "tier",
    "alias",
    "tokens in/out",
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
    row.costUsd.toFixed(4),
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
