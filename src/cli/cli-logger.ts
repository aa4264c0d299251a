/**
 * The log of a command a person runs (`run`, `eval`, `mcp`): each entry as one plain line on
 * stderr — `switchyard: <message> (<field>=<value>, …): <error>` — never JSON, and never on stdout,
 * where the command's own output (and `--json`) goes. `serve` keeps pino's JSON lines: a service's
 * log is read by machines.
 */
import pino, { type Logger } from "pino";

/** What pino writes for an entry, less what the line does not show. */
interface Entry {
  msg?: string;
  err?: { message?: string };
  level?: number;
  [field: string]: unknown;
}

export function cliLogger(
  level: string,
  write: (text: string) => void = (text) => process.stderr.write(text),
): Logger {
  return pino(
    { level, base: undefined, timestamp: false },
    { write: (line: string) => write(`${formatEntry(line)}\n`) },
  );
}

export function formatEntry(line: string): string {
  let entry: Entry;
  try {
    entry = JSON.parse(line) as Entry;
  } catch {
    return `switchyard: ${line.trim()}`;
  }
  const { msg, err, level: _level, ...fields } = entry;
  const details = Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
  return [
    `switchyard: ${msg ?? "(no message)"}`,
    details ? ` (${details})` : "",
    err?.message ? `: ${err.message}` : "",
  ].join("");
}
