/**
 * Test generation: write tests for a given function. The answer's tests must pass against the
 * function as given and fail against each mutant — a copy with one realistic bug — so tests that
 * assert too little are caught as surely as tests that are wrong.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

const leap = `
export function isLeapYear(year) {
  if (!Number.isInteger(year)) throw new TypeError("year must be an integer");
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
`;

const clamp = `
def clamp(value, low, high):
    """Limits value to the range [low, high]."""
    if low > high:
        raise ValueError("low must not exceed high")
    return max(low, min(value, high))
`;

const formatBytes = `
const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1536 -> "1.5 KB": powers of 1024, one decimal at most, none for whole numbers or bytes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError("bytes must be a finite number >= 0");
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(value) : value.toFixed(1).replace(/\\.0$/, "");
  return shown + " " + UNITS[unit];
}
`;

const words = `
import re
from collections import Counter


def word_count(text: str) -> dict[str, int]:
    """Counts words case-insensitively. A word is a run of letters, digits and apostrophes."""
    return dict(Counter(re.findall(r"[a-z0-9']+", text.lower())))
`;

const search = `
/** The index of target in the ascending array sorted, or -1 when it is not there. */
export function binarySearch(sorted, target) {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] === target) return middle;
    if (sorted[middle] < target) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
`;

const semver = `
export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
}

/** "1.2.3", "v1.2.3-beta.1": three numbers without leading zeros, an optional pre-release. */
export function parseVersion(text: string): Version {
  const match = /^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (!match) throw new Error("not a version: " + text);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? null };
}
`;

function prompt(file: string, language: string, code: string, instructions: string): string {
  return paragraphs(
    `Here is \`${file}\`:`,
    fence(language, code),
    instructions,
    "Cover the behaviour well enough that an implementation with a bug in it would fail your tests. Answer with the test file in one code block.",
  );
}

export const TEST_GENERATION_TASKS: readonly EvalTask[] = [
  {
    id: "testgen-js-leap-year",
    kind: "test-generation",
    title: "tests for isLeapYear (JavaScript)",
    prompt: prompt(
      "leap.js",
      "js",
      leap,
      "Write tests for it in `leap.test.js`: an ES module that imports `isLeapYear` from `./leap.js`, uses `node:assert/strict`, and exits non-zero when a check fails (top-level asserts or `node:test` both do).",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "leap.test.js",
      files: { "leap.js": leap },
      run: "leap.test.js",
      mutants: [
        {
          name: "every fourth year is a leap year",
          files: {
            "leap.js":
              "export function isLeapYear(year) {\n  if (!Number.isInteger(year)) throw new TypeError('year must be an integer');\n  return year % 4 === 0;\n}\n",
          },
        },
        {
          name: "the 400-year rule is missing",
          files: {
            "leap.js":
              "export function isLeapYear(year) {\n  if (!Number.isInteger(year)) throw new TypeError('year must be an integer');\n  return year % 4 === 0 && year % 100 !== 0;\n}\n",
          },
        },
        {
          name: "no check for non-integers",
          files: {
            "leap.js":
              "export function isLeapYear(year) {\n  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;\n}\n",
          },
        },
      ],
    },
    reference: fence(
      "js",
      `
// leap.test.js
import assert from "node:assert/strict";
import { isLeapYear } from "./leap.js";

assert.equal(isLeapYear(2024), true);
assert.equal(isLeapYear(2023), false);
assert.equal(isLeapYear(1900), false, "centuries are not leap years");
assert.equal(isLeapYear(2000), true, "unless divisible by 400");
assert.throws(() => isLeapYear(2024.5), TypeError);
assert.throws(() => isLeapYear("2024"), TypeError);`,
    ),
    wrong: fence(
      "js",
      `
// leap.test.js
import assert from "node:assert/strict";
import { isLeapYear } from "./leap.js";

assert.equal(isLeapYear(2024), true);
assert.equal(isLeapYear(2023), false);`,
    ),
  },
  {
    id: "testgen-py-clamp",
    kind: "test-generation",
    title: "tests for clamp (Python)",
    prompt: prompt(
      "clamp.py",
      "python",
      clamp,
      "Write tests for it in `test_clamp.py`, importing `clamp` from `clamp`. Use plain `assert` statements at module level (or `unittest` ending with `unittest.main()`), so that running `python3 test_clamp.py` fails when a check fails.",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "python",
      answerFile: "test_clamp.py",
      files: { "clamp.py": clamp },
      run: "test_clamp.py",
      mutants: [
        {
          name: "no error when low > high",
          files: { "clamp.py": "def clamp(value, low, high):\n    return max(low, min(value, high))\n" },
        },
        {
          name: "the upper bound is ignored",
          files: {
            "clamp.py":
              "def clamp(value, low, high):\n    if low > high:\n        raise ValueError('low must not exceed high')\n    return max(low, value)\n",
          },
        },
        {
          name: "the lower bound is ignored",
          files: {
            "clamp.py":
              "def clamp(value, low, high):\n    if low > high:\n        raise ValueError('low must not exceed high')\n    return min(value, high)\n",
          },
        },
      ],
    },
    reference: fence(
      "python",
      `
# test_clamp.py
from clamp import clamp

assert clamp(5, 0, 10) == 5
assert clamp(-1, 0, 10) == 0
assert clamp(11, 0, 10) == 10
assert clamp(0, 0, 10) == 0
assert clamp(10, 0, 10) == 10
try:
    clamp(1, 5, 0)
except ValueError:
    pass
else:
    raise AssertionError("low > high should raise ValueError")`,
    ),
    wrong: fence(
      "python",
      `
# test_clamp.py
from clamp import clamp

assert clamp(5, 0, 10) == 5
assert clamp(-5, 0, 10) == 0`,
    ),
  },
  {
    id: "testgen-ts-format-bytes",
    kind: "test-generation",
    title: "tests for formatBytes (TypeScript)",
    prompt: prompt(
      "format-bytes.ts",
      "ts",
      formatBytes,
      'Write tests for it in `format-bytes.test.ts`: a TypeScript ES module that imports `formatBytes` from `"./format-bytes.js"` and uses `node:assert/strict` with top-level asserts, so that running it fails when a check fails.',
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "format-bytes.test.ts",
      files: { "format-bytes.ts": formatBytes },
      run: "format-bytes.test.ts",
      mutants: [
        { name: "powers of 1000", files: { "format-bytes.ts": formatBytes.replace(/1024/g, "1000") } },
        {
          name: "no decimals",
          files: {
            "format-bytes.ts": formatBytes.replace(
              'value.toFixed(1).replace(/\\.0$/, "")',
              "String(Math.round(value))",
            ),
          },
        },
        {
          name: "negative sizes accepted",
          files: { "format-bytes.ts": formatBytes.replace("|| bytes < 0", "") },
        },
      ],
    },
    reference: fence(
      "ts",
      `
// format-bytes.test.ts
import assert from "node:assert/strict";
import { formatBytes } from "./format-bytes.js";

assert.equal(formatBytes(0), "0 B");
assert.equal(formatBytes(1023), "1023 B");
assert.equal(formatBytes(1024), "1 KB");
assert.equal(formatBytes(1536), "1.5 KB");
assert.equal(formatBytes(1048576), "1 MB");
assert.equal(formatBytes(1024 ** 5), "1024 TB");
assert.throws(() => formatBytes(-1), RangeError);
assert.throws(() => formatBytes(Number.NaN), RangeError);`,
    ),
    wrong: fence(
      "ts",
      `
// format-bytes.test.ts
import assert from "node:assert/strict";
import { formatBytes } from "./format-bytes.js";

assert.equal(formatBytes(0), "0 B");
assert.equal(formatBytes(2048), "2 KB");`,
    ),
  },
  {
    id: "testgen-py-word-count",
    kind: "test-generation",
    title: "tests for word_count (Python)",
    prompt: prompt(
      "words.py",
      "python",
      words,
      "Write tests for it in `test_words.py`, importing `word_count` from `words`. Use plain `assert` statements at module level (or `unittest` ending with `unittest.main()`), so that running `python3 test_words.py` fails when a check fails.",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "python",
      answerFile: "test_words.py",
      files: { "words.py": words },
      run: "test_words.py",
      mutants: [
        {
          name: "case-sensitive",
          files: {
            "words.py":
              'import re\nfrom collections import Counter\n\n\ndef word_count(text):\n    return dict(Counter(re.findall(r"[A-Za-z0-9\']+", text)))\n',
          },
        },
        {
          name: "split on whitespace only",
          files: {
            "words.py":
              "from collections import Counter\n\n\ndef word_count(text):\n    return dict(Counter(text.lower().split()))\n",
          },
        },
        {
          name: "digits dropped",
          files: {
            "words.py":
              'import re\nfrom collections import Counter\n\n\ndef word_count(text):\n    return dict(Counter(re.findall(r"[a-z\']+", text.lower())))\n',
          },
        },
      ],
    },
    reference: fence(
      "python",
      `
# test_words.py
from words import word_count

assert word_count("") == {}
assert word_count("Hello hello, HELLO!") == {"hello": 3}
assert word_count("don't stop") == {"don't": 1, "stop": 1}
assert word_count("2 fast 2 furious") == {"2": 2, "fast": 1, "furious": 1}`,
    ),
    wrong: fence(
      "python",
      `
# test_words.py
from words import word_count

assert word_count("a b a") == {"a": 2, "b": 1}`,
    ),
  },
  {
    id: "testgen-js-binary-search",
    kind: "test-generation",
    title: "tests for binarySearch (JavaScript)",
    prompt: prompt(
      "search.js",
      "js",
      search,
      "Write tests for it in `search.test.js`: an ES module that imports `binarySearch` from `./search.js`, uses `node:assert/strict`, and exits non-zero when a check fails.",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "search.test.js",
      files: { "search.js": search },
      run: "search.test.js",
      mutants: [
        {
          name: "the loop stops one step early",
          files: { "search.js": search.replace("low <= high", "low < high") },
        },
        {
          name: "a missing target gives its insertion point",
          files: { "search.js": search.replace("return -1;", "return low;") },
        },
      ],
    },
    reference: fence(
      "js",
      `
// search.test.js
import assert from "node:assert/strict";
import { binarySearch } from "./search.js";

const values = [1, 3, 5, 7, 9];
values.forEach((value, index) => assert.equal(binarySearch(values, value), index));
for (const missing of [0, 4, 10]) assert.equal(binarySearch(values, missing), -1);
assert.equal(binarySearch([], 1), -1);
assert.equal(binarySearch([5], 5), 0);`,
    ),
    wrong: fence(
      "js",
      `
// search.test.js
import assert from "node:assert/strict";
import { binarySearch } from "./search.js";

assert.equal(binarySearch([1, 3, 5, 7], 3), 1);`,
    ),
  },
  {
    id: "testgen-ts-semver",
    kind: "test-generation",
    title: "tests for parseVersion (TypeScript)",
    prompt: prompt(
      "semver.ts",
      "ts",
      semver,
      'Write tests for it in `semver.test.ts`: a TypeScript ES module that imports `parseVersion` from `"./semver.js"` and uses `node:assert/strict` with top-level asserts, so that running it fails when a check fails.',
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "semver.test.ts",
      files: { "semver.ts": semver },
      run: "semver.test.ts",
      mutants: [
        {
          name: "the pre-release is dropped",
          files: { "semver.ts": semver.replace("prerelease: match[4] ?? null", "prerelease: null") },
        },
        {
          name: "leading zeros accepted",
          files: { "semver.ts": semver.split("(0|[1-9]\\d*)").join("(\\d+)") },
        },
        {
          name: "two-part versions accepted",
          files: {
            "semver.ts": semver
              .replace("\\.(0|[1-9]\\d*)(?:-", "(?:\\.(0|[1-9]\\d*))?(?:-")
              .replace("patch: Number(match[3])", "patch: Number(match[3] ?? 0)"),
          },
        },
      ],
    },
    reference: fence(
      "ts",
      `
// semver.test.ts
import assert from "node:assert/strict";
import { parseVersion } from "./semver.js";

assert.deepEqual(parseVersion("1.2.3"), { major: 1, minor: 2, patch: 3, prerelease: null });
assert.deepEqual(parseVersion("v10.0.1-beta.2"), { major: 10, minor: 0, patch: 1, prerelease: "beta.2" });
for (const bad of ["1.2", "01.2.3", "1.2.3.4", "abc", ""]) {
  assert.throws(() => parseVersion(bad), undefined, bad);
}`,
    ),
    wrong: fence(
      "ts",
      `
// semver.test.ts
import assert from "node:assert/strict";
import { parseVersion } from "./semver.js";

assert.equal(parseVersion("1.2.3").major, 1);
assert.equal(parseVersion("1.2.3").patch, 3);`,
    ),
  },
];
