/**
 * The `Host` aliases of an OpenSSH client config (`~/.ssh/config`), following `Include` lines
 * (relative ones from ~/.ssh, globs of the form `dir/*`), so the doctor can tell whether
 * `ssh brain` and `ssh engine` will work. Patterns with wildcards or negations are not aliases.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";

export async function sshHostAliases(home: string): Promise<{ aliases: Set<string>; files: string[] }> {
  const sshDirectory = join(home, ".ssh");
  const aliases = new Set<string>();
  const files: string[] = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    if (depth > 4 || files.includes(path)) return;
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) return;
    files.push(path);
    for (const line of text.split("\n")) {
      const match = /^\s*(Host|Include)\s*(?:=\s*|\s+)(.+?)\s*$/i.exec(line);
      if (!match) continue;
      const words = match[2]!.split(/\s+/).map((word) => word.replace(/^"|"$/g, ""));
      if (match[1]!.toLowerCase() === "host") {
        for (const word of words) if (!/[*?!]/.test(word)) aliases.add(word);
        continue;
      }
      for (const word of words) {
        const resolved = word.startsWith("~/")
          ? join(home, word.slice(2))
          : isAbsolute(word)
            ? word
            : join(sshDirectory, word);
        for (const included of await expand(resolved)) await visit(included, depth + 1);
      }
    }
  };
  await visit(join(sshDirectory, "config"), 0);
  return { aliases, files };
}

/** `dir/*` and `dir/*.conf` globs; a plain path as itself. */
async function expand(path: string): Promise<string[]> {
  const name = basename(path);
  if (!name.includes("*")) return [path];
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  return names
    .filter((entry) => pattern.test(entry))
    .sort()
    .map((entry) => join(dirname(path), entry));
}
