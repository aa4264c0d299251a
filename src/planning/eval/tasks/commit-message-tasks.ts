/**
 * Commit messages: a diff and its context. Deterministic rules check the Conventional Commits
 * shape, the type this change is, the subject's length and the blank line before the body; a
 * judge checks the message against the reference points (what changed, and why).
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

function prompt(diff: string, context: string): string {
  return paragraphs(
    "Write a commit message for this change. Use Conventional Commits: a subject `type(scope): summary` of at most 72 characters in the imperative mood, then a blank line and a short body that says why. Reply with the commit message only.",
    fence("diff", diff),
    `Context: ${context}`,
  );
}

function commitTask(task: {
  id: string;
  title: string;
  diff: string;
  context: string;
  types: string[];
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "commit-message",
    title: task.title,
    prompt: prompt(task.diff, task.context),
    maxTokens: 400,
    check: {
      type: "text",
      rules: [{ rule: "conventional-commit", types: task.types, maxSubject: 72 }],
      judge: { points: task.points },
    },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const COMMIT_MESSAGE_TASKS: readonly EvalTask[] = [
  commitTask({
    id: "commit-fix-page-count",
    title: "a rounding fix",
    diff: `
--- a/src/pager.ts
+++ b/src/pager.ts
@@ -12,5 +12,5 @@ export function pageCount(total: number, perPage: number): number {
   if (perPage <= 0) throw new RangeError("perPage must be positive");
-  return Math.floor(total / perPage);
+  return Math.ceil(total / perPage);
 }`,
    context: "with 101 results at 10 per page, the last result could not be reached.",
    types: ["fix"],
    points: [
      "says the page count now rounds up (ceil instead of floor)",
      "says why: the last, partial page (e.g. result 101 of 101) was unreachable",
    ],
    reference: `
fix(pager): round the page count up

Math.floor dropped the last, partial page: with 101 results at 10 per
page, result 101 could not be reached. Use Math.ceil.`,
    wrong: `
Fixed pager bug

Changed floor to ceil.`,
  }),
  commitTask({
    id: "commit-feat-json-flag",
    title: "a new CLI flag",
    diff: `
--- a/src/cli/costs-command.ts
+++ b/src/cli/costs-command.ts
@@ -8,10 +8,15 @@ export async function costsCommand(options: CostsOptions): Promise<void> {
   const report = await buildCostReport(ledger, period);
-  process.stdout.write(formatCostReport(report));
+  if (options.json) {
+    process.stdout.write(JSON.stringify(report, null, 2) + "\\n");
+  } else {
+    process.stdout.write(formatCostReport(report));
+  }
 }
--- a/src/cli/main.ts
+++ b/src/cli/main.ts
@@ -40,6 +40,7 @@ program
   .command("costs")
+  .option("--json", "print the report as JSON")
   .action(costsCommand);`,
    context: "the finance team wants to feed the monthly costs into their spreadsheet script.",
    types: ["feat"],
    points: [
      "names the new --json option of the costs command",
      "says why: machine-readable output for scripts",
    ],
    reference: `
feat(cli): add --json to switchyard costs

Print the cost report as JSON so scripts (the finance team's
spreadsheet import) can read it without parsing the table.`,
    wrong: `
fix(cli): add --json to switchyard costs

Print the cost report as JSON for scripts.`,
  }),
  commitTask({
    id: "commit-refactor-extract-helper",
    title: "a behaviour-preserving extraction",
    diff: `
--- a/src/session.ts
+++ b/src/session.ts
@@ -1,14 +1,17 @@
+function isExpired(session: Session, now: number): boolean {
+  return now - session.createdAt > SESSION_MS;
+}
+
 export function requireSession(session: Session, now = Date.now()): void {
-  if (now - session.createdAt > SESSION_MS) throw new SessionExpired();
+  if (isExpired(session, now)) throw new SessionExpired();
 }

 export function sessionBadge(session: Session, now = Date.now()): string {
-  return now - session.createdAt > SESSION_MS ? "expired" : "active";
+  return isExpired(session, now) ? "expired" : "active";
 }`,
    context: "the expiry rule was written twice and is about to change (sliding sessions).",
    types: ["refactor"],
    points: [
      "says the duplicated expiry check moved into one isExpired helper",
      "says behaviour is unchanged and/or why: one place to change the upcoming expiry rule",
    ],
    reference: `
refactor(session): extract the expiry check into isExpired

The rule was written out in requireSession and sessionBadge. One helper
gives the coming sliding-session change a single place to land; no
behaviour changes.`,
    wrong: `
feat(session): add isExpired helper

Adds a helper to check whether a session has expired.`,
  }),
  commitTask({
    id: "commit-docs-budgets",
    title: "a documentation section",
    diff: `
--- a/README.md
+++ b/README.md
@@ -120,6 +120,18 @@ Point any OpenAI-compatible client at the Brain.
+### Budgets
+
+Paid requests reserve their worst-case cost before they are sent, so
+spend can never pass the monthly cap. At a cap, requests are downgraded
+to a local model (or refused with 402 when \`on_exhausted: reject\`).
+Alerts fire at 50%, 80% and 100% of each budget.
+`,
    context: "users kept asking in issues why a request was downgraded.",
    types: ["docs"],
    points: [
      "says a Budgets section was added to the README",
      "says what it explains: reservations, caps and downgrades, or alerts",
    ],
    reference: `
docs(readme): explain budgets, caps and downgrades

Users kept asking why a request ran on a local model: the new Budgets
section explains reservations, what happens at a cap, and the alerts.`,
    wrong: `
docs: add a section to the README describing how budgets, reservations, alerts and downgrades work in detail

Users asked about it.`,
  }),
  commitTask({
    id: "commit-perf-hoist-regex",
    title: "a performance fix",
    diff: `
--- a/src/log-parser.ts
+++ b/src/log-parser.ts
@@ -1,8 +1,10 @@
+const LINE = /^(\\S+) (\\S+) \\[([^\\]]+)\\] "([^"]*)" (\\d{3})/;
+
 export function parseLines(lines: string[]): Entry[] {
   const entries: Entry[] = [];
   for (const line of lines) {
-    const match = new RegExp('^(\\\\S+) (\\\\S+) \\\\[([^\\\\]]+)\\\\] "([^"]*)" (\\\\d{3})').exec(line);
+    const match = LINE.exec(line);
     if (match) entries.push(toEntry(match));
   }
   return entries;`,
    context:
      "parsing a 2 GB access log took 40 s; profiling showed most of it compiling the same regular expression per line. Now 9 s.",
    types: ["perf"],
    points: [
      "says the regular expression is compiled once instead of once per line",
      "gives the effect or why (the profile, or 40 s to 9 s on a 2 GB log)",
    ],
    reference: `
perf(log-parser): compile the line pattern once

The RegExp was rebuilt for every line; profiling a 2 GB access log
showed most of the 40 s spent compiling it. Hoisting it brings the
parse down to 9 s.`,
    wrong: `
perf(log-parser): compile the line pattern once
The RegExp was rebuilt for every line, which was slow (40 s -> 9 s).`,
  }),
  commitTask({
    id: "commit-test-slugify",
    title: "new tests",
    diff: `
--- /dev/null
+++ b/test/slugify.test.ts
@@ -0,0 +1,14 @@
+import { describe, expect, it } from "vitest";
+import { slugify } from "../src/slugify.js";
+
+describe("slugify", () => {
+  it("drops accents and punctuation", () => {
+    expect(slugify("Crème Brûlée!")).toBe("creme-brulee");
+  });
+  it("collapses and trims hyphens", () => {
+    expect(slugify("--a  b--")).toBe("a-b");
+  });
+});`,
    context: "slugify had no tests; a regression in accent handling shipped last week.",
    types: ["test"],
    points: [
      "says tests were added for slugify",
      "names what they cover (accents, punctuation, hyphens) or why (last week's regression)",
    ],
    reference: `
test(slugify): cover accents, punctuation and hyphens

slugify had no tests, and last week's accent regression shipped
unnoticed. These pin the cases it broke.`,
    wrong: `
chore: add tests

Add slugify tests.`,
  }),
  commitTask({
    id: "commit-deps-security-bump",
    title: "a dependency bump for a security fix",
    diff: `
--- a/package.json
+++ b/package.json
@@ -20,7 +20,7 @@
     "pino": "^10.4.0",
-    "undici": "^6.19.2",
+    "undici": "^6.21.1",
     "yaml": "^2.9.1"`,
    context:
      "undici 6.21.1 fixes CVE-2025-22150 (predictable multipart boundaries); we send multipart uploads.",
    types: ["fix", "build", "chore"],
    points: [
      "names undici and the new version (6.21.1)",
      "says why: the security fix (CVE-2025-22150, multipart boundaries), which matters because we send multipart uploads",
    ],
    reference: `
fix(deps): update undici to 6.21.1 for CVE-2025-22150

6.21.1 makes multipart boundaries unpredictable; we send multipart
uploads, so the weak boundaries affected us.`,
    wrong: `
build(deps): bump dependencies

Routine update.`,
  }),
];
