/**
 * Gap analysis: requirements beside a description of what exists; the answer lists the gaps with
 * impact and remedy. Each task plants specific gaps (some subtle: a 7-day token against a 30-minute
 * idle timeout) that a judge checks for; nothing here is decidable by a pattern.
 */
import type { EvalTask } from "../eval-task.js";
import { paragraphs } from "./task-text.js";

function gapTask(task: {
  id: string;
  title: string;
  requirements: string[];
  current: string[];
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "gap-analysis",
    title: task.title,
    prompt: paragraphs(
      "Compare the requirements with what is implemented today. List every gap, each with its impact and a concrete remedy; do not list requirements that are met.",
      `Requirements:\n${task.requirements.map((line) => `- ${line}`).join("\n")}`,
      `Implemented today:\n${task.current.map((line) => `- ${line}`).join("\n")}`,
    ),
    maxTokens: 1_200,
    check: { type: "text", judge: { points: task.points } },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const GAP_ANALYSIS_TASKS: readonly EvalTask[] = [
  gapTask({
    id: "gaps-login-security",
    title: "login security requirements",
    requirements: [
      "Accounts are locked for 15 minutes after 5 failed login attempts.",
      "Passwords have at least 12 characters.",
      "Sessions end after 30 minutes without activity.",
      "Every login, successful or failed, is logged with time and IP.",
    ],
    current: [
      "Passwords must have at least 8 characters.",
      "After login the client gets a JWT valid for 7 days; there is no refresh and no server-side session.",
      "Failed logins are logged with time and IP.",
      "Login requests are not rate-limited.",
    ],
    points: [
      "no lockout or rate limit after failed attempts (brute force possible)",
      "the password minimum is 8, not 12",
      "a 7-day JWT cannot end after 30 minutes of inactivity: needs short-lived tokens with refresh, or server-side sessions",
      "successful logins are not logged",
    ],
    reference: `
1. **No lockout.** Nothing stops password guessing. Impact: brute-force and credential stuffing. Remedy: count failures per account (and per IP), lock for 15 minutes after 5.
2. **Password minimum 8, not 12.** Impact: weaker passwords. Remedy: enforce 12 at sign-up and on change; prompt existing users at next login.
3. **Sessions cannot idle out.** A stateless 7-day JWT stays valid however long the user is inactive. Impact: a stolen token works for a week. Remedy: short-lived access tokens (e.g. 15 min) plus a refresh token that expires after 30 minutes idle, or server-side sessions with an idle timeout.
4. **Successful logins are not logged.** Impact: no trail of who got in. Remedy: log successes with time and IP as failures are.`,
    wrong: `
1. Passwords should be 12 characters instead of 8: update the validation.
2. Add rate limiting to the login endpoint.
3. Logging looks fine.`,
  }),
  gapTask({
    id: "gaps-backups",
    title: "backup requirements",
    requirements: [
      "The database is backed up daily and backups are kept for 30 days.",
      "A copy of every backup is kept off-site, in another region.",
      "A restore is tested every quarter; restoring takes at most 4 hours.",
    ],
    current: [
      "A nightly cron job runs pg_dump to /var/backups on the database server itself.",
      "Dumps older than 7 days are deleted.",
      "Nobody has restored a dump so far.",
    ],
    points: [
      "backups sit on the same server: losing the server loses the backups (no off-site copy)",
      "retention is 7 days, not 30",
      "restores are never tested, so whether they work and the 4-hour restore time are unknown",
      "remedies: copy to object storage in another region, extend retention, schedule and time a quarterly restore drill",
    ],
    reference: `
- **Backups live on the database server.** A disk failure, ransomware or a lost server takes the database and its backups together. Remedy: copy each dump to object storage in another region (with versioning / object lock).
- **Retention is 7 days, not 30.** A problem noticed after a week cannot be rolled back. Remedy: keep 30 days (e.g. lifecycle rules on the bucket).
- **Restores are untested.** Nobody knows whether the dumps restore, or how long it takes — the 4-hour target is unverified. Remedy: a quarterly restore drill into a scratch instance, timed and written down.`,
    wrong: `
- Backups should be kept for 30 days instead of 7.
- Consider compressing the dumps to save space.`,
  }),
  gapTask({
    id: "gaps-public-api",
    title: "public API guidelines",
    requirements: [
      "The API is versioned in the path (/v1/...).",
      "Clients over their rate limit get 429 with a Retry-After header.",
      "Errors are JSON with a machine-readable code.",
      "The published OpenAPI spec matches the deployed API.",
    ],
    current: [
      "Routes live under /api/... with no version.",
      "Over the rate limit the API answers 503 without headers.",
      "Validation errors are JSON; unhandled errors return the framework's HTML error page.",
      "The OpenAPI spec was last updated two releases ago.",
    ],
    points: [
      "no version in the path: breaking changes cannot be introduced safely",
      "503 instead of 429 with Retry-After: clients cannot tell throttling from an outage or when to retry",
      "unhandled errors return HTML, not JSON with a code",
      "the OpenAPI spec is two releases stale; it should be generated or checked in CI",
    ],
    reference: `
1. **No versioning.** /api/... has no version, so any breaking change breaks every client. Remedy: serve /v1/... (keep /api as an alias during migration).
2. **Wrong rate-limit response.** 503 without Retry-After looks like an outage and gives no retry time. Remedy: 429 with Retry-After (and rate-limit headers).
3. **HTML errors.** Unhandled errors return the framework's HTML page. Remedy: a global error handler that returns JSON with a code for every error.
4. **Stale spec.** The OpenAPI document is two releases behind. Remedy: generate it from the code or validate responses against it in CI.`,
    wrong: `
1. Rate limiting exists, good.
2. Update the OpenAPI spec.
3. Consider adding GraphQL.`,
  }),
  gapTask({
    id: "gaps-privacy",
    title: "privacy requirements",
    requirements: [
      "Users can export all their personal data.",
      "Account deletion is completed within 30 days of the request.",
      "Consent to marketing email is opt-in and recorded with a timestamp.",
      "Application logs with personal data are kept at most 90 days.",
    ],
    current: [
      "The export contains the user's profile but not their orders or support tickets.",
      "Deletion happens when a support agent processes a ticket by hand; there is no deadline.",
      "The marketing checkbox on sign-up is ticked by default; no timestamp is stored.",
      "Logs are kept indefinitely.",
    ],
    points: [
      "the export misses orders and support tickets",
      "manual deletion with no deadline or tracking can miss the 30 days",
      "a pre-ticked box is not opt-in consent, and consent is not recorded with a timestamp",
      "logs are kept forever instead of at most 90 days",
    ],
    reference: `
- **Incomplete export:** orders and support tickets are missing. Remedy: include every table holding the user's data.
- **Deletion has no deadline:** a manual ticket can sit for months. Remedy: a tracked deletion job (or an SLA with a 30-day alarm).
- **Consent is not opt-in:** a pre-ticked checkbox is not valid consent, and without a timestamp it cannot be proven. Remedy: unticked by default; store consent with time and the text shown.
- **Logs kept forever:** breaks the 90-day limit. Remedy: log retention of 90 days, or strip personal data from logs.`,
    wrong: `
- The export exists.
- Deletion is handled by support.
- Add a privacy policy page.`,
  }),
  gapTask({
    id: "gaps-accessibility",
    title: "accessibility of a checkout",
    requirements: ["The checkout meets WCAG 2.1 AA."],
    current: [
      "Button text has a contrast ratio of 3:1 against its background.",
      "Form errors are shown by turning the field's border red.",
      "The card number, expiry and CVC fields use placeholders and have no labels.",
      "Keyboard focus cannot leave the date picker once it is open.",
    ],
    points: [
      "3:1 is below the 4.5:1 contrast needed for normal-size text",
      "errors shown only by colour: need text and an announcement to screen readers",
      "fields need real labels; placeholders disappear and are not reliable labels",
      "the date picker is a keyboard trap, which fails WCAG outright",
    ],
    reference: `
1. **Contrast:** 3:1 fails AA for normal text (needs 4.5:1). Remedy: darken the buttons.
2. **Errors by colour only:** colour-blind and screen-reader users miss them. Remedy: an error message in text next to the field, linked with aria-describedby and announced.
3. **No labels:** placeholders vanish as you type and are not labels. Remedy: visible <label> elements for card number, expiry and CVC.
4. **Keyboard trap:** focus cannot leave the date picker — a blocker for keyboard users. Remedy: close on Escape and let Tab move on.`,
    wrong: `
1. Increase the contrast of the buttons.
2. Otherwise the checkout looks fine.`,
  }),
  gapTask({
    id: "gaps-observability",
    title: "observability requirements",
    requirements: [
      "On-call knows within 5 minutes when the checkout error rate exceeds 1%.",
      "Slow requests can be traced across services.",
      "Logs are searchable for 14 days.",
      "Alerts page the on-call engineer.",
    ],
    current: [
      "Each server writes logs to local files, rotated daily and kept 3 days.",
      "There are no metrics on request errors.",
      "Alerts are emails to a shared inbox.",
      "There is no tracing.",
    ],
    points: [
      "no error-rate metric, so nothing can detect a 1% checkout error rate in 5 minutes",
      "no distributed tracing for slow requests",
      "logs are local to each server and kept 3 days: not centrally searchable, not 14 days",
      "email to a shared inbox does not page anyone",
    ],
    reference: `
- **No error metrics:** nothing measures the checkout error rate, so the 5-minute detection is impossible. Remedy: export request/error counters (e.g. Prometheus) and alert on error rate > 1% over 5 minutes.
- **No tracing:** slow requests cannot be followed across services. Remedy: OpenTelemetry tracing with a trace id propagated between services.
- **Logs:** local files for 3 days are neither searchable in one place nor kept 14 days. Remedy: ship logs to a central store with 14-day retention.
- **Alerts do not page:** an email to a shared inbox wakes nobody. Remedy: route alerts to a pager (PagerDuty/Opsgenie) with an on-call rotation.`,
    wrong: `
- Keep logs for 14 days instead of 3.
- Add tracing.`,
  }),
];
