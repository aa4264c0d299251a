/**
 * The Workstation's ~/.ssh/config entries for the Brain and the Engine, merged into whatever the
 * file already holds. Switchyard owns only a marked section, which it replaces on every run (so a
 * second run changes nothing); every other line stays as it was. A host the user already defines
 * outside that section is left alone and reported, never redefined.
 *
 * Where the section goes matters: ssh takes the first value it finds for each option, and every
 * line after a `Host` line belongs to that host. So the section goes before the first `Host` or
 * `Match` block — after the global options at the top, which must stay global — so a catch-all
 * `Host *` further down cannot override the entries' HostName or User.
 */
import { SwitchyardError } from "../errors/switchyard-error.js";

export interface SshHostEntry {
  /** The name typed after `ssh`: brain, engine. */
  alias: string;
  /** IP address or LAN hostname. */
  hostName: string;
  user: string;
}

export interface SshConfigMerge {
  text: string;
  /** Hosts the file already defines outside Switchyard's section, with the line that does. */
  skipped: Array<{ alias: string; line: number }>;
}

export const SSH_SECTION_START =
  "# >>> switchyard: written by `switchyard setup workstation`; edits inside are replaced >>>";
export const SSH_SECTION_END = "# <<< switchyard <<<";

const BLOCK_START = /^\s*(host|match)\s/i;

export function mergeSshConfig(existing: string, entries: readonly SshHostEntry[]): SshConfigMerge {
  for (const entry of entries) checkEntry(entry);
  const lines = existing === "" ? [] : existing.replace(/\n$/, "").split("\n");
  const start = lines.findIndex((line) => line.trim() === SSH_SECTION_START);
  const end =
    start === -1 ? -1 : lines.findIndex((line, index) => index > start && line.trim() === SSH_SECTION_END);
  const outside = start !== -1 && end !== -1 ? [...lines.slice(0, start), ...lines.slice(end + 1)] : lines;
  const lineNumberOf = (index: number) =>
    start !== -1 && end !== -1 && index >= start ? index + end - start + 2 : index + 1;

  const skipped: SshConfigMerge["skipped"] = [];
  const kept = entries.filter((entry) => {
    const index = outside.findIndex((line) => hostPatterns(line).includes(entry.alias.toLowerCase()));
    if (index !== -1) skipped.push({ alias: entry.alias, line: lineNumberOf(index) });
    return index === -1;
  });
  const section = kept.length === 0 ? [] : [SSH_SECTION_START, ...kept.flatMap(hostBlock), SSH_SECTION_END];

  if (section.length === 0 && outside === lines) return { text: existing, skipped };
  let at: number;
  if (start !== -1 && end !== -1) at = start;
  else {
    at = outside.findIndex((line) => BLOCK_START.test(line));
    // Comments right above the first block describe it: they stay with it.
    while (at > 0 && /^\s*#/.test(outside[at - 1]!)) at--;
  }
  const before = at === -1 ? outside : outside.slice(0, at);
  const after = at === -1 ? [] : outside.slice(at);
  const spacedBefore = section.length > 0 && before.length > 0 && before.at(-1)!.trim() !== "" ? [""] : [];
  const spacedAfter = section.length > 0 && after.length > 0 && after[0]!.trim() !== "" ? [""] : [];
  const merged = [...before, ...spacedBefore, ...section, ...spacedAfter, ...after];
  return { text: merged.length === 0 ? "" : `${merged.join("\n")}\n`, skipped };
}

function hostBlock(entry: SshHostEntry): string[] {
  return [`Host ${entry.alias}`, `  HostName ${entry.hostName}`, `  User ${entry.user}`];
}

/** The patterns of a `Host a b c` line, lower-cased; none for any other line. */
function hostPatterns(line: string): string[] {
  const match = /^\s*host\s+(.+)$/i.exec(line);
  if (!match) return [];
  return match[1]!
    .replace(/\s+#.*$/, "")
    .split(/\s+/)
    .map((pattern) => pattern.replace(/^"|"$/g, "").toLowerCase());
}

/** Values go into the file verbatim: anything that would break its syntax is refused. */
function checkEntry(entry: SshHostEntry): void {
  const fields = { alias: entry.alias, "host name": entry.hostName, user: entry.user };
  for (const [name, value] of Object.entries(fields)) {
    if (!/^[A-Za-z0-9._@%:[\]-]+$/.test(value)) {
      throw new SwitchyardError(
        "invalid-request",
        `the SSH ${name} ${JSON.stringify(value)} cannot go into ~/.ssh/config: use letters, digits, dots and dashes (an IP address or a hostname)`,
      );
    }
  }
}
