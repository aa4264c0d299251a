/**
 * Small things the built-in workflows' nodes share: a prompt rendered from its kind's template
 * (the config's override or the built-in one), an artefact's text (or nothing), structured
 * answers turned into Markdown for the next step's prompt, the run's worktree, required, and the
 * linter run in it as a recorded step.
 */
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { type PromptKind, promptFor } from "../default-prompts.js";
import { renderTemplate } from "../prompt-template.js";
import { runRecordedStep } from "../recorded-step.js";
import type { RunContext } from "../run-context.js";
import type { Worktree } from "../run-worktree.js";
import { commandReport, commandSummary, runInWorktree } from "../worktree-command.js";

export function renderPrompt(context: RunContext, kind: PromptKind, values: Record<string, string>): string {
  return renderTemplate(promptFor(kind, context.settings.prompts), values, `workflows.prompts.${kind}`);
}

/** An artefact's text, or `fallback` when there is none to read. */
export async function artefactOr(context: RunContext, id: string | null, fallback = ""): Promise<string> {
  return id ? context.journal.artefactText(id) : fallback;
}

/** A structured answer (the JSON text a step stored) as Markdown: headings for keys, bullets for lists. */
export function jsonAsMarkdown(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return markdownOf(value, 0).trim();
}

function markdownOf(value: unknown, depth: number): string {
  if (Array.isArray(value)) return value.map((item) => `${"  ".repeat(depth)}- ${inline(item)}`).join("\n");
  if (typeof value === "object" && value !== null) {
    return Object.entries(value)
      .map(([key, item]) => {
        const label = key.replace(/_/g, " ");
        if (Array.isArray(item))
          return `${label}:\n${item.length === 0 ? "  (none)" : markdownOf(item, depth + 1)}`;
        return `${label}: ${inline(item)}`;
      })
      .join("\n");
  }
  return String(value);
}

function inline(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return Object.entries(value)
      .map(
        ([key, item]) => `${key.replace(/_/g, " ")}: ${Array.isArray(item) ? item.join("; ") : String(item)}`,
      )
      .join(" — ");
  return Array.isArray(value) ? value.join("; ") : String(value);
}

export function requireWorktree(worktree: Worktree | null): Worktree {
  if (!worktree)
    throw new SwitchyardError("internal", "The run has no worktree yet; the worktree step must run first");
  return worktree;
}

/** The union of two path lists, in first-seen order. */
export function unionPaths(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}

/**
 * Runs the linter command in the worktree as a recorded step (a resumed run reuses its output) and
 * returns the paragraph a lint prompt quotes.
 */
export async function linterOutput(
  context: RunContext,
  command: string,
  worktree: Worktree,
  key: string,
): Promise<string> {
  const { value } = await runRecordedStep(
    context,
    { key, node: "lint", label: "Run the linter", kind: "command" },
    async () => {
      const run = await runInWorktree(command, worktree.path, {
        timeoutMs: context.settings.command_timeout_ms,
        signal: context.signal,
      });
      const report = commandReport(run);
      return {
        value: report,
        detail: commandSummary(run),
        artefact: { kind: "lint-output", name: command, content: report },
      };
    },
  );
  return `The linter's output:\n${value}`;
}
