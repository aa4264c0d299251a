/**
 * Lint: fix what a named linter reports, keeping the behaviour. Rules on the returned source check
 * that the reported problems are gone; tests check that nothing else changed — and several of the
 * reports are real bugs (a NaN comparison, a mutable default, a floating promise), so a fix that
 * only silences the linter fails the tests.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

function prompt(file: string, language: string, code: string, linter: string): string {
  return paragraphs(
    `${linter} reports problems in \`${file}\`:`,
    fence(language, code),
    `Fix every problem it reports without changing what the code does for correct input. Answer with the whole corrected \`${file}\` in one code block.`,
  );
}

const totals = `
export function total(items, discount) {
  var sum = 0;
  var unused = "debug";
  for (var i = 0; i < items.length; i++) {
    if (items[i].price == null) continue;
    sum += items[i].price * items[i].quantity;
  }
  if (discount == 0) return sum;
  return sum - sum * discount;
}
`;

const totalsTest = `
import assert from "node:assert/strict";
import { total } from "./totals.js";

assert.equal(total([{ price: 2, quantity: 3 }, { price: 1, quantity: 1 }], 0), 7);
assert.equal(total([{ price: 10, quantity: 1 }, { price: null, quantity: 4 }, { quantity: 2 }], 0.5), 5);
assert.equal(total([], 0), 0);
`;

const inventory = `
import os
import json


def add_item(name, quantity=1, tags=[]):
    tags.append("new")
    try:
        quantity = int(quantity)
    except:
        quantity = 1
    return {"name": name, "quantity": quantity, "tags": tags}


def to_json(item):
    return json.dumps(item, sort_keys=True)
`;

const inventoryTest = `
from inventory import add_item, to_json

first = add_item("apple")
second = add_item("pear")
assert first["tags"] == ["new"] and second["tags"] == ["new"], (first, second)
assert add_item("fig", quantity="3")["quantity"] == 3
assert add_item("fig", quantity="many")["quantity"] == 1
assert add_item("fig", quantity=None)["quantity"] == 1
assert add_item("kiwi", tags=["fresh"])["tags"] == ["fresh", "new"]
assert to_json({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
`;

const parsePort = `
export function parsePort(value: any): number {
  const port = parseInt(value);
  if (port == NaN || port < 1 || port > 65535) throw new Error("bad port: " + value);
  return port;
}
`;

const parsePortTest = `
import assert from "node:assert/strict";
import { parsePort } from "./parse-port.js";

assert.equal(parsePort("8080"), 8080);
assert.equal(parsePort(" 443 "), 443);
assert.throws(() => parsePort("abc"), /bad port/);
assert.throws(() => parsePort("0"), /bad port/);
assert.throws(() => parsePort("70000"), /bad port/);
`;

const average = `
export function average(values) {
  total = 0;
  for (index in values) {
    total += values[index];
  }
  return values.length ? total / values.length : 0;
}
`;

const averageTest = `
import assert from "node:assert/strict";
import { average } from "./stats.js";

assert.equal(average([1, 2, 3]), 2);
assert.equal(average([]), 0);
const withExtra = [2, 4];
withExtra.extra = 100;
assert.equal(average(withExtra), 3);
`;

const shapes = `
def describe(value):
    if value == None:
        return "nothing"
    if type(value) == list:
        return "list of %d" % len(value)
    if type(value) == dict:
        return "mapping"
    return "value"
`;

const shapesTest = `
from collections import OrderedDict

from shapes import describe


class Items(list):
    pass


assert describe(None) == "nothing"
assert describe([1, 2]) == "list of 2"
assert describe(Items([1])) == "list of 1", "a list subclass is a list"
assert describe({"a": 1}) == "mapping"
assert describe(OrderedDict()) == "mapping", "a dict subclass is a mapping"
assert describe(0) == "value"
assert describe("") == "value"
`;

const save = `
export interface Store {
  write(key: string, value: string): Promise<void>;
}

export async function saveAll(store: Store, entries: Record<string, string>): Promise<number> {
  let count = 0;
  for (const [key, value] of Object.entries(entries)) {
    store.write(key, value);
    count++;
  }
  return count;
}
`;

const saveTest = `
import assert from "node:assert/strict";
import { saveAll } from "./save.js";

const written: string[] = [];
const slow = {
  write: (key: string) =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        written.push(key);
        resolve();
      }, 5),
    ),
};
assert.equal(await saveAll(slow, { a: "1", b: "2" }), 2);
assert.deepEqual(written.sort(), ["a", "b"], "saveAll resolved before its writes finished");
const failing = {
  write: async () => {
    throw new Error("disk full");
  },
};
await assert.rejects(saveAll(failing, { a: "1" }), /disk full/);
`;

export const LINT_TASKS: readonly EvalTask[] = [
  {
    id: "lint-js-var-eqeqeq",
    kind: "lint",
    title: "no-var, eqeqeq, no-unused-vars (JavaScript)",
    prompt: prompt("totals.js", "js", totals, "ESLint (no-var, eqeqeq, no-unused-vars)"),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "totals.js",
      files: { "test.js": totalsTest },
      run: "test.js",
      forbid: [
        { pattern: "\\bvar\\s", message: "the code still declares variables with var" },
        { pattern: "[^=!]==[^=]|!=[^=]", message: "the code still compares with == or !=" },
        { pattern: "\\bunused\\b", message: "the unused variable is still declared" },
      ],
    },
    reference: fence(
      "js",
      `
export function total(items, discount) {
  let sum = 0;
  for (const item of items) {
    if (item.price === null || item.price === undefined) continue;
    sum += item.price * item.quantity;
  }
  if (discount === 0) return sum;
  return sum - sum * discount;
}`,
    ),
    wrong: fence(
      "js",
      `
export function total(items, discount) {
  let sum = 0;
  for (const item of items) {
    if (item.price === null) continue;
    sum += item.price * item.quantity;
  }
  if (discount === 0) return sum;
  return sum - sum * discount;
}`,
    ),
  },
  {
    id: "lint-py-bugbear",
    kind: "lint",
    title: "F401, B006, E722 (Python)",
    prompt: prompt(
      "inventory.py",
      "python",
      inventory,
      "flake8 with flake8-bugbear (F401 unused import, B006 mutable default argument, E722 bare except)",
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "python",
      answerFile: "inventory.py",
      files: { "test_inventory.py": inventoryTest },
      run: "test_inventory.py",
      forbid: [
        { pattern: "^import os\\b", message: "the unused import of os is still there" },
        { pattern: "=\\s*\\[\\]\\s*[,)]", message: "a list is still used as a default argument" },
        { pattern: "except\\s*:", message: "a bare except is still there" },
      ],
    },
    reference: fence(
      "python",
      `
import json


def add_item(name, quantity=1, tags=None):
    tags = [] if tags is None else tags
    tags.append("new")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 1
    return {"name": name, "quantity": quantity, "tags": tags}


def to_json(item):
    return json.dumps(item, sort_keys=True)`,
    ),
    wrong: fence(
      "python",
      `
import json


def add_item(name, quantity=1, tags=None):
    tags = [] if tags is None else tags
    tags.append("new")
    try:
        quantity = int(quantity)
    except ValueError:
        quantity = 1
    return {"name": name, "quantity": quantity, "tags": tags}


def to_json(item):
    return json.dumps(item, sort_keys=True)`,
    ),
  },
  {
    id: "lint-ts-isnan-radix",
    kind: "lint",
    title: "no-explicit-any, use-isnan, radix (TypeScript)",
    prompt: paragraphs(
      prompt(
        "parse-port.ts",
        "ts",
        parsePort,
        "typescript-eslint (no-explicit-any, use-isnan, radix, eqeqeq)",
      ),
      'The NaN comparison is a real bug: `parsePort("abc")` must throw. Take `value: string`.',
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "parse-port.ts",
      files: { "test.ts": parsePortTest },
      run: "test.ts",
      forbid: [
        { pattern: ":\\s*any\\b", message: "the parameter is still typed any" },
        {
          pattern: "===?\\s*NaN|NaN\\s*===?",
          message: "the code still compares with NaN, which is never equal to anything",
        },
        { pattern: "parseInt\\(\\s*[\\w.]+\\s*\\)", message: "parseInt is still called without a radix" },
      ],
    },
    reference: fence(
      "ts",
      `
export function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (Number.isNaN(port) || port < 1 || port > 65535) throw new Error("bad port: " + value);
  return port;
}`,
    ),
    wrong: fence(
      "ts",
      `
export function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (port === NaN || port < 1 || port > 65535) throw new Error("bad port: " + value);
  return port;
}`,
    ),
  },
  {
    id: "lint-js-no-undef-guard-for-in",
    kind: "lint",
    title: "no-undef, guard-for-in (JavaScript)",
    prompt: prompt("stats.js", "js", average, "ESLint (no-undef, guard-for-in)"),
    maxTokens: 800,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "stats.js",
      files: { "test.js": averageTest },
      run: "test.js",
      forbid: [
        {
          pattern: "for\\s*\\(\\s*(?:const|let|var)?\\s*\\w+\\s+in\\b",
          message: "the array is still iterated with for…in, which also visits extra properties",
        },
      ],
    },
    reference: fence(
      "js",
      `
export function average(values) {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return values.length ? total / values.length : 0;
}`,
    ),
    wrong: fence(
      "js",
      `
export function average(values) {
  let total = 0;
  for (const index in values) {
    total += values[index];
  }
  return values.length ? total / values.length : 0;
}`,
    ),
  },
  {
    id: "lint-py-e711-e721",
    kind: "lint",
    title: "E711, E721 (Python)",
    prompt: paragraphs(
      prompt("shapes.py", "python", shapes, "flake8 (E711 comparison to None, E721 type comparison)"),
      "Use `isinstance`, so that subclasses of list and dict count too.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "shapes.py",
      files: { "test_shapes.py": shapesTest },
      run: "test_shapes.py",
      forbid: [
        { pattern: "[=!]=\\s*None", message: "the code still compares to None with ==" },
        { pattern: "type\\([^)]*\\)\\s*[=!]=", message: "the code still compares types with ==" },
      ],
    },
    reference: fence(
      "python",
      `
def describe(value):
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "list of %d" % len(value)
    if isinstance(value, dict):
        return "mapping"
    return "value"`,
    ),
    wrong: fence(
      "python",
      `
def describe(value):
    if value is None:
        return "nothing"
    if type(value) is list:
        return "list of %d" % len(value)
    if type(value) is dict:
        return "mapping"
    return "value"`,
    ),
  },
  {
    id: "lint-ts-floating-promise",
    kind: "lint",
    title: "no-floating-promises (TypeScript)",
    prompt: prompt("save.ts", "ts", save, "typescript-eslint (no-floating-promises)"),
    maxTokens: 800,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "save.ts",
      files: { "test.ts": saveTest },
      run: "test.ts",
      require: [
        { pattern: "await\\s+(?:store\\.write|Promise\\.all)", message: "the writes are still not awaited" },
      ],
    },
    reference: fence(
      "ts",
      `
export interface Store {
  write(key: string, value: string): Promise<void>;
}

export async function saveAll(store: Store, entries: Record<string, string>): Promise<number> {
  let count = 0;
  for (const [key, value] of Object.entries(entries)) {
    await store.write(key, value);
    count++;
  }
  return count;
}`,
    ),
    wrong: fence(
      "ts",
      `
export interface Store {
  write(key: string, value: string): Promise<void>;
}

export async function saveAll(store: Store, entries: Record<string, string>): Promise<number> {
  let count = 0;
  for (const [key, value] of Object.entries(entries)) {
    void store.write(key, value);
    count++;
  }
  return count;
}`,
    ),
  },
];
