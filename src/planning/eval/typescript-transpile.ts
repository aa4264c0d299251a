/**
 * TypeScript for the evaluation's tests: the answer's `.ts` files and the task's own are turned
 * into JavaScript by the TypeScript compiler's `transpileModule` — types stripped, syntax checked,
 * no type checking (the tests judge behaviour; the executable gate judges types). The compiler is
 * loaded once per process from the `tsc` the machine has (the one installed beside Switchyard, or
 * the one on PATH), which is far cheaper than starting `tsc` for every answer.
 */
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";

/** The two functions of the compiler's API this needs. */
interface TypeScriptApi {
  convertCompilerOptionsFromJson(json: Record<string, unknown>, basePath: string): { options: unknown };
  transpileModule(
    input: string,
    options: { compilerOptions: unknown; fileName: string; reportDiagnostics: boolean },
  ): {
    outputText: string;
    diagnostics?: ReadonlyArray<{ start?: number; messageText: string | { messageText: string } }>;
  };
}

export interface Transpiled {
  javascript: string;
  /** Syntax errors, one line each ("line 3: ')' expected."); empty when there are none. */
  errors: string[];
}

export type Transpile = (source: string, fileName: string) => Transpiled;

let loaded: { api: TypeScriptApi; options: unknown } | null | undefined;

/** A transpiler, or undefined when no TypeScript compiler is on this machine. */
export function findTranspiler(path = process.env.PATH ?? ""): Transpile | undefined {
  if (loaded === undefined) loaded = load(path);
  if (!loaded) return undefined;
  const { api, options } = loaded;
  return (source, fileName) => {
    const output = api.transpileModule(source, {
      compilerOptions: options,
      fileName,
      reportDiagnostics: true,
    });
    const errors = (output.diagnostics ?? []).map((diagnostic) => {
      const text =
        typeof diagnostic.messageText === "string"
          ? diagnostic.messageText
          : diagnostic.messageText.messageText;
      const line = diagnostic.start === undefined ? undefined : lineOf(source, diagnostic.start);
      return line === undefined ? text : `${fileName} line ${line}: ${text}`;
    });
    return { javascript: output.outputText, errors };
  };
}

function load(path: string): { api: TypeScriptApi; options: unknown } | null {
  const require = createRequire(import.meta.url);
  const candidates: string[] = [];
  try {
    candidates.push(require.resolve("typescript"));
  } catch {
    // Not installed beside Switchyard (a production install): try the tsc on PATH.
  }
  const tsc = onPath("tsc", path);
  // npm's global bin links <prefix>/lib/node_modules/typescript/bin/tsc.
  if (tsc) candidates.push(join(dirname(dirname(tsc)), "lib", "typescript.js"));
  for (const candidate of candidates) {
    try {
      const api = require(candidate) as TypeScriptApi;
      const { options } = api.convertCompilerOptionsFromJson(
        { target: "es2022", module: "esnext", verbatimModuleSyntax: false },
        ".",
      );
      return { api, options };
    } catch {
      // Not a compiler we can load; try the next.
    }
  }
  return null;
}

function onPath(command: string, path: string): string | undefined {
  for (const directory of path.split(delimiter)) {
    if (!directory) continue;
    try {
      return realpathSync(join(directory, command));
    } catch {
      // not here
    }
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text[index] === "\n") line++;
  return line;
}
