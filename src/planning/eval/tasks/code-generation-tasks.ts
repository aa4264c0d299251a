/**
 * Code generation: write a small module to a precise specification; unit tests decide. TypeScript,
 * JavaScript and Python, each with the edge cases a careless implementation misses.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

const slugifyTest = `
import assert from "node:assert/strict";
import { slugify } from "./slugify.js";

assert.equal(slugify("Hello, World!"), "hello-world");
assert.equal(slugify("  Many   spaces  "), "many-spaces");
assert.equal(slugify("Crème Brûlée"), "creme-brulee");
assert.equal(slugify("--a--b--"), "a-b");
assert.equal(slugify("Version 2.0 -- final"), "version-2-0-final");
assert.equal(slugify(""), "");
`;

const chunkTest = `
import assert from "node:assert/strict";
import { chunk } from "./chunk.js";

assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
assert.deepEqual(chunk([], 3), []);
assert.deepEqual(chunk([1, 2, 3], 5), [[1, 2, 3]]);
assert.throws(() => chunk([1], 0), RangeError);
assert.throws(() => chunk([1], 1.5), RangeError);
const input = [1, 2, 3];
chunk(input, 2);
assert.deepEqual(input, [1, 2, 3]);
`;

const durationTest = `
from duration import parse_duration

assert parse_duration("1h30m") == 5400
assert parse_duration("45s") == 45
assert parse_duration("2h") == 7200
assert parse_duration("1h2m3s") == 3723
assert parse_duration("90m") == 5400
for bad in ["", "10", "5x", "1m1h", "1h 2m", "h", "1h1h"]:
    try:
        parse_duration(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"{bad!r} should raise ValueError")
`;

const lruTest = `
import assert from "node:assert/strict";
import { LruCache } from "./lru-cache.js";

const cache = new LruCache<string, number>(2);
cache.set("a", 1);
cache.set("b", 2);
assert.equal(cache.get("a"), 1);
cache.set("c", 3);
assert.equal(cache.get("b"), undefined, "b was the least recently used and should be gone");
assert.equal(cache.get("a"), 1);
assert.equal(cache.get("c"), 3);
assert.equal(cache.size, 2);
cache.set("a", 10);
cache.set("d", 4);
assert.equal(cache.get("c"), undefined, "c was the least recently used and should be gone");
assert.equal(cache.get("a"), 10);
assert.equal(cache.size, 2);
assert.throws(() => new LruCache(0), RangeError);
`;

const intervalsTest = `
from intervals import merge_intervals

assert merge_intervals([]) == []
assert merge_intervals([(1, 3), (2, 6), (8, 10)]) == [(1, 6), (8, 10)]
assert merge_intervals([(8, 10), (1, 3), (2, 6)]) == [(1, 6), (8, 10)]
assert merge_intervals([(1, 3), (3, 5)]) == [(1, 5)]
assert merge_intervals([(1, 10), (2, 3)]) == [(1, 10)]
data = [(5, 6), (1, 2)]
merge_intervals(data)
assert data == [(5, 6), (1, 2)], "the input was modified"
`;

const queryTest = `
import assert from "node:assert/strict";
import { parseQuery } from "./query.js";

assert.deepEqual(parseQuery("?a=1&b=2"), { a: "1", b: "2" });
assert.deepEqual(parseQuery("a=1&a=2&a=3"), { a: ["1", "2", "3"] });
assert.deepEqual(parseQuery("q=hello+world&x=%C3%A9t%C3%A9"), { q: "hello world", x: "été" });
assert.deepEqual(parseQuery("flag&a=1&&b="), { flag: "", a: "1", b: "" });
assert.deepEqual(parseQuery(""), {});
assert.deepEqual(parseQuery("k%20ey=v"), { "k ey": "v" });
`;

const romanTest = `
from roman import to_roman

cases = {1: "I", 4: "IV", 9: "IX", 14: "XIV", 40: "XL", 90: "XC", 400: "CD",
         1994: "MCMXCIV", 2024: "MMXXIV", 3999: "MMMCMXCIX"}
for number, expected in cases.items():
    assert to_roman(number) == expected, (number, to_roman(number))
for bad in [0, -1, 4000]:
    try:
        to_roman(bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"{bad} should raise ValueError")
`;

export const CODE_GENERATION_TASKS: readonly EvalTask[] = [
  {
    id: "codegen-ts-slugify",
    kind: "code-generation",
    title: "slugify a title (TypeScript)",
    prompt: paragraphs(
      "Write a TypeScript module `slugify.ts` that exports `function slugify(title: string): string`.",
      "It turns a title into a URL slug: accented Latin letters lose their accents first (`Crème Brûlée` → `creme-brulee`); everything is lower case; every run of characters other than ASCII letters and digits becomes a single hyphen; there is no hyphen at the start or the end.",
      "Answer with the module in one ```ts code block.",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "slugify.ts",
      files: { "test.ts": slugifyTest },
      run: "test.ts",
    },
    reference: paragraphs(
      "Normalising to NFD splits accents off their letters, so they can be dropped:",
      fence(
        "ts",
        `
export function slugify(title: string): string {
  return title
    .normalize("NFD")
    .replace(/[\\u0300-\\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}`,
      ),
    ),
    wrong: fence(
      "ts",
      `
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}`,
    ),
  },
  {
    id: "codegen-js-chunk",
    kind: "code-generation",
    title: "split an array into chunks (JavaScript)",
    prompt: paragraphs(
      "Write an ES module `chunk.js` exporting `chunk(items, size)`.",
      "It splits an array into arrays of `size` items, in order; the last chunk holds whatever is left; an empty array gives `[]`. A `size` that is not a positive integer throws a `RangeError`. The input array must not be modified.",
      "Answer with the module in one ```js code block.",
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "chunk.js",
      files: { "test.js": chunkTest },
      run: "test.js",
    },
    reference: fence(
      "js",
      `
export function chunk(items, size) {
  if (!Number.isInteger(size) || size < 1) throw new RangeError("size must be a positive integer");
  const chunks = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}`,
    ),
    wrong: fence(
      "js",
      `
export function chunk(items, size) {
  if (size < 1) throw new RangeError("size must be positive");
  const chunks = [];
  for (let start = 0; start + size <= items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}`,
    ),
  },
  {
    id: "codegen-py-duration",
    kind: "code-generation",
    title: "parse a duration like 1h30m (Python)",
    prompt: paragraphs(
      "Write a Python module `duration.py` with `parse_duration(text: str) -> int`, returning the number of seconds in strings like `1h30m`, `45s`, `2h`, `1h2m3s`.",
      "The units are h, m and s, each at most once and in that order, at least one of them, each after a whole number. Anything else — an empty string, a number without a unit, an unknown unit, the units out of order, spaces — raises `ValueError`.",
      "Answer with the module in one ```python code block.",
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "python",
      answerFile: "duration.py",
      files: { "test_duration.py": durationTest },
      run: "test_duration.py",
    },
    reference: fence(
      "python",
      `
import re

_PATTERN = re.compile(r"(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?")


def parse_duration(text: str) -> int:
    match = _PATTERN.fullmatch(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(f"not a duration: {text!r}")
    hours, minutes, seconds = (int(group) if group else 0 for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds`,
    ),
    wrong: fence(
      "python",
      `
import re

_UNITS = {"h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    parts = re.findall(r"(\\d+)([hms])", text)
    if not parts:
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(number) * _UNITS[unit] for number, unit in parts)`,
    ),
  },
  {
    id: "codegen-ts-lru",
    kind: "code-generation",
    title: "an LRU cache (TypeScript)",
    prompt: paragraphs(
      "Write `lru-cache.ts` exporting `class LruCache<K, V>` with `constructor(capacity: number)`, `get(key: K): V | undefined`, `set(key: K, value: V): void` and a `size` getter.",
      "When a `set` of a new key would go past the capacity, the least recently *used* entry is evicted; both `get` and `set` count as a use. A capacity below 1 throws a `RangeError`.",
      "Answer with the module in one ```ts code block.",
    ),
    maxTokens: 1_500,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "lru-cache.ts",
      files: { "test.ts": lruTest },
      run: "test.ts",
    },
    reference: paragraphs(
      "A `Map` keeps insertion order, so re-inserting an entry on every use makes its first key the least recently used:",
      fence(
        "ts",
        `
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("capacity must be at least 1");
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }
}`,
      ),
    ),
    wrong: fence(
      "ts",
      `
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError("capacity must be at least 1");
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}`,
    ),
  },
  {
    id: "codegen-py-intervals",
    kind: "code-generation",
    title: "merge intervals (Python)",
    prompt: paragraphs(
      "Write `intervals.py` with `merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]`.",
      "It merges intervals that overlap or touch (`(1, 3)` and `(3, 5)` become `(1, 5)`), whatever order they come in, and returns them sorted by start. The input list must not be modified.",
      "Answer with the module in one ```python code block.",
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "python",
      answerFile: "intervals.py",
      files: { "test_intervals.py": intervalsTest },
      run: "test_intervals.py",
    },
    reference: fence(
      "python",
      `
def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged`,
    ),
    wrong: fence(
      "python",
      `
def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged`,
    ),
  },
  {
    id: "codegen-js-query",
    kind: "code-generation",
    title: "parse a URL query string (JavaScript)",
    prompt: paragraphs(
      "Write an ES module `query.js` exporting `parseQuery(query)`, which parses a URL query string (with or without a leading `?`) into a plain object, without using `URLSearchParams`.",
      'A key maps to its decoded value, or to an array of its values in order when it repeats. `+` means a space and percent-escapes are decoded, in keys and values. A key without `=` has the value `""`. Empty pieces (`a=1&&b=2`) are skipped.',
      "Answer with the module in one ```js code block.",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "query.js",
      files: { "test.js": queryTest },
      run: "test.js",
    },
    reference: fence(
      "js",
      `
const decode = (text) => decodeURIComponent(text.replace(/\\+/g, " "));

export function parseQuery(query) {
  const result = {};
  for (const piece of query.replace(/^\\?/, "").split("&")) {
    if (piece === "") continue;
    const equals = piece.indexOf("=");
    const key = decode(equals === -1 ? piece : piece.slice(0, equals));
    const value = equals === -1 ? "" : decode(piece.slice(equals + 1));
    if (!(key in result)) result[key] = value;
    else if (Array.isArray(result[key])) result[key].push(value);
    else result[key] = [result[key], value];
  }
  return result;
}`,
    ),
    wrong: fence(
      "js",
      `
export function parseQuery(query) {
  const result = {};
  for (const piece of query.replace(/^\\?/, "").split("&")) {
    if (piece === "") continue;
    const [key, value = ""] = piece.split("=");
    if (!(key in result)) result[key] = value;
    else if (Array.isArray(result[key])) result[key].push(value);
    else result[key] = [result[key], value];
  }
  return result;
}`,
    ),
  },
  {
    id: "codegen-py-roman",
    kind: "code-generation",
    title: "integers to Roman numerals (Python)",
    prompt: paragraphs(
      "Write `roman.py` with `to_roman(number: int) -> str` for 1 to 3999, in standard subtractive notation (4 is IV, 90 is XC, 1994 is MCMXCIV).",
      "Numbers outside that range raise `ValueError`.",
      "Answer with the module in one ```python code block.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "roman.py",
      files: { "test_roman.py": romanTest },
      run: "test_roman.py",
    },
    reference: fence(
      "python",
      `
_NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]


def to_roman(number: int) -> str:
    if not 1 <= number <= 3999:
        raise ValueError(f"{number} is outside 1..3999")
    parts = []
    for value, numeral in _NUMERALS:
        count, number = divmod(number, value)
        parts.append(numeral * count)
    return "".join(parts)`,
    ),
    wrong: fence(
      "python",
      `
_NUMERALS = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (5, "V"), (1, "I")]


def to_roman(number: int) -> str:
    if not 1 <= number <= 3999:
        raise ValueError(f"{number} is outside 1..3999")
    parts = []
    for value, numeral in _NUMERALS:
        count, number = divmod(number, value)
        parts.append(numeral * count)
    return "".join(parts)`,
    ),
  },
];
