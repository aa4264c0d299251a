/**
 * The small programs the demo's simulated models "know": each a TypeScript module that compiles
 * on its own under `tsc --strict` (no imports, no Node types) and a `node:test` file that passes
 * against it (and against the same module in JavaScript, simulated-programs-javascript.ts), so
 * code, test, review and refactoring answers fit together and a workflow can compile and run what
 * it was given. A request is matched to a program by its words; one that
 * matches none gets the nearest by a stable hash, and the answer says so. The LRU cache also has a
 * plausible first attempt that a type check rejects: the demo's escalation.
 */

export interface SimulatedProgram {
  /** The file's base name: `<name>.ts` and `<name>.test.ts`. */
  name: string;
  /** The exported function or class, as a request or a test would name it. */
  exportName: string;
  /** Words in a request that point at this program. */
  matches: RegExp;
  /** One sentence on what it does. */
  summary: string;
  code: string;
  /** A first attempt with the mistake a local model makes here (fails `tsc --strict`). */
  flawedCode?: string;
  /**
   * `node:test` tests, valid TypeScript and JavaScript alike (they import `./<name>.js`), so they
   * run unchanged against the program's JavaScript (simulated-programs-javascript.ts) too.
   */
  test: string;
}

const slugify: SimulatedProgram = {
  name: "slugify",
  exportName: "slugify",
  matches: /\bslug/i,
  summary:
    "turns a title into a URL slug: lower case, ASCII letters and digits, single hyphens, accents dropped",
  code: `/** Turns a title into a URL slug: lower case, ASCII letters and digits joined by single hyphens. */
export function slugify(title: string, maxLength = 80): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\\u0300-\\u036f]/g, "") // accents split off by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  // Cutting can leave a hyphen at the end ("one-two-"): trim it again.
  return slug.slice(0, maxLength).replace(/-+$/, "");
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { slugify } from "./slugify.js";

test("lower-cases and joins words with single hyphens", () => {
  assert.equal(slugify("Hello,   World!"), "hello-world");
});

test("drops accents", () => {
  assert.equal(slugify("Crème brûlée"), "creme-brulee");
});

test("trims hyphens at both ends", () => {
  assert.equal(slugify("--Already sluggy--"), "already-sluggy");
});

test("cuts to the maximum length without leaving a trailing hyphen", () => {
  assert.equal(slugify("one two three", 8), "one-two");
});

test("gives an empty slug for a title with no letters or digits", () => {
  assert.equal(slugify("!!!"), "");
});
`,
};

const lruCache: SimulatedProgram = {
  name: "lru-cache",
  exportName: "LruCache",
  matches: /\blru\b|least[- ]recently[- ]used|\bcache\b/i,
  summary:
    "a least-recently-used cache holding at most `capacity` entries, where reading an entry makes it the newest",
  code: `/** A least-recently-used cache: at most \`capacity\` entries; reading an entry makes it the newest. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(\`capacity must be a positive integer; got \${capacity}\`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    // A Map iterates in insertion order: re-inserting moves the entry to the newest end.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return this;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }
}
`,
  flawedCode: `export class LruCache<K, V> {
  private entries = new Map<K, V>();

  constructor(private capacity: number) {}

  get(key: K): V {
    const value = this.entries.get(key);
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V) {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value);
    }
  }
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { LruCache } from "./lru-cache.js";

test("evicts the least recently used entry", () => {
  const cache = new LruCache(2);
  cache.set("a", 1).set("b", 2);
  assert.equal(cache.get("a"), 1); // "a" is now the newest
  cache.set("c", 3);
  assert.equal(cache.has("b"), false);
  assert.deepEqual([cache.get("a"), cache.get("c")], [1, 3]);
});

test("overwriting a key keeps one entry", () => {
  const cache = new LruCache(2);
  cache.set("a", 1).set("a", 2);
  assert.equal(cache.size, 1);
  assert.equal(cache.get("a"), 2);
});

test("gives undefined for a missing key", () => {
  assert.equal(new LruCache(1).get("nope"), undefined);
});

test("refuses a capacity below one", () => {
  assert.throws(() => new LruCache(0), RangeError);
});
`,
};

const parseDuration: SimulatedProgram = {
  name: "parse-duration",
  exportName: "parseDuration",
  matches: /\bduration|\b\d+h\d+m\b|time span|timeout string/i,
  summary: 'reads a duration such as "1h30m", "45s" or "250ms" into milliseconds and refuses anything else',
  code: `const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Reads a duration such as "1h30m", "45s" or "250ms" into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(/(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)/g)) {
    // Every character must belong to a number-unit pair: "1h x" or "90" is not a duration.
    if (match.index !== consumed) break;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? 0);
    consumed += match[0].length;
  }
  if (trimmed === "" || consumed !== trimmed.length) {
    throw new SyntaxError(\`"\${text}" is not a duration such as 1h30m, 45s or 250ms\`);
  }
  return total;
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDuration } from "./parse-duration.js";

test("adds up hours and minutes", () => {
  assert.equal(parseDuration("1h30m"), 5_400_000);
});

test("reads milliseconds and fractions", () => {
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1.5s"), 1_500);
});

test("refuses a number without a unit, an unknown unit and an empty string", () => {
  for (const text of ["90", "1x", ""]) assert.throws(() => parseDuration(text), SyntaxError);
});
`,
};

const retry: SimulatedProgram = {
  name: "retry",
  exportName: "retry",
  matches: /\bretr(y|ies)|back-?off/i,
  summary:
    "retries a failing async operation with exponential backoff, and rethrows the last error when attempts run out",
  code: `// Typed here so the module compiles without DOM or Node typings; at run time it is the global.
declare function setTimeout(callback: () => void, milliseconds: number): unknown;

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait after the first failure; it doubles after each further one. */
  baseDelayMs: number;
  /** How to wait; injectable so tests need no real time. */
  sleep?: (milliseconds: number) => Promise<void>;
}

/** Runs \`operation\` until it succeeds or \`attempts\` run out, then rethrows the last error. */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  let lastError: unknown = new Error("retry: attempts must be at least 1");
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      lastError = error;
      if (attempt < options.attempts) await sleep(options.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  throw lastError;
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { retry } from "./retry.js";

test("retries with doubling waits until the operation succeeds", async () => {
  let waited = "";
  const result = await retry(
    async (attempt) => {
      if (attempt < 3) throw new Error(\`failure \${attempt}\`);
      return "done";
    },
    { attempts: 5, baseDelayMs: 100, sleep: async (milliseconds) => void (waited += \` \${milliseconds}\`) },
  );
  assert.equal(result, "done");
  assert.equal(waited.trim(), "100 200");
});

test("rethrows the last error when the attempts run out", async () => {
  await assert.rejects(
    retry(async (attempt) => Promise.reject(new Error(\`failure \${attempt}\`)), {
      attempts: 2,
      baseDelayMs: 1,
      sleep: async () => {},
    }),
    /failure 2/,
  );
});
`,
};

const chunk: SimulatedProgram = {
  name: "chunk",
  exportName: "chunk",
  matches: /\bchunk|\bbatch(es)?\b|split (an |the )?(array|list)/i,
  summary: "splits a list into consecutive chunks of a given size, the last one possibly shorter",
  code: `/** Splits \`items\` into consecutive chunks of \`size\`; the last chunk may be shorter. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(\`size must be a positive integer; got \${size}\`);
  }
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { chunk } from "./chunk.js";

test("splits into chunks of the given size with a shorter last one", () => {
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
});

test("gives no chunks for an empty list", () => {
  assert.deepEqual(chunk([], 3), []);
});

test("refuses a size below one", () => {
  assert.throws(() => chunk([1], 0), RangeError);
});
`,
};

const paginate: SimulatedProgram = {
  name: "paginate",
  exportName: "paginate",
  matches: /\bpaginat|\bpager\b|\bpages?\b/i,
  summary:
    "gives one 1-based page of a list with the page count, so the last page is never lost to an off-by-one",
  code: `export interface Page<T> {
  items: T[];
  /** 1-based. */
  page: number;
  pageCount: number;
  hasNext: boolean;
}

/** The 1-based \`page\` of \`items\`, \`size\` per page; a page past the end is empty. */
export function paginate<T>(items: readonly T[], page: number, size: number): Page<T> {
  if (!Number.isInteger(page) || page < 1) throw new RangeError(\`page must be 1 or more; got \${page}\`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(\`size must be 1 or more; got \${size}\`);
  const pageCount = Math.ceil(items.length / size);
  const start = (page - 1) * size;
  return { items: items.slice(start, start + size), page, pageCount, hasNext: page < pageCount };
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { paginate } from "./paginate.js";

const letters = ["a", "b", "c", "d", "e"];

test("gives the first page from page 1", () => {
  assert.deepEqual(paginate(letters, 1, 2), { items: ["a", "b"], page: 1, pageCount: 3, hasNext: true });
});

test("keeps the short last page", () => {
  assert.deepEqual(paginate(letters, 3, 2).items, ["e"]);
  assert.equal(paginate(letters, 3, 2).hasNext, false);
});

test("gives an empty page past the end", () => {
  assert.deepEqual(paginate(letters, 4, 2).items, []);
});

test("refuses page 0", () => {
  assert.throws(() => paginate(letters, 0, 2), RangeError);
});
`,
};

const median: SimulatedProgram = {
  name: "median",
  exportName: "median",
  matches: /\bmedian|\baverage|\bmean\b|percentile|statistic/i,
  summary:
    "gives the median of a list of numbers (the mean of the middle two for an even count) and refuses an empty list",
  code: `/** The median of \`values\`: the middle one, or the mean of the middle two; throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  // Sort a copy: the caller's array is left as it was.
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
`,
  test: `import assert from "node:assert/strict";
import { test } from "node:test";
import { median } from "./median.js";

test("gives the middle value of an odd count", () => {
  assert.equal(median([3, 1, 2]), 2);
});

test("gives the mean of the middle two of an even count", () => {
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test("leaves the input unsorted", () => {
  const values = [3, 1, 2];
  median(values);
  assert.deepEqual(values, [3, 1, 2]);
});

test("refuses an empty list", () => {
  assert.throws(() => median([]), RangeError);
});
`,
};

export const SIMULATED_PROGRAMS: readonly SimulatedProgram[] = [
  slugify,
  lruCache,
  parseDuration,
  retry,
  chunk,
  paginate,
  median,
];

/** The program a request is about: the first whose words or name it mentions, else one by hash. */
export function programFor(text: string): { program: SimulatedProgram; matched: boolean } {
  const named = SIMULATED_PROGRAMS.find(
    (program) => text.includes(program.exportName) || text.includes(`${program.name}.ts`),
  );
  if (named) return { program: named, matched: true };
  const matching = SIMULATED_PROGRAMS.find((program) => program.matches.test(text));
  if (matching) return { program: matching, matched: true };
  return { program: SIMULATED_PROGRAMS[stableHash(text) % SIMULATED_PROGRAMS.length]!, matched: false };
}

/** FNV-1a: the same number for the same text on every machine. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
