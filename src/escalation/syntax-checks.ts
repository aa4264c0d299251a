/**
 * The default executable gate for code tasks: each file of the answer checked by its language's
 * own compiler, with the toolchains this machine has — `node --check` for JavaScript, `tsc` for
 * TypeScript, `python3 -m py_compile` for Python. Snippets are checked as snippets: TypeScript
 * errors that only say the snippet's surroundings are missing (an import of a package that is not
 * installed, test globals such as `describe`, Node's types) do not fail an answer; every other
 * error does. Files of other languages, and answers without code, are not checked.
 */
import type { CodeFile } from "./code-blocks.js";
import type { Toolchains } from "./toolchains.js";

export interface SyntaxCheck {
  /** How the finding names it: "node --check", "tsc", "python3 -m py_compile". */
  name: string;
  command: string;
  /** The failure to report from a non-zero exit's output, or undefined when it is acceptable. */
  failure(output: string): string | undefined;
}

/** TypeScript diagnostics that mean "not in a project", not "wrong code". */
const SNIPPET_DIAGNOSTICS = new Set([
  2307, // Cannot find module
  2792, // Cannot find module (moduleResolution hint)
  7016, // Could not find a declaration file for module
  2304, // Cannot find name (test globals, undeclared environment names)
  2580, // Cannot find name 'require' / 'process' (needs @types/node)
  2591, // Cannot find name … (needs @types/node, with tsconfig hint)
  2582, // Cannot find name 'describe'/'it' (test runner types)
  2593, // Cannot find name 'describe'/'it' (test runner types, with tsconfig hint)
  2503, // Cannot find namespace
  2688, // Cannot find type definition file
  2875, // JSX runtime module not found
]);

const TS_DIAGNOSTIC = /error TS(\d+):/g;

export function syntaxChecks(files: readonly CodeFile[], toolchains: Toolchains): SyntaxCheck[] {
  const checks: SyntaxCheck[] = [];
  const byExtension = (extensions: readonly string[]) =>
    files.filter((file) => extensions.some((extension) => file.path.endsWith(`.${extension}`)));
  const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;

  for (const file of byExtension(["js", "mjs", "cjs"])) {
    checks.push({
      name: "node --check",
      command: `"${toolchains.node}" --check ${quote(file.path)}`,
      failure: (output) => output.trim() || "node --check failed",
    });
  }
  const typescript = byExtension(["ts", "tsx", "mts", "cts"]);
  if (typescript.length > 0 && toolchains.tsc) {
    const options =
      "--noEmit --skipLibCheck --noResolve --isolatedModules --strict false --target es2022 " +
      "--module esnext --moduleResolution bundler --jsx preserve --lib es2023,dom";
    checks.push({
      name: "tsc",
      command: `${toolchains.tsc} ${options} ${typescript.map((file) => quote(file.path)).join(" ")}`,
      failure: (output) => {
        const codes = [...output.matchAll(TS_DIAGNOSTIC)].map((match) => Number(match[1]));
        const real = codes.filter((code) => !SNIPPET_DIAGNOSTICS.has(code));
        if (codes.length > 0 && real.length === 0) return undefined;
        return output
          .split("\n")
          .filter((line) => {
            const code = /error TS(\d+):/.exec(line)?.[1];
            return code === undefined || !SNIPPET_DIAGNOSTICS.has(Number(code));
          })
          .join("\n")
          .trim();
      },
    });
  }
  if (toolchains.python) {
    for (const file of byExtension(["py"])) {
      checks.push({
        name: "python3 -m py_compile",
        command: `"${toolchains.python}" -m py_compile ${quote(file.path)}`,
        failure: (output) => output.trim() || "py_compile failed",
      });
    }
  }
  return checks;
}
