/**
 * The simulated answers for the mechanical, code-shaped task kinds: code generation, tests,
 * refactoring, lint, commit messages and conflict resolution. Code comes from the program library
 * (it compiles; its tests pass against it), findings from the pattern list, commit messages from
 * the diff and the ask. Each returns the answer's body; the writer adds the closing note.
 */

import { codeFindings } from "./simulated-code-findings.js";
import { layoutFrom, programFiles } from "./simulated-layout.js";
import { codeBlock, commitTrailer } from "./simulated-markers.js";
import { programFor, type SimulatedProgram } from "./simulated-programs.js";
import { isTestPath, namedFilesIn, titleIn, topicOf } from "./simulated-prompt-reading.js";
import type { AskReading } from "./simulated-task.js";
import { type ConflictHunk, codeIn, conflictsIn, diffIn, lowerFirst, subjectOf } from "./simulated-text.js";

export interface AnswerContext {
  reading: AskReading;
  /** The model that "answers", named in every marker. */
  model: string;
  /** Give the flawed first attempt of the program, where it has one. */
  flawed: boolean;
}

function nearestNote(program: SimulatedProgram, subject: string): string {
  return `The demo's simulated models know a handful of small programs; the closest to "${subject}" is \`${program.exportName}\`.\n\n`;
}

function feedbackLine(feedback: string, language: "ts" | "js"): string {
  const reason = feedback
    .replace(/^[^:]*:\s*/, "")
    .split("\n")[0]!
    .replace(/[.\s]+$/, "")
    .slice(0, 160);
  const checked = language === "ts" ? "type-checks under `--strict`" : "passes `node --check`";
  return `The previous attempt was rejected (${reason}). This version fixes it and ${checked}:`;
}

export function codeGenerationAnswer({ reading, model, flawed }: AnswerContext): string {
  const { program, matched } = programFor(topicOf(reading.request));
  const layout = layoutFrom(reading.request);
  const { code, test } = programFiles(program, layout);
  const block = (content: string) =>
    codeBlock({ language: code.language, path: code.path, code: content, model });
  // The flawed first attempt is TypeScript that does not type-check; JavaScript has no such flaw.
  if (flawed && program.flawedCode && layout.language === "ts")
    return `Here is the ${program.exportName}:\n\n${block(program.flawedCode)}`;
  const intro = reading.feedback
    ? feedbackLine(reading.feedback, layout.language)
    : `Here is \`${program.exportName}\` in \`${code.path}\`: it ${program.summary}.`;
  return [
    matched ? "" : nearestNote(program, subjectOf(topicOf(reading.request))),
    `${intro}\n\n${block(code.content)}\n\n`,
    "Notes:\n",
    layout.language === "ts"
      ? "- It has no dependencies and compiles on its own with `tsc --strict`.\n"
      : "- It has no dependencies; JSDoc comments carry its types.\n",
    `- Bad input fails loudly with a message that names the value, rather than giving a wrong result.\n`,
    `- Tests: ask for tests of \`${program.exportName}\` and they will live in \`${test.path}\`.`,
  ].join("");
}

export function testGenerationAnswer({ reading, model }: AnswerContext): string {
  // In a workflow the specification's title names the program; in a chat, anything said so far.
  const topic = titleIn(reading.request) ?? `${reading.request}\n${reading.conversation}`;
  const { program, matched } = programFor(topic);
  const layout = layoutFrom(reading.request);
  const { code, test } = programFiles(program, layout);
  const run =
    layout.language === "ts"
      ? "Run them after compiling: `tsc && node --test`."
      : "Run them with `node --test`.";
  return [
    matched ? "" : nearestNote(program, subjectOf(topicOf(reading.request))),
    `Tests for \`${program.exportName}\` with \`node:test\` and \`node:assert/strict\`, in \`${test.path}\` (they import \`${code.path}\`):\n\n`,
    codeBlock({ language: test.language, path: test.path, code: test.content, model }),
    `\n\n${run} They cover the normal case, the edges and the refusals of bad input.`,
  ].join("");
}

export function refactoringAnswer({ reading, model }: AnswerContext): string {
  const found = codeIn(reading.conversation);
  const named = found && programFor(found.lines.join("\n"));
  if (!found || named?.matched) {
    const program = named?.program ?? programFor(reading.request).program;
    return [
      `Refactored \`${program.exportName}\`: the behaviour is unchanged; the steps are named, the edge cases are checked up front, and each branch does one thing.\n\n`,
      codeBlock({ language: "ts", path: `${program.name}.ts`, code: program.code, model }),
      "\n\nWhat changed:\n- Input checks moved to the top, with errors that name the bad value.\n- One expression per step instead of nested calls.\n- Comments only where the code does something a reader would not expect.",
    ].join("");
  }
  const cleaned = found.lines.map((line) =>
    line
      .replace(/\bvar\s+/, "const ")
      .replace(/([^=!<>])==([^=])/g, "$1===$2")
      .replace(/!=([^=])/g, "!==$1")
      .replace(/\s+$/, ""),
  );
  return [
    "Refactored with the behaviour unchanged: `var` became `const`, loose equality became strict, trailing whitespace is gone.\n\n",
    codeBlock({ language: found.language, path: found.path, code: cleaned.join("\n"), model }),
    "\n\nIf a `const` is reassigned later, make that one `let`; run the tests before and after to confirm nothing moved.",
  ].join("");
}

export function lintAnswer({ reading }: AnswerContext): string {
  // Every named file in the request (a workflow lints the code and its tests at once), else the code.
  const named = namedFilesIn(reading.conversation);
  const found = codeIn(reading.conversation);
  const files = named.length > 0 ? named : found ? [found] : [];
  if (files.length === 0)
    return "There is no code in the request to lint: paste the file or a fenced block and I will check it.";
  const lines = files.flatMap((file) =>
    codeFindings(file).map(
      (finding) =>
        `- ${file.path ?? "line"}${file.path ? ":" : " "}${finding.line} [${finding.rule}] ${finding.message}. Fix: ${finding.fix}.`,
    ),
  );
  const where = files.length === 1 ? (files[0]!.path ?? "the code") : `${files.length} files`;
  if (lines.length === 0)
    return `No problems found in ${where}: no loose equality, \`any\`, \`var\`, swallowed errors or leftover logging.`;
  return `${lines.length} problem${lines.length === 1 ? "" : "s"} in ${where}:\n\n${lines.join("\n")}`;
}

export function commitMessageAnswer({ reading, model }: AnswerContext): string {
  const diff = diffIn(reading.conversation);
  // A workflow names the change on a line of its own; its files include the tests it added.
  const change = /^Change:\s*(.+)$/m.exec(reading.request)?.[1]?.trim();
  const words = (change ?? `${reading.request}\n${diff?.files.join(" ") ?? ""}`).toLowerCase();
  const type = /\b(fix|bug|off-by-one|crash|broken|error)\b/.test(words)
    ? "fix"
    : /\btests?\b|\.test\.|spec\b/.test(words)
      ? "test"
      : /\breadme|docs?\b|\.md\b/.test(words)
        ? "docs"
        : /\brefactor|rename|extract|clean ?up\b/.test(words)
          ? "refactor"
          : "feat";
  const firstFile = diff?.files.find((file) => !isTestPath(file)) ?? diff?.files[0];
  const scope = firstFile
    ? (firstFile.split("/").at(-1) ?? firstFile).replace(/\.[^.]+$/, "")
    : scopeFromAsk(reading.request);
  const described =
    change ??
    /(?:message|commit)\s+for(?: this (?:change|diff))?\s*[:-]?\s*(.+)/i.exec(
      reading.request.split("\n")[0]!,
    )?.[1] ??
    (firstFile ? `update ${firstFile}` : subjectOf(reading.request));
  const head = `${type}${scope ? `(${scope})` : ""}: `;
  let summary = lowerFirst(
    described
      .replace(/```[\s\S]*$/, "")
      .replace(/[.\s]+$/, "")
      .trim(),
  );
  if (head.length + summary.length > 72)
    summary = `${summary.slice(0, 71 - head.length).replace(/\s+\S*$/, "")}`;
  const body = diff ? `\nTouches ${diff.files.join(", ")} (+${diff.added} −${diff.removed} lines).\n` : "";
  return `${head}${summary}\n${body}\n${commitTrailer(model)}`;
}

function scopeFromAsk(request: string): string {
  const noun = /\b(?:in|of|for) (?:the )?([a-z][\w-]*)/i.exec(request)?.[1];
  return noun && noun.length <= 16 ? noun.toLowerCase().replace(/'s$/, "") : "";
}

export function conflictResolutionAnswer({ reading, model }: AnswerContext): string {
  // Markers inside a fenced block are resolved there; otherwise in the message as written.
  const found = codeIn(reading.conversation);
  const fenced = found?.lines.some((line) => line.startsWith("<<<<<<<")) ? found : undefined;
  const conflicts = conflictsIn(fenced ? fenced.lines.join("\n") : reading.request);
  if (!conflicts) {
    const subject = subjectOf(reading.request);
    return [
      `Resolving ${subject}:\n\n`,
      "1. **Keep both intents.** Each side changed the code for a reason; the merge keeps the behaviour both need.\n",
      "2. **Where they truly clash, the newer requirement wins,** and the older behaviour stays behind a flag until its owner signs off.\n",
      "3. **Prove it:** both sides' tests must pass on the merged result before it lands.\n\n",
      "Paste the file with its conflict markers and I will write out the resolved version.",
    ].join("");
  }
  const merged: string[] = [...(conflicts.outside[0] ?? [])];
  const explanations: string[] = [];
  conflicts.hunks.forEach((hunk, index) => {
    const resolution = resolveHunk(hunk);
    merged.push(...resolution.lines, ...(conflicts.outside[index + 1] ?? []));
    const replaced = resolution.replaced.map((name) => `\`${name}\``).join(", ");
    explanations.push(
      `- Conflict ${index + 1}: kept ${hunk.oursLabel}'s lines and added what ${hunk.theirsLabel} brought` +
        (replaced ? `; both sides set ${replaced}, so ${hunk.theirsLabel}'s newer value wins.` : "."),
    );
  });
  const code = merged.join("\n").replace(/^\n+|\n+$/g, "");
  return [
    `Resolved ${conflicts.hunks.length} conflict${conflicts.hunks.length === 1 ? "" : "s"}, keeping both sides' intent; no markers are left:\n\n`,
    codeBlock({ language: fenced?.language ?? "ts", path: fenced?.path, code, model }),
    `\n\n${explanations.join("\n")}\n- Check the merged order once by eye, then run both branches' tests.`,
  ].join("");
}

const DECLARED =
  /^\s*(?:export\s+)?(?:const|let|var|function|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)|^\s*["']?([A-Za-z_$][\w$-]*)["']?\s*[:=]/;

/**
 * Both sides' lines, once each; where both declare or set the same name, the incoming side's line
 * takes the place of ours, so the result never declares a name twice.
 */
function resolveHunk(hunk: ConflictHunk): { lines: string[]; replaced: string[] } {
  const nameOf = (line: string) => {
    const match = DECLARED.exec(line);
    return match ? (match[1] ?? match[2]) : undefined;
  };
  const theirsByName = new Map<string, string>();
  for (const line of hunk.theirs) {
    const name = nameOf(line);
    if (name) theirsByName.set(name, line);
  }
  const replaced: string[] = [];
  const used = new Set<string>();
  const lines = hunk.ours.map((line) => {
    const name = nameOf(line);
    const incoming = name ? theirsByName.get(name) : undefined;
    if (name === undefined || incoming === undefined) return line;
    if (incoming.trim() !== line.trim()) replaced.push(name);
    used.add(incoming);
    return incoming;
  });
  const seen = new Set(lines.map((line) => line.trim()));
  for (const line of hunk.theirs) if (!used.has(line) && !seen.has(line.trim())) lines.push(line);
  return { lines, replaced };
}
