/**
 * The programs the executable quality gates run (`gates.<task>.executable.commands`), found on the
 * PATH the gates get. A gate runs its commands through the shell with only PATH and a scratch HOME,
 * in a scratch directory — so a tool installed in a project's node_modules is not there, and `npx
 * tsc` needs tsc on PATH as well (npx is told never to fetch).
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { SwitchyardConfig } from "../config/config-schema.js";

/** Runners that take the real tool as their first argument. */
const RUNNERS = new Set(["npx", "pnpx", "bunx", "uvx"]);
/** Shell builtins and keywords: never on PATH, always there. */
const BUILTINS = new Set(["cd", "test", "[", "true", "false", "echo", "exit", "set", "export", "if", "for"]);

/** Program names the configured gate commands start, with the tasks that use each. */
export function gatePrograms(config: SwitchyardConfig): Map<string, string[]> {
  const programs = new Map<string, string[]>();
  for (const [task, gates] of Object.entries(config.gates)) {
    for (const command of (gates?.executable || undefined)?.commands ?? []) {
      for (const segment of command.split(/&&|\|\||;|\|/)) {
        for (const program of commandPrograms(segment)) {
          const tasks = programs.get(program) ?? [];
          if (!tasks.includes(task)) tasks.push(task);
          programs.set(program, tasks);
        }
      }
    }
  }
  return programs;
}

/** Tasks whose executable gate checks code by its language (`auto: true`). */
export function languageCheckedTasks(config: SwitchyardConfig): string[] {
  return Object.entries(config.gates)
    .filter(([, gates]) => (gates?.executable || undefined)?.auto === true)
    .map(([task]) => task);
}

/** The program a shell command runs (after `VAR=value` prefixes), and the tool behind a runner. */
function commandPrograms(segment: string): string[] {
  const words = segment.trim().split(/\s+/).filter(Boolean);
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
  const program = words[0];
  if (program === undefined || BUILTINS.has(program)) return [];
  if (!RUNNERS.has(program)) return [program];
  const tool = words.slice(1).find((word) => !word.startsWith("-"));
  return tool === undefined ? [program] : [program, tool];
}

/** The executable's full path on `path`, or undefined. */
export function findOnPath(program: string, path: string): string | undefined {
  const candidates = isAbsolute(program)
    ? [program]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
