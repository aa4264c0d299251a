/**
 * The defects the simulated reviewer and linter "see": a handful of line patterns that real
 * reviews often flag (`any`, loose equality, unguarded JSON.parse, swallowed errors, leftover
 * logging, `var`, a 0-based page index, non-null assertions, TODOs), each with its line number,
 * a rule name and a concrete fix. Cheap, deterministic, and honest about being a pattern list.
 */
import type { FoundCode } from "./simulated-text.js";

export interface CodeFinding {
  /** 1-based line in the code block. */
  line: number;
  rule: string;
  message: string;
  fix: string;
  /** Would block a merge (a likely bug), as opposed to a nit. */
  blocking: boolean;
}

interface Pattern {
  test: RegExp;
  rule: string;
  message: string;
  fix: string;
  blocking: boolean;
}

const PATTERNS: readonly Pattern[] = [
  {
    test: /\bpage\s*\*\s*\w+/,
    rule: "off-by-one",
    message:
      "the page index is used as 0-based; callers usually pass 1-based pages, so page 1 skips the first page and the last page is lost",
    fix: "compute the start as `(page - 1) * size` and reject `page < 1`",
    blocking: true,
  },
  {
    test: /JSON\.parse\(/,
    rule: "unguarded-parse",
    message: "`JSON.parse` throws on bad input and nothing here catches it",
    fix: "wrap it in try/catch and turn the failure into an error that names the input",
    blocking: true,
  },
  {
    test: /catch\s*(\(\s*\w*\s*\))?\s*\{\s*\}/,
    rule: "no-empty-catch",
    message: "the error is swallowed: a failure here vanishes without a trace",
    fix: "log it with context or rethrow; if ignoring is intended, say why in a comment",
    blocking: true,
  },
  {
    test: /[^=!<>]==[^=]|!=[^=]/,
    rule: "eqeqeq",
    message: 'loose equality coerces types (`0 == ""` is true)',
    fix: "use `===` / `!==`",
    blocking: false,
  },
  {
    test: /:\s*any\b|\bas any\b|<any>/,
    rule: "no-explicit-any",
    message: "`any` switches the type checker off for this value",
    fix: "give it a real type, or `unknown` and narrow it",
    blocking: false,
  },
  {
    test: /\bvar\s+\w/,
    rule: "no-var",
    message: "`var` is function-scoped and hoisted",
    fix: "use `const` (or `let` when it is reassigned)",
    blocking: false,
  },
  {
    test: /console\.(log|debug)\(/,
    rule: "no-console",
    message: "leftover debug logging",
    fix: "remove it or use the project's logger",
    blocking: false,
  },
  {
    test: /\w!\.|\w!\)/,
    rule: "no-non-null-assertion",
    message: "a non-null assertion hides the case where the value is missing",
    fix: "check for it and handle the missing case",
    blocking: false,
  },
  {
    test: /\b(TODO|FIXME|XXX)\b/,
    rule: "todo",
    message: "an open TODO in code about to be merged",
    fix: "do it, or move it to the backlog with a link",
    blocking: false,
  },
];

export function codeFindings(code: FoundCode): CodeFinding[] {
  const findings: CodeFinding[] = [];
  code.lines.forEach((text, index) => {
    if (/^\s*(\/\/|#|\*)/.test(text)) return;
    for (const pattern of PATTERNS) {
      if (!pattern.test.test(text)) continue;
      findings.push({
        line: index + 1,
        rule: pattern.rule,
        message: pattern.message,
        fix: pattern.fix,
        blocking: pattern.blocking,
      });
    }
  });
  return findings;
}
