/**
 * The demo's sample repository: a small JavaScript shop (ES modules, tests with `node --test`)
 * committed to a git repository of its own in the demo's data directory, for trying the workflows
 * with nothing of one's own at stake — `run feature` builds on it in a worktree on a new branch,
 * `run bughunt` explores its modules, where a few bugs of the kinds the simulated reviewers know
 * are waiting. Its own git identity, so the workflow's commit works on a machine without one.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const SAMPLE_REPOSITORY_NAME = "sample-shop";

/** A `node:test` file under test/ for the module `source` (a path under src/) and its export. */
function testFile(exported: string, source: string, tests: string): string {
  const module = `../src/${source}`;
  return `import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { ${exported} } from "${module}";\n\n${tests}\n`;
}

const FILES: Readonly<Record<string, string>> = {
  "package.json": `${JSON.stringify(
    {
      name: "sample-shop",
      version: "1.0.0",
      private: true,
      description: "The Switchyard demo's sample repository",
      type: "module",
      scripts: { test: "node --test" },
    },
    null,
    2,
  )}\n`,
  "README.md":
    "# sample-shop\n\nA small shop written for the Switchyard demo: try `switchyard run feature` and `switchyard run bughunt` on it.\nTests: `npm test`.\n",
  "src/catalog/paging.js": `/** One page of products; \`page\` counts from 1, as the shop's URLs do. */
export function pageOfProducts(products, page, size) {
  const start = page * size;
  return products.slice(start, start + size);
}
`,
  "src/cart/cart.js": `/** The cart's total in cents: price times quantity of every line. */
export function cartTotal(lines) {
  let total = 0;
  for (const line of lines) {
    if (line.quantity == 0) continue;
    total += line.priceCents * line.quantity;
  }
  return total;
}
`,
  "src/orders/order-import.js": `/** An order sent by the warehouse as JSON text. */
export function parseOrder(text) {
  const order = JSON.parse(text);
  return { id: String(order.id), lines: order.lines ?? [] };
}
`,
  "src/users/session.js": `/** The user a session token belongs to, or undefined. */
export function sessionUser(store, token) {
  try {
    return store.get(token).user;
  } catch (error) {}
  return undefined;
}
`,
  "src/search/query.js": `/** The words of a search query, lower-cased, without empty ones. */
export function queryWords(text) {
  console.log("search", text);
  return text
    .toLowerCase()
    .split(/\\s+/)
    .filter((word) => word !== "");
}
`,
  "test/cart.test.js": testFile(
    "cartTotal",
    "cart/cart.js",
    `test("adds up price times quantity", () => {
  assert.equal(cartTotal([{ priceCents: 250, quantity: 2 }, { priceCents: 100, quantity: 1 }]), 600);
});`,
  ),
  "test/query.test.js": testFile(
    "queryWords",
    "search/query.js",
    `test("splits on spaces and lower-cases", () => {
  assert.deepEqual(queryWords("Red  Shoes"), ["red", "shoes"]);
});`,
  ),
};

const IDENTITY = ["-c", "user.name=Switchyard demo", "-c", "user.email=demo@switchyard.invalid"];

/**
 * Makes the sample repository under `directory` (its worktrees beside it) and returns its path;
 * an existing one is kept when `keep` is true, else made afresh. Undefined when git is missing.
 */
export function prepareSampleRepository(directory: string, keep: boolean): string | undefined {
  const repository = join(directory, SAMPLE_REPOSITORY_NAME);
  if (keep && existsSync(join(repository, ".git"))) return repository;
  rmSync(repository, { recursive: true, force: true });
  rmSync(`${repository}.worktrees`, { recursive: true, force: true });
  try {
    git(directory, "init", "-q", "-b", "main", repository);
  } catch {
    return undefined;
  }
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(repository, path)), { recursive: true });
    writeFileSync(join(repository, path), content);
  }
  git(repository, "config", "user.name", "Switchyard demo");
  git(repository, "config", "user.email", "demo@switchyard.invalid");
  git(repository, "add", ".");
  git(
    repository,
    ...IDENTITY,
    "commit",
    "-q",
    "-m",
    "The sample shop: catalog, cart, orders, users and search",
  );
  return repository;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}
