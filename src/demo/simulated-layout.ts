/**
 * Where a simulated model puts a program's code and tests, and in which language. A workflow's
 * code and test steps list the repository's files in their prompt; the model follows them — a
 * JavaScript package gets JavaScript under its `src/` with tests under its `test/`, importing the
 * code by the relative path that resolves — so what it writes runs with the repository's own test
 * command. A request without a listing (a chat) gets the default: TypeScript, side by side.
 */
import { extname } from "node:path";
import type { SimulatedProgram } from "./simulated-programs.js";
import { javascriptOf } from "./simulated-programs-javascript.js";

export interface CodeLayout {
  language: "ts" | "js";
  /** The file extension of code and tests: `.ts`, `.js` or `.mjs`. */
  extension: string;
  /** Where code goes, `src/` or "" (the top). */
  sourceDirectory: string;
  /** Where tests go, `test/`, `tests/`, or the code's own directory. */
  testDirectory: string;
}

export const CHAT_LAYOUT: CodeLayout = {
  language: "ts",
  extension: ".ts",
  sourceDirectory: "",
  testDirectory: "",
};

export interface ProgramFile {
  path: string;
  language: string;
  content: string;
}

/** The heading a workflow's prompt puts over the repository's file list (default-prompts.ts). */
const LISTING_HEADING = /^.*\brepository's files\b.*:\s*$/im;
const TS = /\.(ts|tsx|mts|cts)$/;
const JS = /\.(js|jsx|mjs|cjs)$/;
const NOT_SOURCE = /(^|\/)(node_modules|dist|build|coverage|\.[^/]+)\/|\.d\.ts$|\.config\.[cm]?[jt]s$/;

/** The repository's file paths listed in a prompt, or none. */
export function listedFiles(text: string): string[] {
  const heading = LISTING_HEADING.exec(text);
  if (!heading) return [];
  const after = text.slice(heading.index + heading[0].length).replace(/^\n/, "");
  const files: string[] = [];
  for (const line of after.split("\n")) {
    const path = line.replace(/^\s*[-*]\s+/, "").trim();
    if (path === "" || /\s/.test(path)) break;
    files.push(path);
  }
  return files;
}

/** The layout the listed files show; the chat default when there are none to go by. */
export function layoutFrom(text: string): CodeLayout {
  const sources = listedFiles(text).filter((path) => !NOT_SOURCE.test(path));
  const typescript = sources.filter((path) => TS.test(path));
  const javascript = sources.filter((path) => JS.test(path));
  if (typescript.length === 0 && javascript.length === 0) return CHAT_LAYOUT;
  const language = typescript.length >= javascript.length ? "ts" : "js";
  const ours = language === "ts" ? typescript : javascript;
  const modules = ours.filter((path) => extname(path) === ".mjs").length;
  const extension = language === "ts" ? ".ts" : modules * 2 > ours.length ? ".mjs" : ".js";
  const isTest = (path: string) => /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[a-z]+$/.test(path);
  const code = ours.filter((path) => !isTest(path));
  const sourceDirectory =
    ["src/", "lib/"].find((folder) => code.some((path) => path.startsWith(folder))) ?? "";
  const testDirectory =
    ["test/", "tests/"].find((folder) => ours.some((path) => path.startsWith(folder))) ?? sourceDirectory;
  return { language, extension, sourceDirectory, testDirectory };
}

/** The program's code and test files for a layout; the test imports the code where it lies. */
export function programFiles(
  program: SimulatedProgram,
  layout: CodeLayout,
): { code: ProgramFile; test: ProgramFile } {
  const codePath = `${layout.sourceDirectory}${program.name}${layout.extension}`;
  const testPath = `${layout.testDirectory}${program.name}.test${layout.extension}`;
  // TypeScript imports the compiled name (`.js`); JavaScript the file itself.
  const importExtension = layout.language === "ts" ? ".js" : layout.extension;
  const specifier = `${relativeFolder(layout.testDirectory, layout.sourceDirectory)}${program.name}${importExtension}`;
  return {
    code: {
      path: codePath,
      language: layout.language,
      content: layout.language === "ts" ? program.code : javascriptOf(program),
    },
    test: {
      path: testPath,
      language: layout.language,
      content: program.test.replace(`from "./${program.name}.js"`, `from "${specifier}"`),
    },
  };
}

/** `../src/` from `test/` to `src/`; `./` between the same folders. Both end in `/` or are "". */
function relativeFolder(from: string, to: string): string {
  const fromParts = from.split("/").filter(Boolean);
  const toParts = to.split("/").filter(Boolean);
  let shared = 0;
  while (shared < fromParts.length && fromParts[shared] === toParts[shared]) shared++;
  const up = fromParts.length - shared;
  const down = toParts
    .slice(shared)
    .map((part) => `${part}/`)
    .join("");
  return `${up === 0 ? "./" : "../".repeat(up)}${down}`;
}
