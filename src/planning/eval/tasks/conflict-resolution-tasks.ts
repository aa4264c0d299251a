/**
 * Conflict resolution: a file with merge-conflict markers and what each side meant; the answer is
 * the resolved file. Tests check that both intents survived (not one side picked wholesale), and a
 * rule that no conflict marker is left.
 */
import type { EvalTask, PatternRule } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

const NO_MARKERS: PatternRule = {
  pattern: "^(?:<{7}|={7}|>{7})",
  message: "conflict markers are still in the file",
};

function prompt(file: string, language: string, conflicted: string, ours: string, theirs: string): string {
  return paragraphs(
    `A merge left conflicts in \`${file}\`:`,
    fence(language, conflicted),
    `What each side did. HEAD (main): ${ours} The other branch: ${theirs}`,
    `Resolve the conflicts so that both intents survive. Answer with the whole resolved \`${file}\` in one code block, with no conflict markers.`,
  );
}

const defaults = `
export const defaults = {
<<<<<<< HEAD
  timeoutMs: 5000,
  retries: 3,
=======
  timeoutMs: 3000,
  userAgent: "switchyard-client/2",
>>>>>>> feature/user-agent
};
`;

const defaultsTest = `
import assert from "node:assert/strict";
import { defaults } from "./defaults.js";

assert.deepEqual(defaults, { timeoutMs: 5000, retries: 3, userAgent: "switchyard-client/2" });
`;

const pricing = `
def price_with_tax(net, country):
<<<<<<< HEAD
    rates = {"DE": 0.19, "FR": 0.20, "NL": 0.21}
    rate = rates.get(country, 0.0)
    return round(net * (1 + rate), 2)
=======
    rates = {"DE": 0.19, "FR": 0.20}
    if country not in rates:
        raise ValueError(f"no VAT rate for {country}")
    return round(net * (1 + rates[country]), 2)
>>>>>>> strict-countries
`;

const pricingTest = `
from pricing import price_with_tax

assert price_with_tax(100, "DE") == 119.0
assert price_with_tax(100, "FR") == 120.0
assert price_with_tax(100, "NL") == 121.0
try:
    price_with_tax(100, "US")
except ValueError:
    pass
else:
    raise AssertionError("an unknown country should raise ValueError")
`;

const greet = `
<<<<<<< HEAD
export function greet(name: string, locale = "en"): string {
  const greeting = locale === "de" ? "Hallo" : "Hello";
  return greeting + ", " + name + "!";
=======
export function greet(name: string): string {
  const trimmed = name.trim() || "there";
  return "Hello, " + trimmed + "!";
>>>>>>> fix/blank-names
}
`;

const greetTest = `
import assert from "node:assert/strict";
import { greet } from "./greet.js";

assert.equal(greet("Ana"), "Hello, Ana!");
assert.equal(greet(" Ana ", "de"), "Hallo, Ana!");
assert.equal(greet("  "), "Hello, there!");
assert.equal(greet("", "de"), "Hallo, there!");
`;

const routes = `
export const routes = [
  { path: "/", handler: "home" },
<<<<<<< HEAD
  { path: "/billing", handler: "billing" },
  { path: "/reports", handler: "reports" },
=======
  { path: "/settings", handler: "settings" },
  { path: "/reports", handler: "reportsV2" },
>>>>>>> feature/settings
  { path: "/help", handler: "help" },
];
`;

const routesTest = `
import assert from "node:assert/strict";
import { routes } from "./routes.js";

const paths = routes.map((route) => route.path);
assert.equal(new Set(paths).size, paths.length, "a path is routed twice: " + paths.join(", "));
assert.deepEqual([...paths].sort(), ["/", "/billing", "/help", "/reports", "/settings"]);
assert.equal(routes.find((route) => route.path === "/reports").handler, "reportsV2");
assert.equal(paths[0], "/");
assert.equal(paths.at(-1), "/help");
`;

const users = `
import re

<<<<<<< HEAD
USERNAME = re.compile(r"^[a-z0-9_]{3,20}$")
=======
USERNAME = re.compile(r"^[a-z0-9_.]{3,32}$")
>>>>>>> longer-usernames


def valid_username(name):
<<<<<<< HEAD
    return bool(USERNAME.match(name.lower()))
=======
    return bool(USERNAME.match(name))
>>>>>>> longer-usernames
`;

const usersTest = `
from users import valid_username

assert valid_username("ana.b")
assert valid_username("Ana.B")
assert valid_username("AnaBelle_99")
assert valid_username("a" * 32)
assert not valid_username("a" * 33)
assert not valid_username("ab")
assert not valid_username("ana b")
`;

const status = `
export type Status = "open" | "closed"
<<<<<<< HEAD
  | "archived";
=======
  | "pending";
>>>>>>> feature/pending

export function label(status: Status): string {
  switch (status) {
    case "open":
      return "Open";
    case "closed":
      return "Closed";
<<<<<<< HEAD
    case "archived":
      return "Archived";
=======
    case "pending":
      return "Waiting for review";
>>>>>>> feature/pending
  }
}
`;

const statusTest = `
import assert from "node:assert/strict";
import { label } from "./status.js";

assert.equal(label("open"), "Open");
assert.equal(label("closed"), "Closed");
assert.equal(label("archived"), "Archived");
assert.equal(label("pending"), "Waiting for review");
`;

export const CONFLICT_RESOLUTION_TASKS: readonly EvalTask[] = [
  {
    id: "conflict-js-client-defaults",
    kind: "conflict-resolution",
    title: "client defaults changed on both sides (JavaScript)",
    prompt: prompt(
      "defaults.js",
      "js",
      defaults,
      "raised the timeout from 3000 to 5000 ms after timeouts in production, and added `retries: 3`.",
      "added a `userAgent`; its `timeoutMs: 3000` is the old value, untouched on that branch.",
    ),
    maxTokens: 600,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "defaults.js",
      files: { "test.js": defaultsTest },
      run: "test.js",
      forbid: [NO_MARKERS],
    },
    reference: fence(
      "js",
      `
export const defaults = {
  timeoutMs: 5000,
  retries: 3,
  userAgent: "switchyard-client/2",
};`,
    ),
    wrong: fence(
      "js",
      `
export const defaults = {
  timeoutMs: 3000,
  retries: 3,
  userAgent: "switchyard-client/2",
};`,
    ),
  },
  {
    id: "conflict-py-vat-rates",
    kind: "conflict-resolution",
    title: "a new rate and a stricter lookup (Python)",
    prompt: prompt(
      "pricing.py",
      "python",
      pricing,
      "added the Netherlands (21% VAT).",
      "made unknown countries raise `ValueError` instead of silently charging no tax.",
    ),
    maxTokens: 600,
    check: {
      type: "code",
      language: "python",
      answerFile: "pricing.py",
      files: { "test_pricing.py": pricingTest },
      run: "test_pricing.py",
      forbid: [NO_MARKERS],
    },
    reference: fence(
      "python",
      `
def price_with_tax(net, country):
    rates = {"DE": 0.19, "FR": 0.20, "NL": 0.21}
    if country not in rates:
        raise ValueError(f"no VAT rate for {country}")
    return round(net * (1 + rates[country]), 2)`,
    ),
    wrong: fence(
      "python",
      `
def price_with_tax(net, country):
    rates = {"DE": 0.19, "FR": 0.20, "NL": 0.21}
    rate = rates.get(country, 0.0)
    return round(net * (1 + rate), 2)`,
    ),
  },
  {
    id: "conflict-ts-greeting",
    kind: "conflict-resolution",
    title: "a locale and blank names (TypeScript)",
    prompt: prompt(
      "greet.ts",
      "ts",
      greet,
      'added a German greeting: `greet(name, "de")` says "Hallo".',
      'trims names and greets "there" when the name is blank.',
    ),
    maxTokens: 600,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "greet.ts",
      files: { "test.ts": greetTest },
      run: "test.ts",
      forbid: [NO_MARKERS],
    },
    reference: fence(
      "ts",
      `
export function greet(name: string, locale = "en"): string {
  const greeting = locale === "de" ? "Hallo" : "Hello";
  const trimmed = name.trim() || "there";
  return greeting + ", " + trimmed + "!";
}`,
    ),
    wrong: fence(
      "ts",
      `
export function greet(name: string): string {
  const trimmed = name.trim() || "there";
  return "Hello, " + trimmed + "!";
}`,
    ),
  },
  {
    id: "conflict-js-routes",
    kind: "conflict-resolution",
    title: "routes added on both sides, one replaced (JavaScript)",
    prompt: prompt(
      "routes.js",
      "js",
      routes,
      "added the `/billing` and `/reports` routes.",
      'added `/settings`, and replaced the reports handler with `reportsV2` (the old `reports` handler is deleted on that branch). `"/"` stays first and `/help` last.',
    ),
    maxTokens: 600,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "routes.js",
      files: { "test.js": routesTest },
      run: "test.js",
      forbid: [NO_MARKERS],
    },
    reference: fence(
      "js",
      `
export const routes = [
  { path: "/", handler: "home" },
  { path: "/billing", handler: "billing" },
  { path: "/settings", handler: "settings" },
  { path: "/reports", handler: "reportsV2" },
  { path: "/help", handler: "help" },
];`,
    ),
    wrong: fence(
      "js",
      `
export const routes = [
  { path: "/", handler: "home" },
  { path: "/billing", handler: "billing" },
  { path: "/reports", handler: "reports" },
  { path: "/settings", handler: "settings" },
  { path: "/reports", handler: "reportsV2" },
  { path: "/help", handler: "help" },
];`,
    ),
  },
  {
    id: "conflict-py-usernames",
    kind: "conflict-resolution",
    title: "case-insensitive and longer usernames (Python)",
    prompt: prompt(
      "users.py",
      "python",
      users,
      "made usernames case-insensitive: the lower-cased name is validated.",
      "allowed dots and up to 32 characters.",
    ),
    maxTokens: 600,
    check: {
      type: "code",
      language: "python",
      answerFile: "users.py",
      files: { "test_users.py": usersTest },
      run: "test_users.py",
      forbid: [NO_MARKERS],
    },
    reference: fence(
      "python",
      `
import re

USERNAME = re.compile(r"^[a-z0-9_.]{3,32}$")


def valid_username(name):
    return bool(USERNAME.match(name.lower()))`,
    ),
    wrong: fence(
      "python",
      `
import re

USERNAME = re.compile(r"^[a-z0-9_]{3,32}$")


def valid_username(name):
    return bool(USERNAME.match(name.lower()))`,
    ),
  },
  {
    id: "conflict-ts-status-labels",
    kind: "conflict-resolution",
    title: "two new states of one union (TypeScript)",
    prompt: prompt(
      "status.ts",
      "ts",
      status,
      'added the "archived" state.',
      'added the "pending" state, labelled "Waiting for review".',
    ),
    maxTokens: 700,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "status.ts",
      files: { "test.ts": statusTest },
      run: "test.ts",
      forbid: [NO_MARKERS],
    },
    reference: fence(
      "ts",
      `
export type Status = "open" | "closed" | "archived" | "pending";

export function label(status: Status): string {
  switch (status) {
    case "open":
      return "Open";
    case "closed":
      return "Closed";
    case "archived":
      return "Archived";
    case "pending":
      return "Waiting for review";
  }
}`,
    ),
    wrong: fence(
      "ts",
      `
export type Status = "open" | "closed" | "archived";

export function label(status: Status): string {
  switch (status) {
    case "open":
      return "Open";
    case "closed":
      return "Closed";
    case "archived":
      return "Archived";
  }
}`,
    ),
  },
];
