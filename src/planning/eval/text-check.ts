/**
 * The deterministic half of the checker for text tasks: rules that need no model — a commit
 * message's Conventional Commits shape and subject length, the verdict lines a prompt asked for
 * (`AC2: FAIL`, `DECISION: NO-GO`), phrases that must or must not appear. Cheap and exact, so they
 * run before any judge is paid for.
 */
import { countMatches } from "./code-check.js";
import type { TextRule } from "./eval-task.js";

/** Broken rules, one finding each; empty when every rule holds. */
export function textFindings(answer: string, rules: readonly TextRule[]): string[] {
  const text = stripReasoning(answer);
  const findings: string[] = [];
  for (const rule of rules) {
    switch (rule.rule) {
      case "matches":
        if (countMatches(text, rule) < (rule.atLeast ?? 1)) findings.push(rule.message);
        break;
      case "not-matches":
        if (countMatches(text, rule) > 0) findings.push(rule.message);
        break;
      case "conventional-commit":
        findings.push(...commitFindings(commitMessage(text), rule.types, rule.maxSubject));
        break;
      case "verdicts":
        for (const [key, expected] of Object.entries(rule.expected)) {
          const found = verdictOf(text, key);
          if (found === undefined) findings.push(`no "${key}: …" line, which the task asked for`);
          else if (!normalise(found).startsWith(normalise(expected)))
            findings.push(`${key} is "${found}"; the right verdict is ${expected}`);
        }
        break;
    }
  }
  return findings;
}

/** A reasoning model's `<think>` block is not part of its answer. */
function stripReasoning(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, "").trim();
}

/** The message itself: a fenced block's content when the model fenced it, else the text. */
export function commitMessage(text: string): string {
  const fenced = /^ {0,3}(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n {0,3}\1\s*$/m.exec(text);
  return (fenced?.[2] ?? text).trim();
}

const CONVENTIONAL = /^([a-z]+)(\([\w.,/ -]+\))?(!)?: (\S.*)$/;

function commitFindings(message: string, types: readonly string[], maxSubject: number): string[] {
  const subject = message.split("\n")[0]?.trim() ?? "";
  const findings: string[] = [];
  const match = CONVENTIONAL.exec(subject);
  if (!match) {
    findings.push(
      `the subject "${subject.slice(0, 80)}" is not "type(scope): summary" (Conventional Commits)`,
    );
  } else if (!types.includes(match[1]!)) {
    findings.push(
      `the type is "${match[1]}"; this change is ${types.map((type) => `"${type}"`).join(" or ")}`,
    );
  }
  if (subject.length > maxSubject)
    findings.push(`the subject is ${subject.length} characters; at most ${maxSubject}`);
  const lines = message.split("\n");
  if (lines.length > 1 && lines[1]!.trim() !== "")
    findings.push("the body is not separated from the subject by a blank line");
  return findings;
}

/** The value of the last `KEY: value` line (markdown emphasis, bullets and quotes aside). */
export function verdictOf(text: string, key: string): string | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^[\\s>*_\`#|-]*${escaped}[\\s*_\`]*[:=][\\s*_\`]*([^\\n]+)`, "gim");
  const matches = [...text.matchAll(pattern)];
  return matches.at(-1)?.[1]?.trim();
}

/** Upper case, letters and digits only, without a leading "Option" ("Option B" is "B"). */
function normalise(value: string): string {
  return value
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .replace(/^OPTION(?=.)/, "");
}
