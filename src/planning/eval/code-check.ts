/**
 * The checker for code tasks: the answer's code is taken out of its fenced block, checked against
 * the task's rules on its source, and written into a fresh scratch directory (never the repo)
 * beside the task's tests, which then run — `node` for JavaScript and TypeScript (transpiled
 * first), `python3` for Python — through the executable gate's command runner: a process group of
 * its own, a time limit, only PATH and a scratch HOME in the environment. For test-generation the
 * answer is the test file: it must pass against the real code and fail against every mutant.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type CodeFile, extractCodeFiles } from "../../escalation/code-blocks.js";
import { runCommand } from "../../escalation/command-runner.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";
import type { CodeCheck, CodeLanguage, PatternRule } from "./eval-task.js";
import type { Transpile } from "./typescript-transpile.js";

/** What the code checker runs with; a missing one makes tasks that need it unrunnable. */
export interface EvalToolchains {
  /** The node binary (always known: it runs Switchyard). */
  node: string;
  python: string | undefined;
  /** TypeScript to JavaScript; undefined when no TypeScript compiler is on this machine. */
  transpile: Transpile | undefined;
}

export interface CodeVerdict {
  passed: boolean;
  /** Why it failed, one entry per defect (a command's output cut short). */
  findings: string[];
}

export interface CodeCheckOptions {
  toolchains: EvalToolchains;
  /** Per command; default 30 s. */
  timeoutMs?: number;
  signal?: CancelSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const OUTPUT_CHARS = 1_500;

const EXTENSIONS: Record<CodeLanguage, readonly string[]> = {
  typescript: ["ts", "tsx", "mts"],
  javascript: ["js", "mjs", "jsx"],
  python: ["py"],
};

export async function checkCode(
  check: CodeCheck,
  answer: string,
  options: CodeCheckOptions,
): Promise<CodeVerdict> {
  const file = answerFile(extractCodeFiles(answer), check);
  if (!file) {
    return {
      passed: false,
      findings: [`the answer has no ${check.language} code block to test (expected ${check.answerFile})`],
    };
  }
  const ruleFindings = sourceFindings(file.content, check);
  if (ruleFindings.length > 0) return { passed: false, findings: ruleFindings };

  const scratch = await mkdtemp(join(tmpdir(), "switchyard-eval-"));
  try {
    const files = { [check.answerFile]: file.content, ...check.files };
    const written = await writeFiles(scratch, files, check.language, options.toolchains);
    if (written.length > 0) return { passed: false, findings: written };
    const run = await runFile(scratch, check, options);
    if (run) return { passed: false, findings: [run] };
    for (const mutant of check.mutants ?? []) {
      const broken = await writeFiles(scratch, mutant.files, check.language, options.toolchains);
      if (broken.length > 0) throw new Error(`mutant ${mutant.name} does not build: ${broken.join("; ")}`);
      if ((await runFile(scratch, check, options)) === undefined) {
        return {
          passed: false,
          findings: [
            `the tests pass against a broken implementation (${mutant.name}): they miss that defect`,
          ],
        };
      }
    }
    return { passed: true, findings: [] };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The block named as the task expects, else the first block in the task's language. */
export function answerFile(files: readonly CodeFile[], check: CodeCheck): CodeFile | undefined {
  const base = check.answerFile.split("/").at(-1);
  const named = files.find((file) => file.path === check.answerFile || file.path.split("/").at(-1) === base);
  if (named) return named;
  const extensions = EXTENSIONS[check.language];
  return files.find((file) => extensions.some((extension) => file.path.endsWith(`.${extension}`)));
}

/** Broken `forbid` and `require` rules, as findings. */
export function sourceFindings(source: string, check: Pick<CodeCheck, "forbid" | "require">): string[] {
  const findings: string[] = [];
  for (const rule of check.forbid ?? []) if (countMatches(source, rule) > 0) findings.push(rule.message);
  for (const rule of check.require ?? []) {
    const count = countMatches(source, rule);
    if (count < (rule.atLeast ?? 1) || (rule.atMost !== undefined && count > rule.atMost))
      findings.push(rule.message);
  }
  return findings;
}

export function countMatches(text: string, rule: PatternRule): number {
  const flags = rule.flags ?? "m";
  const pattern = new RegExp(rule.pattern, flags.includes("g") ? flags : `${flags}g`);
  return [...text.matchAll(pattern)].length;
}

/** Writes files (TypeScript also as JavaScript); returns syntax errors, empty when all is well. */
async function writeFiles(
  scratch: string,
  files: Readonly<Record<string, string>>,
  language: CodeLanguage,
  toolchains: EvalToolchains,
): Promise<string[]> {
  const errors: string[] = [];
  if (language !== "python") await writeFile(join(scratch, "package.json"), '{ "type": "module" }\n');
  for (const [path, content] of Object.entries(files)) {
    const target = join(scratch, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, "utf8");
    if (language === "typescript" && /\.m?tsx?$/.test(path)) {
      if (!toolchains.transpile) throw new Error("no TypeScript compiler to run TypeScript tasks with");
      const output = toolchains.transpile(content, path);
      errors.push(...output.errors);
      await writeFile(target.replace(/\.(m?)tsx?$/, ".$1js"), output.javascript, "utf8");
    }
  }
  return errors.length > 0 ? [`the code does not parse:\n${errors.slice(0, 5).join("\n")}`] : [];
}

/** Runs the task's test file; undefined when it passed, else why it failed. */
async function runFile(
  scratch: string,
  check: CodeCheck,
  options: CodeCheckOptions,
): Promise<string | undefined> {
  const { toolchains } = options;
  const python = check.language === "python";
  if (python && !toolchains.python) throw new Error("no python3 to run Python tasks with");
  const file = check.run.replace(/\.(m?)tsx?$/, ".$1js");
  const command = python ? `"${toolchains.python}" -B '${file}'` : `"${toolchains.node}" '${file}'`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const run = await runCommand(command, {
    cwd: scratch,
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (run.exitCode === 0 && !run.timedOut) return undefined;
  const output = run.output
    .split(scratch)
    .join(".")
    .split("\n")
    // Node's frame for an uncaught error says nothing about the answer.
    .filter((line) => !/^node:internal\/|triggerUncaughtException|^\s*\^\s*$|^Node\.js v\d/.test(line))
    .join("\n")
    .trim();
  const shown = output.length > OUTPUT_CHARS ? `${output.slice(0, OUTPUT_CHARS)}\n… (cut)` : output;
  return run.timedOut
    ? `the tests did not finish within ${Math.round(timeoutMs / 1000)} s`
    : `the tests failed (exit ${run.exitCode ?? "killed"}):\n${shown}`;
}
