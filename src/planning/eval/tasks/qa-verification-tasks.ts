/**
 * QA verification: acceptance criteria and the evidence a tester gathered (a log, test output, a
 * note). Each criterion is PASS, FAIL or UNTESTED on that evidence — some evidence contradicts its
 * criterion in a detail, some criteria have none — so a rule checks every verdict line, and a judge
 * checks what the answer says is still untested.
 */
import type { EvalTask } from "../eval-task.js";
import { fence, paragraphs } from "./task-text.js";

type Verdict = "PASS" | "FAIL" | "UNTESTED";

function qaTask(task: {
  id: string;
  title: string;
  feature: string;
  criteria: string[];
  evidence: string;
  verdicts: Verdict[];
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  const expected = Object.fromEntries(task.verdicts.map((verdict, index) => [`AC${index + 1}`, verdict]));
  return {
    id: task.id,
    kind: "qa-verification",
    title: task.title,
    prompt: paragraphs(
      `Verify this feature against its acceptance criteria, using only the evidence below: ${task.feature}`,
      `Acceptance criteria:\n${task.criteria.map((line, index) => `AC${index + 1}. ${line}`).join("\n")}`,
      `Evidence:\n${fence("text", task.evidence)}`,
      "For each criterion write a line `AC<n>: PASS`, `AC<n>: FAIL` or `AC<n>: UNTESTED` with the evidence for it, then list what still needs testing.",
    ),
    maxTokens: 900,
    check: {
      type: "text",
      rules: [{ rule: "verdicts", expected }],
      judge: { points: task.points },
    },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const QA_VERIFICATION_TASKS: readonly EvalTask[] = [
  qaTask({
    id: "qa-password-reset",
    title: "password reset",
    feature: "password reset by email.",
    criteria: [
      "The reset email arrives within 1 minute.",
      "A reset link expires 30 minutes after it was sent.",
      "A used reset link is rejected.",
      "The reset page does not reveal whether an email address has an account.",
    ],
    evidence: `
10:02:11 requested reset for ana@example.com
10:02:23 email received (12 s)
10:33:40 opened the link (31 min after sending): password form shown; new password accepted
10:35:02 opened the same link again: "This link was already used"`,
    verdicts: ["PASS", "FAIL", "PASS", "UNTESTED"],
    points: [
      "AC2 fails: the link still worked after 31 minutes",
      "AC4 has no evidence: request a reset for an unregistered address and compare the response",
    ],
    reference: `
AC1: PASS — the email arrived 12 s after the request.
AC2: FAIL — the link opened 31 minutes after sending still showed the form and accepted a new password; it should have expired at 30.
AC3: PASS — opening the used link again was rejected ("already used").
AC4: UNTESTED — no request was made for an unregistered address.

Still to test: request a reset for an address with no account and compare the page and timing with a registered one; re-test AC2 after the fix, just before and after 30 minutes.`,
    wrong: `
AC1: PASS — 12 seconds.
AC2: PASS — the link worked.
AC3: PASS — rejected the second time.
AC4: PASS — no account information was shown.`,
  }),
  qaTask({
    id: "qa-csv-export",
    title: "invoice CSV export",
    feature: "invoice export as CSV.",
    criteria: [
      "The columns are number, date, customer, net, vat, gross, in that order.",
      "Amounts have two decimals with a dot.",
      "The date range includes both the start and the end date.",
    ],
    evidence: `
Export 2024-03-01..2024-03-31, first lines of the file:
number,date,customer,net,vat,gross
INV-1001,2024-03-01,Acme GmbH,100.00,19.00,119.00
INV-1002,2024-03-04,Bolt Ltd,1250.5,237.6,1488.1
...
last line: INV-1088,2024-03-30,Zeta SA,80.00,16.00,96.00
(the database has INV-1089 dated 2024-03-31)`,
    verdicts: ["PASS", "FAIL", "FAIL"],
    points: [
      "AC2 fails: 1250.5, 237.6 and 1488.1 have one decimal",
      "AC3 fails: INV-1089 dated 31 March is missing, so the end date is excluded",
    ],
    reference: `
AC1: PASS — the header is number,date,customer,net,vat,gross.
AC2: FAIL — INV-1002 shows 1250.5, 237.6 and 1488.1: one decimal, not two.
AC3: FAIL — the file ends with INV-1088 (30 March) although INV-1089 is dated 31 March: the end date is excluded.

Still to test: amounts with zero cents and large amounts (thousands separators must not appear); a range of a single day.`,
    wrong: `
AC1: PASS — correct header.
AC2: PASS — amounts use a dot.
AC3: PASS — the export covers March.`,
  }),
  qaTask({
    id: "qa-search-filters",
    title: "product search filters",
    feature: "filters on the product search page.",
    criteria: [
      "Filtering by brand shows only products of that brand.",
      "The price filter includes products priced exactly at its bounds.",
      "Active filters are kept in the URL, so a shared link shows the same results.",
    ],
    evidence: `
Test run (automated, e2e/search-filters.spec.ts):
  ✓ brand filter "Lumo" shows 14 products, all brand Lumo
  ✓ price filter 10–20 shows the product priced 20.00
  ✓ price filter 10–20 shows the product priced 10.00
Manual note: did not try sharing links.`,
    verdicts: ["PASS", "PASS", "UNTESTED"],
    points: [
      "AC3 is untested: the note says links were not tried",
      "still to test: open a filtered URL in a new session and compare the results",
    ],
    reference: `
AC1: PASS — brand "Lumo": 14 products, all Lumo.
AC2: PASS — products at 10.00 and 20.00 both appear for 10–20.
AC3: UNTESTED — the note says sharing links was not tried.

Still to test: apply filters, copy the URL, open it in a fresh session and compare; also combined filters (brand + price).`,
    wrong: `
AC1: PASS
AC2: PASS
AC3: PASS — filters work, so links will too.`,
  }),
  qaTask({
    id: "qa-rate-limit",
    title: "API rate limiting",
    feature: "rate limiting on the public API.",
    criteria: [
      "A client over 100 requests per minute gets HTTP 429.",
      "The 429 response has a Retry-After header.",
      "Limits are per API key: one key over its limit does not affect another.",
    ],
    evidence: `
$ hey -n 150 -c 5 -H "Authorization: Bearer key-A" https://api.test/v1/ping
Status code distribution:
  [200] 100 responses
  [429] 50 responses
$ curl -si -H "Authorization: Bearer key-A" https://api.test/v1/ping | head -5
HTTP/2 429
content-type: application/json
x-ratelimit-remaining: 0
$ curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer key-B" https://api.test/v1/ping
200`,
    verdicts: ["PASS", "FAIL", "PASS"],
    points: [
      "AC2 fails: the 429 response shows no Retry-After header",
      "AC3 passes on this evidence: key-B got 200 while key-A was limited",
    ],
    reference: `
AC1: PASS — 150 requests with key-A: 100 × 200, then 50 × 429.
AC2: FAIL — the 429 headers show content-type and x-ratelimit-remaining but no Retry-After.
AC3: PASS — key-B got 200 while key-A was limited.

Still to test: that the limit resets after a minute; behaviour with no API key.`,
    wrong: `
AC1: PASS — 429s were returned.
AC2: PASS — rate limit headers are present.
AC3: PASS — key-B worked.`,
  }),
  qaTask({
    id: "qa-upload-limit",
    title: "upload size limit",
    feature: "a 10 MB limit on avatar uploads.",
    criteria: [
      "Files up to 10 MB upload successfully.",
      "Files over 10 MB are rejected with a message naming the limit.",
      "Only PNG and JPEG files are accepted.",
    ],
    evidence: `
avatar-9.8MB.png   -> 201 Created
avatar-10.4MB.jpg  -> 413 "File too large (max 10 MB)"
avatar.gif (200 KB)-> 201 Created`,
    verdicts: ["PASS", "PASS", "FAIL"],
    points: [
      "AC3 fails: a GIF was accepted (201)",
      "still to test: exactly 10 MB, and a file with a wrong extension or content type",
    ],
    reference: `
AC1: PASS — a 9.8 MB PNG was accepted (201).
AC2: PASS — 10.4 MB was rejected with 413 "File too large (max 10 MB)".
AC3: FAIL — a GIF was accepted (201 Created); only PNG and JPEG should be.

Still to test: a file of exactly 10 MB; a PNG renamed to .jpg and a non-image renamed to .png (is the content checked, or only the extension?).`,
    wrong: `
AC1: PASS
AC2: PASS
AC3: UNTESTED — no PNG/JPEG-specific test.`,
  }),
  qaTask({
    id: "qa-timezone-reminders",
    title: "reminder times across time zones",
    feature: "daily reminder emails sent at 09:00 in each user's own time zone.",
    criteria: [
      "A user in Europe/Berlin gets the reminder at 09:00 Berlin time.",
      "A user in America/New_York gets it at 09:00 New York time.",
      "On the day clocks change, the reminder still goes out at 09:00 local time.",
    ],
    evidence: `
Scheduler log, 2024-03-05 (no clock change that day):
07:00:00Z sent reminder to user 17 (Europe/Berlin)
14:00:00Z sent reminder to user 42 (America/New_York)`,
    verdicts: ["FAIL", "PASS", "UNTESTED"],
    points: [
      "AC1 fails: on 5 March Berlin is on CET (UTC+1), so 07:00Z is 08:00 local, an hour early",
      "AC2 passes: New York is on EST (UTC-5) until 10 March, so 14:00Z is 09:00 local",
      "AC3 has no evidence: the log is from a day without a clock change",
    ],
    reference: `
AC1: FAIL — on 5 March Berlin is on CET (UTC+1), so 07:00Z is 08:00 Berlin time: an hour early. (It would be right in summer time, which suggests a fixed UTC+2 offset instead of the zone.)
AC2: PASS — New York is on EST (UTC−5) until 10 March, so 14:00Z is 09:00.
AC3: UNTESTED — 5 March had no clock change.

Still to test: the days of the change (10 March in New York, 31 March in Berlin) and the days after, for both users.`,
    wrong: `
AC1: PASS — user 17 got the reminder in the morning.
AC2: PASS — user 42 got it at 14:00Z, which is 09:00 in New York.
AC3: UNTESTED — no clock change in the log.`,
  }),
];
