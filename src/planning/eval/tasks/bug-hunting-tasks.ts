/**
 * Bug hunting: a bug report and the code it is about; the answer names the cause and gives the
 * fixed file. Tests reproduce the report and pin the behaviour around it, so a fix that moves the
 * bug elsewhere (mutating the input, losing a case) fails too.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

function prompt(report: string, file: string, language: string, code: string): string {
  return paragraphs(
    `Bug report: ${report}`,
    `The code (\`${file}\`):`,
    fence(language, code),
    `Find the cause, explain it in a sentence or two, and give the whole fixed \`${file}\` in one code block.`,
  );
}

const dateKey = `
export function dateKey(date) {
  const month = String(date.getUTCMonth()).padStart(2, "0");
  const day = String(date.getUTCDate()).padStart(2, "0");
  return date.getUTCFullYear() + "-" + month + "-" + day;
}
`;

const dateKeyTest = `
import assert from "node:assert/strict";
import { dateKey } from "./date-key.js";

assert.equal(dateKey(new Date(Date.UTC(2024, 0, 31))), "2024-01-31");
assert.equal(dateKey(new Date(Date.UTC(2024, 11, 5))), "2024-12-05");
assert.equal(dateKey(new Date(Date.UTC(2023, 8, 9, 23, 59))), "2023-09-09");
`;

const paging = `
def paginate(items, page, per_page):
    """Returns one page of items; page numbers start at 1."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    start = page * per_page
    return items[start:start + per_page]
`;

const pagingTest = `
from paging import paginate

items = list(range(25))
assert paginate(items, 1, 10) == list(range(10))
assert paginate(items, 3, 10) == [20, 21, 22, 23, 24]
assert paginate(items, 4, 10) == []
try:
    paginate(items, 0, 10)
except ValueError:
    pass
else:
    raise AssertionError("page 0 should raise ValueError")
`;

const parseLine = `
def parse_line(line):
    """Splits one CSV line into its fields."""
    return [field.strip() for field in line.split(",")]
`;

const parseLineTest = `
from parse_line import parse_line

assert parse_line('1,"Main St, Apt 4",Berlin') == ["1", "Main St, Apt 4", "Berlin"]
assert parse_line("a,b") == ["a", "b"]
assert parse_line("a, b") == ["a", "b"]
assert parse_line('"say ""hi""",x') == ['say "hi"', "x"]
`;

const tally = `
export async function tally(amounts: number[], fetchRate: (amount: number) => Promise<number>): Promise<number> {
  let total = 0;
  await Promise.all(
    amounts.map(async (amount) => {
      const before = total;
      const rate = await fetchRate(amount);
      total = before + amount * rate;
    }),
  );
  return total;
}
`;

const tallyTest = `
import assert from "node:assert/strict";
import { tally } from "./tally.js";

const later = (value: number, ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(value), ms));
assert.equal(await tally([10, 20, 30], () => later(1, 1)), 60);
assert.equal(await tally([10, 20, 30], (amount) => later(2, 40 - amount)), 120);
assert.equal(await tally([], () => later(1, 1)), 0);
`;

const leaderboard = `
export function topScores(scores, count) {
  return scores.slice().sort().reverse().slice(0, count);
}
`;

const leaderboardTest = `
import assert from "node:assert/strict";
import { topScores } from "./leaderboard.js";

const scores = [9, 100, 10, 55];
assert.deepEqual(topScores(scores, 3), [100, 55, 10]);
assert.deepEqual(scores, [9, 100, 10, 55], "the input was modified");
assert.deepEqual(topScores([3, 1], 5), [3, 1]);
`;

const median = `
def median(values):
    ordered = sorted(values)
    middle = len(ordered) / 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
`;

const medianTest = `
from stats import median

assert median([3, 1, 2]) == 2
assert median([4, 1, 3, 2]) == 2.5
assert median([5]) == 5
try:
    median([])
except ValueError:
    pass
else:
    raise AssertionError("the median of nothing should raise ValueError")
`;

const retry = `
/** Calls operation; on failure tries again, up to \`retries\` more times: retry(op, 2) calls op at most 3 times. */
export async function retry<T>(operation: () => Promise<T>, retries: number): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < retries; attempt++) {
    try {
      return await operation();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
`;

const retryTest = `
import assert from "node:assert/strict";
import { retry } from "./retry.js";

let calls = 0;
const flaky = async () => {
  calls++;
  if (calls < 3) throw new Error("flaky " + calls);
  return "done";
};
assert.equal(await retry(flaky, 2), "done");
assert.equal(calls, 3);

calls = 0;
const broken = async () => {
  calls++;
  throw new Error("broken " + calls);
};
await assert.rejects(retry(broken, 0), /broken 1/);
assert.equal(calls, 1);
calls = 0;
await assert.rejects(retry(broken, 1), /broken 2/);
assert.equal(calls, 2);
`;

export const BUG_HUNTING_TASKS: readonly EvalTask[] = [
  {
    id: "bug-js-month-index",
    kind: "bug-hunting",
    title: "reports filed under month 00 (JavaScript)",
    prompt: prompt(
      "Daily reports for 31 January 2024 are filed under 2024-00-31, and December's under month 11.",
      "date-key.js",
      "js",
      dateKey,
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "date-key.js",
      files: { "test.js": dateKeyTest },
      run: "test.js",
    },
    reference: paragraphs(
      "`getUTCMonth()` counts months from 0, so January is 0; add 1 before padding.",
      fence(
        "js",
        `
export function dateKey(date) {
  const month = String(date.getUTCMonth() + 1).padStart(2, "0");
  const day = String(date.getUTCDate()).padStart(2, "0");
  return date.getUTCFullYear() + "-" + month + "-" + day;
}`,
      ),
    ),
    wrong: paragraphs(
      "The month is zero-based, so add one.",
      fence(
        "js",
        `
export function dateKey(date) {
  const month = String(date.getUTCMonth() + 1);
  const day = String(date.getUTCDate()).padStart(2, "0");
  return date.getUTCFullYear() + "-" + month + "-" + day;
}`,
      ),
    ),
  },
  {
    id: "bug-py-first-page",
    kind: "bug-hunting",
    title: "the first page skips items (Python)",
    prompt: prompt(
      "The first page of search results skips the first 10 items.",
      "paging.py",
      "python",
      paging,
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "paging.py",
      files: { "test_paging.py": pagingTest },
      run: "test_paging.py",
    },
    reference: paragraphs(
      "Pages start at 1 but the offset is computed as if they started at 0: page 1 starts at index `per_page`. The start is `(page - 1) * per_page`.",
      fence(
        "python",
        `
def paginate(items, page, per_page):
    """Returns one page of items; page numbers start at 1."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    start = (page - 1) * per_page
    return items[start:start + per_page]`,
      ),
    ),
    wrong: paragraphs(
      "The slice is off by one.",
      fence(
        "python",
        `
def paginate(items, page, per_page):
    """Returns one page of items; page numbers start at 1."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    start = page * per_page - 1
    return items[start:start + per_page]`,
      ),
    ),
  },
  {
    id: "bug-py-csv-quotes",
    kind: "bug-hunting",
    title: "quoted commas split a field (Python)",
    prompt: prompt(
      'Addresses like "Main St, Apt 4" are split into two fields, and the quotes stay in the data.',
      "parse_line.py",
      "python",
      parseLine,
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "parse_line.py",
      files: { "test_parse_line.py": parseLineTest },
      run: "test_parse_line.py",
    },
    reference: paragraphs(
      "Splitting on every comma ignores CSV quoting; the `csv` module handles quoted fields and doubled quotes. Keep stripping spaces after the separator.",
      fence(
        "python",
        `
import csv


def parse_line(line):
    """Splits one CSV line into its fields."""
    return [field.strip() for field in next(csv.reader([line], skipinitialspace=True))]`,
      ),
    ),
    wrong: fence(
      "python",
      `
import csv


def parse_line(line):
    """Splits one CSV line into its fields."""
    return next(csv.reader([line]))`,
    ),
  },
  {
    id: "bug-ts-lost-update",
    kind: "bug-hunting",
    title: "a total that loses amounts (TypeScript)",
    prompt: prompt(
      "`tally([10, 20, 30], rate)` returns 30 instead of 60 when every rate is 1.",
      "tally.ts",
      "ts",
      tally,
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "tally.ts",
      files: { "test.ts": tallyTest },
      run: "test.ts",
    },
    reference: paragraphs(
      "Each callback reads `total` before awaiting its rate and writes it back after, so concurrent callbacks overwrite each other's additions. Fetch the rates concurrently, then sum.",
      fence(
        "ts",
        `
export async function tally(amounts: number[], fetchRate: (amount: number) => Promise<number>): Promise<number> {
  const rates = await Promise.all(amounts.map((amount) => fetchRate(amount)));
  return amounts.reduce((total, amount, index) => total + amount * rates[index]!, 0);
}`,
      ),
    ),
    wrong: paragraphs(
      "Use `+=` so each callback adds to the total.",
      fence(
        "ts",
        `
export async function tally(amounts: number[], fetchRate: (amount: number) => Promise<number>): Promise<number> {
  let total = 0;
  await Promise.all(
    amounts.map(async (amount) => {
      total += amount * (await fetchRate(amount));
    }),
  );
  return total;
}`,
      ),
    ),
  },
  {
    id: "bug-js-lexicographic-sort",
    kind: "bug-hunting",
    title: "a leaderboard in the wrong order (JavaScript)",
    prompt: prompt(
      "With scores 9, 10 and 100 the leaderboard shows 9 first.",
      "leaderboard.js",
      "js",
      leaderboard,
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "leaderboard.js",
      files: { "test.js": leaderboardTest },
      run: "test.js",
    },
    reference: paragraphs(
      '`sort()` without a comparator compares numbers as strings, so "9" sorts after "100". Sort numerically, descending.',
      fence(
        "js",
        `
export function topScores(scores, count) {
  return scores.slice().sort((a, b) => b - a).slice(0, count);
}`,
      ),
    ),
    wrong: fence(
      "js",
      `
export function topScores(scores, count) {
  return scores.sort((a, b) => b - a).slice(0, count);
}`,
    ),
  },
  {
    id: "bug-py-median-index",
    kind: "bug-hunting",
    title: "median raises TypeError (Python)",
    prompt: paragraphs(
      prompt(
        "`median([3, 1, 2])` raises `TypeError: list indices must be integers or slices, not float`.",
        "stats.py",
        "python",
        median,
      ),
      "The median of an empty list should raise `ValueError`.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "stats.py",
      files: { "test_stats.py": medianTest },
      run: "test_stats.py",
    },
    reference: paragraphs(
      "`/` is true division in Python 3, so the index is a float; use `//`. An empty list needs its own error.",
      fence(
        "python",
        `
def median(values):
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of an empty list")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2`,
      ),
    ),
    wrong: fence(
      "python",
      `
def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2`,
    ),
  },
  {
    id: "bug-ts-retry-count",
    kind: "bug-hunting",
    title: "retry gives up too early (TypeScript)",
    prompt: prompt(
      "`retry(op, 2)` gives up after two calls, and `retry(op, 0)` throws `undefined` without calling `op` at all.",
      "retry.ts",
      "ts",
      retry,
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "retry.ts",
      files: { "test.ts": retryTest },
      run: "test.ts",
    },
    reference: paragraphs(
      "`retries` counts the tries *after* the first, so the loop must run `retries + 1` times.",
      fence(
        "ts",
        `
/** Calls operation; on failure tries again, up to \`retries\` more times: retry(op, 2) calls op at most 3 times. */
export async function retry<T>(operation: () => Promise<T>, retries: number): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      return await operation();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}`,
      ),
    ),
    wrong: fence(
      "ts",
      `
export async function retry<T>(operation: () => Promise<T>, retries: number): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < Math.max(retries, 1); attempt++) {
    try {
      return await operation();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}`,
    ),
  },
];
