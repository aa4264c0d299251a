/**
 * The toolchains the default executable gate checks code with, found once: Node (always: it runs
 * Switchyard), TypeScript's `tsc` (on PATH, or the one installed beside Switchyard), Python 3 (on
 * PATH). A missing toolchain is no failure — the gate checks what it can, and `switchyard doctor`
 * says what is missing.
 */
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";

export interface Toolchains {
  node: string;
  tsc: string | undefined;
  python: string | undefined;
}

let found: Toolchains | undefined;

/** The toolchains on this machine (looked up once per process). */
export function findToolchains(path = process.env.PATH ?? ""): Toolchains {
  if (path === (process.env.PATH ?? "") && found) return found;
  const toolchains = {
    node: process.execPath,
    tsc: onPath("tsc", path) ?? installedTsc(),
    python: onPath("python3", path),
  };
  if (path === (process.env.PATH ?? "")) found = toolchains;
  return toolchains;
}

function onPath(command: string, path: string): string | undefined {
  for (const directory of path.split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The TypeScript compiler installed with Switchyard, when it is (a development install). */
function installedTsc(): string | undefined {
  try {
    const packageJson = createRequire(import.meta.url).resolve("typescript/package.json");
    const tsc = join(dirname(packageJson), "bin", "tsc");
    accessSync(tsc, constants.R_OK);
    return `"${process.execPath}" "${tsc}"`;
  } catch {
    return undefined;
  }
}
