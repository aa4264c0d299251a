/**
 * Code review: a diff with planted defects (an injection, a missing await, a logged secret, a lost
 * update, an off-by-one and a leak) — and one clean diff, where inventing problems is the failure.
 * A rule checks the verdict line the prompt asks for; a judge checks that the real defects were
 * found, with a fix.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

function reviewTask(task: {
  id: string;
  title: string;
  description: string;
  language: string;
  diff: string;
  verdict: "APPROVE" | "REQUEST CHANGES";
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "code-review",
    title: task.title,
    prompt: paragraphs(
      `Review this change. ${task.description}`,
      fence("diff", task.diff),
      "List the defects you find, blocking ones first, each with its line and a concrete fix; say so if there are none. End with a line `VERDICT: APPROVE` or `VERDICT: REQUEST CHANGES`.",
    ),
    maxTokens: 1_200,
    check: {
      type: "text",
      rules: [{ rule: "verdicts", expected: { VERDICT: task.verdict } }],
      judge: { points: task.points },
    },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const CODE_REVIEW_TASKS: readonly EvalTask[] = [
  reviewTask({
    id: "review-sql-injection",
    title: "a lookup by email",
    description: "It adds a lookup of users by email to the admin API (Node, node-postgres).",
    language: "js",
    diff: `
+app.get("/admin/users", async (request, reply) => {
+  const email = request.query.email;
+  const result = await db.query("SELECT id, email, role FROM users WHERE email = '" + email + "'");
+  return result.rows;
+});`,
    verdict: "REQUEST CHANGES",
    points: [
      "the email is concatenated into the SQL: SQL injection",
      "fix: a parameterised query (WHERE email = $1 with [email])",
    ],
    reference: `
**Blocking**
- Line 3: the email from the query string is concatenated into the SQL — SQL injection (\`' OR '1'='1\` returns every user, and worse is possible). Use a parameter: \`db.query("SELECT id, email, role FROM users WHERE email = $1", [email])\`.

**Non-blocking**
- Validate that \`email\` is present and a string; return 400 otherwise.

VERDICT: REQUEST CHANGES`,
    wrong: `
Looks good. Maybe rename \`result\` to \`users\` for clarity.

VERDICT: APPROVE`,
  }),
  reviewTask({
    id: "review-missing-await",
    title: "a 404 that never happens",
    description:
      "It returns 404 for unknown users. `getUser` is `async` and resolves to `undefined` when there is no such user.",
    language: "ts",
    diff: `
 export async function showUser(request: Request, reply: Reply) {
-  const user = users.get(request.params.id);
+  const user = getUser(request.params.id);
+  if (!user) return reply.code(404).send({ error: "not found" });
   return reply.send(user);
 }`,
    verdict: "REQUEST CHANGES",
    points: [
      "getUser is async and not awaited, so `user` is a Promise and always truthy: the 404 never fires",
      "fix: await getUser(...)",
    ],
    reference: `
**Blocking**
- Line 2: \`getUser\` is async but not awaited. \`user\` is a Promise, which is always truthy, so the 404 branch never runs and an unknown id sends \`{}\`. Fix: \`const user = await getUser(request.params.id);\`.

VERDICT: REQUEST CHANGES`,
    wrong: `
- Consider returning a more descriptive error message than "not found".
- Add a test for the 404 case.

VERDICT: REQUEST CHANGES`,
  }),
  reviewTask({
    id: "review-logged-secret",
    title: "request logging",
    description: "It adds request logging to an HTTP client that calls a payment API with a bearer token.",
    language: "ts",
    diff: `
 export async function charge(amount: number, token: string) {
+  const headers = { authorization: "Bearer " + token, "content-type": "application/json" };
+  logger.info({ url: PAYMENT_URL, headers, amount }, "charging");
-  return fetch(PAYMENT_URL, { method: "POST", body: JSON.stringify({ amount }) });
+  return fetch(PAYMENT_URL, { method: "POST", headers, body: JSON.stringify({ amount }) });
 }`,
    verdict: "REQUEST CHANGES",
    points: [
      "the log line includes the authorization header: the bearer token leaks into the logs",
      "fix: log without the headers, or redact authorization",
    ],
    reference: `
**Blocking**
- Line 3: \`headers\` is logged, and it holds \`authorization: Bearer <token>\` — the payment API token ends up in every log store and log viewer. Log only the URL and amount, or redact the header (pino's \`redact: ["headers.authorization"]\`).

**Non-blocking**
- The fetch has no timeout; a hanging payment API hangs the caller. Add an AbortSignal.timeout.

VERDICT: REQUEST CHANGES`,
    wrong: `
Nice to see logging added. The headers are now passed to fetch, which fixes the missing content-type.

VERDICT: APPROVE`,
  }),
  reviewTask({
    id: "review-clean-change",
    title: "a rename with a test",
    description: "It renames a variable and adds a test; nothing else changes.",
    language: "ts",
    diff: `
 export function totalCents(lines: Line[]): number {
-  let t = 0;
-  for (const line of lines) t += line.unitCents * line.quantity;
-  return t;
+  let total = 0;
+  for (const line of lines) total += line.unitCents * line.quantity;
+  return total;
 }
+
+it("sums unit price times quantity", () => {
+  expect(totalCents([{ unitCents: 250, quantity: 2 }, { unitCents: 100, quantity: 1 }])).toBe(600);
+});`,
    verdict: "APPROVE",
    points: [
      "approves: the rename keeps the behaviour and the test is correct (250*2 + 100 = 600)",
      "does not invent blocking problems",
    ],
    reference: `
No defects: the rename keeps the behaviour, and the test's expectation is right (2 × 250 + 1 × 100 = 600).

Nit (optional): an empty-list case would document that the total starts at 0.

VERDICT: APPROVE`,
    wrong: `
**Blocking**
- Floating point errors: summing prices can lose precision; use a decimal library.
- The loop should use reduce.

VERDICT: REQUEST CHANGES`,
  }),
  reviewTask({
    id: "review-lost-update",
    title: "a page-view counter",
    description: "It counts page views in a shared Redis cache from a web handler that runs on 8 workers.",
    language: "python",
    diff: `
+def record_view(cache, page_id):
+    key = f"views:{page_id}"
+    count = int(cache.get(key) or 0)
+    cache.set(key, count + 1)
+    return count + 1`,
    verdict: "REQUEST CHANGES",
    points: [
      "read-then-write is a race: concurrent workers read the same count and overwrite each other's increments (lost updates)",
      "fix: an atomic increment (Redis INCR, cache.incr(key))",
    ],
    reference: `
**Blocking**
- Lines 3–4: get-then-set is not atomic. With 8 workers, two requests read the same count and both write count + 1, so views are lost under load. Use Redis's atomic increment: \`return cache.incr(key)\`.

VERDICT: REQUEST CHANGES`,
    wrong: `
- Add a docstring.
- \`int(... or 0)\` is fine.

VERDICT: APPROVE`,
  }),
  reviewTask({
    id: "review-off-by-one-leak",
    title: "reading a batch of files",
    description: "It reads the first line of each file in a list (Node, fs/promises).",
    language: "js",
    diff: `
+export async function firstLines(paths) {
+  const lines = [];
+  for (let i = 0; i <= paths.length; i++) {
+    const handle = await open(paths[i], "r");
+    const { buffer, bytesRead } = await handle.read(Buffer.alloc(1024), 0, 1024, 0);
+    lines.push(buffer.subarray(0, bytesRead).toString("utf8").split("\\n")[0]);
+    await handle.close();
+  }
+  return lines;
+}`,
    verdict: "REQUEST CHANGES",
    points: [
      "`i <= paths.length` runs one past the end: open(undefined) throws on every call",
      "if read throws, the file handle is never closed: close it in a finally",
    ],
    reference: `
**Blocking**
- Line 3: \`i <= paths.length\` goes one past the end, so the last iteration calls \`open(undefined)\` and the function always rejects. Use \`i < paths.length\` (or \`for (const path of paths)\`).
- Lines 4–7: if \`read\` throws, \`handle.close()\` never runs and the descriptor leaks. Close it in a \`finally\`.

**Non-blocking**
- A first line longer than 1 KiB is cut; say so or read until a newline.

VERDICT: REQUEST CHANGES`,
    wrong: `
**Blocking**
- Line 3: the loop is off by one.

VERDICT: REQUEST CHANGES`,
  }),
];
