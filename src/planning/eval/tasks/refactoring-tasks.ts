/**
 * Refactoring: change the shape of working code as asked and keep its behaviour. Rules on the
 * returned source check the shape (the duplication gone, the flag argument split, the dataclass);
 * tests check the behaviour, including the corner a hasty rewrite drops.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

function prompt(file: string, language: string, code: string, request: string): string {
  return paragraphs(
    `Refactor \`${file}\`:`,
    fence(language, code),
    request,
    `Behaviour must not change. Answer with the whole refactored \`${file}\` in one code block.`,
  );
}

const signup = `
export function validateSignup(form) {
  const errors = [];
  if (!form.email || !/^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/.test(form.email.trim())) errors.push("email");
  if (form.backupEmail && !/^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/.test(form.backupEmail.trim())) errors.push("backupEmail");
  if (!form.password || form.password.length < 12) errors.push("password");
  return errors;
}
`;

const signupTest = `
import assert from "node:assert/strict";
import { isEmail, validateSignup } from "./signup.js";

assert.equal(isEmail("a@b.co"), true);
assert.equal(isEmail(" a@b.co "), true);
assert.equal(isEmail("nope"), false);
assert.equal(isEmail("a b@c.de"), false);
assert.deepEqual(validateSignup({ email: "a@b.co", password: "correct horse battery" }), []);
assert.deepEqual(validateSignup({ email: "x", backupEmail: "y", password: "short" }), ["email", "backupEmail", "password"]);
assert.deepEqual(validateSignup({ email: " a@b.co ", backupEmail: "c@d.io", password: "long enough pw" }), []);
`;

const shipping = `
def shipping_cost(method, weight_kg):
    if method == "standard":
        return 4.99 + 0.5 * weight_kg
    elif method == "express":
        return 9.99 + 1.0 * weight_kg
    elif method == "overnight":
        return 19.99 + 2.0 * weight_kg
    elif method == "pickup":
        return 0.0
    else:
        raise ValueError(f"unknown shipping method: {method}")
`;

const shippingTest = `
from shipping import RATES, shipping_cost

assert abs(shipping_cost("standard", 2) - 5.99) < 1e-9
assert abs(shipping_cost("express", 1) - 10.99) < 1e-9
assert abs(shipping_cost("overnight", 0.5) - 20.99) < 1e-9
assert shipping_cost("pickup", 30) == 0.0
assert RATES["express"] == (9.99, 1.0)
try:
    shipping_cost("drone", 1)
except ValueError as error:
    assert str(error) == "unknown shipping method: drone", str(error)
else:
    raise AssertionError("an unknown method should raise ValueError")
`;

const profile = `
export type Callback<T> = (error: Error | null, value?: T) => void;

export interface Api {
  getUser(id: string, callback: Callback<{ id: string; teamId: string }>): void;
  getTeam(id: string, callback: Callback<{ id: string; name: string }>): void;
}

export function loadProfile(api: Api, userId: string, callback: Callback<string>): void {
  api.getUser(userId, (error, user) => {
    if (error || !user) return callback(error ?? new Error("no user"));
    api.getTeam(user.teamId, (teamError, team) => {
      if (teamError || !team) return callback(teamError ?? new Error("no team"));
      callback(null, user.id + " (" + team.name + ")");
    });
  });
}
`;

const profileTest = `
import assert from "node:assert/strict";
import { loadProfile, type Api } from "./profile.js";

function api(options: { user?: boolean; teamError?: string }): Api {
  return {
    getUser: (id, callback) =>
      setTimeout(() => callback(null, options.user === false ? undefined : { id, teamId: "t1" }), 1),
    getTeam: (id, callback) =>
      setTimeout(() => (options.teamError ? callback(new Error(options.teamError)) : callback(null, { id, name: "Core" })), 1),
  };
}

assert.equal(await loadProfile(api({}), "u1"), "u1 (Core)");
await assert.rejects(loadProfile(api({ teamError: "team down" }), "u1"), /team down/);
await assert.rejects(loadProfile(api({ user: false }), "u1"), /no user/);
`;

const money = `
class Money:
    def __init__(self, amount_cents, currency):
        self.amount_cents = amount_cents
        self.currency = currency

    def __eq__(self, other):
        return (
            isinstance(other, Money)
            and self.amount_cents == other.amount_cents
            and self.currency == other.currency
        )

    def __repr__(self):
        return "Money(amount_cents=%r, currency=%r)" % (self.amount_cents, self.currency)

    def add(self, other):
        if other.currency != self.currency:
            raise ValueError("currency mismatch")
        return Money(self.amount_cents + other.amount_cents, self.currency)
`;

const moneyTest = `
import dataclasses

from money import Money

a = Money(100, "EUR")
assert a == Money(100, "EUR")
assert a != Money(100, "USD")
assert repr(Money(150, "EUR")) == "Money(amount_cents=150, currency='EUR')"
assert a.add(Money(50, "EUR")) == Money(150, "EUR")
try:
    a.add(Money(1, "USD"))
except ValueError:
    pass
else:
    raise AssertionError("adding two currencies should raise ValueError")
try:
    a.amount_cents = 5
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("Money should be frozen")
assert len({Money(1, "EUR"), Money(1, "EUR")}) == 1
`;

const session = `
export function isExpired(session, now = Date.now()) {
  return now - session.createdAt > 30 * 24 * 60 * 60 * 1000;
}

export function expiresAt(session) {
  return new Date(session.createdAt + 30 * 24 * 60 * 60 * 1000).toISOString();
}

export function refreshAfter(session) {
  return session.createdAt + 24 * 60 * 60 * 1000;
}
`;

const sessionTest = `
import assert from "node:assert/strict";
import { expiresAt, isExpired, MS_PER_DAY, refreshAfter, SESSION_DAYS } from "./session.js";

assert.equal(MS_PER_DAY, 86400000);
assert.equal(SESSION_DAYS, 30);
const session = { createdAt: Date.UTC(2024, 0, 1) };
assert.equal(isExpired(session, session.createdAt + 30 * 86400000), false);
assert.equal(isExpired(session, session.createdAt + 30 * 86400000 + 1), true);
assert.equal(expiresAt(session), "2024-01-31T00:00:00.000Z");
assert.equal(refreshAfter(session), session.createdAt + 86400000);
`;

const render = `
export interface User {
  name: string;
  email: string;
}

export function render(user: User, asHtml: boolean): string {
  if (asHtml) {
    return "<p><b>" + escapeHtml(user.name) + "</b> &lt;" + escapeHtml(user.email) + "&gt;</p>";
  }
  return user.name + " <" + user.email + ">";
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
`;

const renderTest = `
import assert from "node:assert/strict";
import { renderHtml, renderText } from "./render.js";

const user = { name: "Tom & <Jerry>", email: "tom@example.com" };
assert.equal(renderText(user), "Tom & <Jerry> <tom@example.com>");
assert.equal(renderHtml(user), "<p><b>Tom &amp; &lt;Jerry&gt;</b> &lt;tom@example.com&gt;</p>");
`;

export const REFACTORING_TASKS: readonly EvalTask[] = [
  {
    id: "refactor-js-extract-is-email",
    kind: "refactoring",
    title: "extract the duplicated email check (JavaScript)",
    prompt: prompt(
      "signup.js",
      "js",
      signup,
      "Extract the duplicated email check into an exported function `isEmail(text)` (trimming included) and use it for both fields.",
    ),
    maxTokens: 1_000,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "signup.js",
      files: { "test.js": signupTest },
      run: "test.js",
      require: [
        {
          pattern: "export\\s+(?:function\\s+isEmail|const\\s+isEmail)",
          message: "there is no exported isEmail",
        },
        {
          pattern: "\\[\\^@\\\\s\\]\\+@",
          atLeast: 0,
          atMost: 1,
          message: "the email pattern is still written more than once",
        },
      ],
    },
    reference: fence(
      "js",
      `
const EMAIL = /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/;

export function isEmail(text) {
  return EMAIL.test(text.trim());
}

export function validateSignup(form) {
  const errors = [];
  if (!form.email || !isEmail(form.email)) errors.push("email");
  if (form.backupEmail && !isEmail(form.backupEmail)) errors.push("backupEmail");
  if (!form.password || form.password.length < 12) errors.push("password");
  return errors;
}`,
    ),
    wrong: fence(
      "js",
      `
const EMAIL = /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/;

export function isEmail(text) {
  return EMAIL.test(text);
}

export function validateSignup(form) {
  const errors = [];
  if (!form.email || !isEmail(form.email)) errors.push("email");
  if (form.backupEmail && !isEmail(form.backupEmail)) errors.push("backupEmail");
  if (!form.password || form.password.length < 12) errors.push("password");
  return errors;
}`,
    ),
  },
  {
    id: "refactor-py-rate-table",
    kind: "refactoring",
    title: "an if/elif chain into a table (Python)",
    prompt: prompt(
      "shipping.py",
      "python",
      shipping,
      "Replace the if/elif chain with a table: a module-level dict `RATES` mapping each method to `(base, per_kg)`. Keep the `ValueError` for unknown methods, message included.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "shipping.py",
      files: { "test_shipping.py": shippingTest },
      run: "test_shipping.py",
      forbid: [{ pattern: "\\belif\\b", message: "the if/elif chain is still there" }],
      require: [{ pattern: "^RATES\\s*(?::[^=]+)?=", message: "there is no module-level RATES table" }],
    },
    reference: fence(
      "python",
      `
RATES = {
    "standard": (4.99, 0.5),
    "express": (9.99, 1.0),
    "overnight": (19.99, 2.0),
    "pickup": (0.0, 0.0),
}


def shipping_cost(method, weight_kg):
    if method not in RATES:
        raise ValueError(f"unknown shipping method: {method}")
    base, per_kg = RATES[method]
    return base + per_kg * weight_kg`,
    ),
    wrong: fence(
      "python",
      `
RATES = {
    "standard": (4.99, 0.5),
    "express": (9.99, 1.0),
    "overnight": (19.99, 2.0),
    "pickup": (0.0, 0.0),
}


def shipping_cost(method, weight_kg):
    base, per_kg = RATES[method]
    return base + per_kg * weight_kg`,
    ),
  },
  {
    id: "refactor-ts-callbacks-to-async",
    kind: "refactoring",
    title: "callbacks to async/await (TypeScript)",
    prompt: prompt(
      "profile.ts",
      "ts",
      profile,
      "Rewrite `loadProfile` as `async function loadProfile(api: Api, userId: string): Promise<string>` using async/await over a small promise wrapper for the callback API. Keep `Api` and `Callback` as they are, and reject with the same errors.",
    ),
    maxTokens: 1_200,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "profile.ts",
      files: { "test.ts": profileTest },
      run: "test.ts",
      require: [
        { pattern: "async\\s+function\\s+loadProfile", message: "loadProfile is not an async function" },
        { pattern: "\\bawait\\b", atLeast: 2, message: "loadProfile does not await the user and the team" },
      ],
    },
    reference: fence(
      "ts",
      `
export type Callback<T> = (error: Error | null, value?: T) => void;

export interface Api {
  getUser(id: string, callback: Callback<{ id: string; teamId: string }>): void;
  getTeam(id: string, callback: Callback<{ id: string; name: string }>): void;
}

function promised<T>(call: (callback: Callback<T>) => void, missing: string): Promise<T> {
  return new Promise((resolve, reject) =>
    call((error, value) => (error || value === undefined ? reject(error ?? new Error(missing)) : resolve(value))),
  );
}

export async function loadProfile(api: Api, userId: string): Promise<string> {
  const user = await promised<{ id: string; teamId: string }>((done) => api.getUser(userId, done), "no user");
  const team = await promised<{ id: string; name: string }>((done) => api.getTeam(user.teamId, done), "no team");
  return user.id + " (" + team.name + ")";
}`,
    ),
    wrong: fence(
      "ts",
      `
export type Callback<T> = (error: Error | null, value?: T) => void;

export interface Api {
  getUser(id: string, callback: Callback<{ id: string; teamId: string }>): void;
  getTeam(id: string, callback: Callback<{ id: string; name: string }>): void;
}

function promised<T>(call: (callback: Callback<T>) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));
}

export async function loadProfile(api: Api, userId: string): Promise<string> {
  const user = await promised<{ id: string; teamId: string }>((done) => api.getUser(userId, done));
  const team = await promised<{ id: string; name: string }>((done) => api.getTeam(user!.teamId, done));
  return user!.id + " (" + team!.name + ")";
}`,
    ),
  },
  {
    id: "refactor-py-frozen-dataclass",
    kind: "refactoring",
    title: "a value class into a frozen dataclass (Python)",
    prompt: prompt(
      "money.py",
      "python",
      money,
      "Turn `Money` into a frozen dataclass (`@dataclass(frozen=True)`), dropping the hand-written `__init__`, `__eq__` and `__repr__`. `add` stays.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "python",
      answerFile: "money.py",
      files: { "test_money.py": moneyTest },
      run: "test_money.py",
      require: [
        {
          pattern: "@dataclass\\(\\s*frozen\\s*=\\s*True\\s*\\)",
          message: "Money is not a frozen dataclass",
        },
      ],
      forbid: [
        {
          pattern: "def __(?:init|eq|repr)__",
          message: "a hand-written __init__, __eq__ or __repr__ is still there",
        },
      ],
    },
    reference: fence(
      "python",
      `
from dataclasses import dataclass


@dataclass(frozen=True)
class Money:
    amount_cents: int
    currency: str

    def add(self, other):
        if other.currency != self.currency:
            raise ValueError("currency mismatch")
        return Money(self.amount_cents + other.amount_cents, self.currency)`,
    ),
    wrong: fence(
      "python",
      `
from dataclasses import dataclass


@dataclass(frozen=True)
class Money:
    amount_cents: int
    currency: str

    def add(self, other):
        return Money(self.amount_cents + other.amount_cents, self.currency)`,
    ),
  },
  {
    id: "refactor-js-named-constants",
    kind: "refactoring",
    title: "magic numbers into named constants (JavaScript)",
    prompt: prompt(
      "session.js",
      "js",
      session,
      "Replace the magic numbers with exported named constants `MS_PER_DAY` and `SESSION_DAYS` (30), used everywhere they belong.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "javascript",
      answerFile: "session.js",
      files: { "test.js": sessionTest },
      run: "test.js",
      require: [
        { pattern: "export\\s+const\\s+MS_PER_DAY\\b", message: "there is no exported MS_PER_DAY" },
        { pattern: "export\\s+const\\s+SESSION_DAYS\\b", message: "there is no exported SESSION_DAYS" },
        {
          pattern: "60\\s*\\*\\s*60",
          atLeast: 0,
          atMost: 1,
          message: "the day's length is still spelled out more than once",
        },
        { pattern: "\\b30\\b", atLeast: 0, atMost: 1, message: "30 is still written more than once" },
      ],
    },
    reference: fence(
      "js",
      `
export const MS_PER_DAY = 24 * 60 * 60 * 1000;
export const SESSION_DAYS = 30;
const SESSION_MS = SESSION_DAYS * MS_PER_DAY;

export function isExpired(session, now = Date.now()) {
  return now - session.createdAt > SESSION_MS;
}

export function expiresAt(session) {
  return new Date(session.createdAt + SESSION_MS).toISOString();
}

export function refreshAfter(session) {
  return session.createdAt + MS_PER_DAY;
}`,
    ),
    wrong: fence(
      "js",
      `
export const MS_PER_DAY = 24 * 60 * 60 * 1000;
export const SESSION_DAYS = 30;
const SESSION_MS = SESSION_DAYS * MS_PER_DAY;

export function isExpired(session, now = Date.now()) {
  return now - session.createdAt >= SESSION_MS;
}

export function expiresAt(session) {
  return new Date(session.createdAt + SESSION_MS).toISOString();
}

export function refreshAfter(session) {
  return session.createdAt + MS_PER_DAY;
}`,
    ),
  },
  {
    id: "refactor-ts-flag-argument",
    kind: "refactoring",
    title: "split a boolean flag argument (TypeScript)",
    prompt: prompt(
      "render.ts",
      "ts",
      render,
      "Remove the boolean flag argument: replace `render` with two exported functions, `renderHtml(user)` and `renderText(user)`.",
    ),
    maxTokens: 800,
    check: {
      type: "code",
      language: "typescript",
      answerFile: "render.ts",
      files: { "test.ts": renderTest },
      run: "test.ts",
      forbid: [
        { pattern: "asHtml", message: "the asHtml flag is still there" },
        { pattern: "export\\s+function\\s+render\\s*\\(", message: "render(user, asHtml) is still exported" },
      ],
      require: [
        { pattern: "export\\s+function\\s+renderHtml\\b", message: "there is no exported renderHtml" },
        { pattern: "export\\s+function\\s+renderText\\b", message: "there is no exported renderText" },
      ],
    },
    reference: fence(
      "ts",
      `
export interface User {
  name: string;
  email: string;
}

export function renderHtml(user: User): string {
  return "<p><b>" + escapeHtml(user.name) + "</b> &lt;" + escapeHtml(user.email) + "&gt;</p>";
}

export function renderText(user: User): string {
  return user.name + " <" + user.email + ">";
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}`,
    ),
    wrong: fence(
      "ts",
      `
export interface User {
  name: string;
  email: string;
}

export function renderHtml(user: User): string {
  return "<p><b>" + user.name + "</b> &lt;" + user.email + "&gt;</p>";
}

export function renderText(user: User): string {
  return user.name + " <" + user.email + ">";
}`,
    ),
  },
];
