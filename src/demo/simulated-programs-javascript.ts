/**
 * The demo's programs in plain JavaScript — ES modules, their types in JSDoc — for a repository
 * that runs its code without a TypeScript build (the demo's sample shop, tested with `node
 * --test`). Each does exactly what its TypeScript does, and passes the same tests.
 */
import type { SimulatedProgram } from "./simulated-programs.js";

const JAVASCRIPT: Readonly<Record<string, string>> = {
  slugify: `/**
 * Turns a title into a URL slug: lower case, ASCII letters and digits joined by single hyphens.
 * @param {string} title
 * @param {number} [maxLength]
 * @returns {string}
 */
export function slugify(title, maxLength = 80) {
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
  "lru-cache": `/**
 * A least-recently-used cache: at most \`capacity\` entries; reading an entry makes it the newest.
 * @template K, V
 */
export class LruCache {
  /** @type {Map<K, V>} */
  #entries = new Map();

  /** @param {number} capacity */
  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(\`capacity must be a positive integer; got \${capacity}\`);
    }
    this.capacity = capacity;
  }

  get size() {
    return this.#entries.size;
  }

  /** @param {K} key @returns {V | undefined} */
  get(key) {
    if (!this.#entries.has(key)) return undefined;
    const value = /** @type {V} */ (this.#entries.get(key));
    // A Map iterates in insertion order: re-inserting moves the entry to the newest end.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** @param {K} key @param {V} value @returns {this} */
  set(key, value) {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return this;
  }

  /** @param {K} key */
  has(key) {
    return this.#entries.has(key);
  }

  /** @param {K} key */
  delete(key) {
    return this.#entries.delete(key);
  }
}
`,
  "parse-duration": `/** @type {Record<string, number>} */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a duration such as "1h30m", "45s" or "250ms" into milliseconds; throws on anything else.
 * @param {string} text
 * @returns {number}
 */
export function parseDuration(text) {
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
  retry: `/**
 * @typedef {object} RetryOptions
 * @property {number} attempts Attempts in all, the first included.
 * @property {number} baseDelayMs The wait after the first failure; it doubles after each further one.
 * @property {(milliseconds: number) => Promise<void>} [sleep] How to wait; injectable so tests need no real time.
 */

/**
 * Runs \`operation\` until it succeeds or \`attempts\` run out, then rethrows the last error.
 * @template T
 * @param {(attempt: number) => Promise<T>} operation
 * @param {RetryOptions} options
 * @returns {Promise<T>}
 */
export async function retry(operation, options) {
  const sleep =
    options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  /** @type {unknown} */
  let lastError = new Error("retry: attempts must be at least 1");
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
  chunk: `/**
 * Splits \`items\` into consecutive chunks of \`size\`; the last chunk may be shorter.
 * @template T
 * @param {readonly T[]} items
 * @param {number} size
 * @returns {T[][]}
 */
export function chunk(items, size) {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(\`size must be a positive integer; got \${size}\`);
  }
  const chunks = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
`,
  paginate: `/**
 * @template T
 * @typedef {object} Page
 * @property {T[]} items
 * @property {number} page 1-based.
 * @property {number} pageCount
 * @property {boolean} hasNext
 */

/**
 * The 1-based \`page\` of \`items\`, \`size\` per page; a page past the end is empty.
 * @template T
 * @param {readonly T[]} items
 * @param {number} page
 * @param {number} size
 * @returns {Page<T>}
 */
export function paginate(items, page, size) {
  if (!Number.isInteger(page) || page < 1) throw new RangeError(\`page must be 1 or more; got \${page}\`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(\`size must be 1 or more; got \${size}\`);
  const pageCount = Math.ceil(items.length / size);
  const start = (page - 1) * size;
  return { items: items.slice(start, start + size), page, pageCount, hasNext: page < pageCount };
}
`,
  median: `/**
 * The median of \`values\`: the middle one, or the mean of the middle two; throws on an empty list.
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  if (values.length === 0) throw new RangeError("median of an empty list");
  // Sort a copy: the caller's array is left as it was.
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
`,
};

/** The program's JavaScript; every program in the library has one (a test checks it). */
export function javascriptOf(program: SimulatedProgram): string {
  const code = JAVASCRIPT[program.name];
  if (code === undefined) throw new Error(`The demo's program ${program.name} has no JavaScript rendering`);
  return code;
}
