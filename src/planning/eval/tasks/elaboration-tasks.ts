/**
 * Elaboration: a one-line idea and its context, to be expanded into a short spec under four
 * headings. Rules check the headings; a judge checks that the spec faces what the context implies
 * — the conflicts, limits and failure cases a careful engineer would raise.
 */
import type { EvalTask, TextRule } from "../eval-task.js";
import { paragraphs } from "./task-text.js";

const HEADINGS: readonly TextRule[] = ["Goals", "Non-goals", "Assumptions", "Open questions"].map(
  (heading) => ({
    rule: "matches" as const,
    pattern: `^[#*_\\s]*${heading.replace(" ", "\\s+")}\\b`,
    flags: "im",
    message: `there is no "${heading}" heading`,
  }),
);

function elaborationTask(task: {
  id: string;
  title: string;
  idea: string;
  context: string;
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "elaboration",
    title: task.title,
    prompt: paragraphs(
      `Elaborate this idea into a one-page spec under the headings Goals, Non-goals, Assumptions and Open questions. Idea: ${task.idea}`,
      `Context: ${task.context}`,
    ),
    maxTokens: 1_200,
    check: { type: "text", rules: HEADINGS, judge: { points: task.points } },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const ELABORATION_TASKS: readonly EvalTask[] = [
  elaborationTask({
    id: "elaborate-offline-mode",
    title: "offline mode for a field-service app",
    idea: "offline mode for the field-service mobile app.",
    context:
      "technicians lose signal in basements and plant rooms; they fill in job reports with photos; office staff edit the same reports from the web; the back end is a REST API.",
    points: [
      "changes are queued on the device and synced when the connection returns",
      "conflicts when a technician and office staff edit the same report offline and online: a rule or an open question",
      "photos are large: storage on the device and upload in the background or on Wi-Fi",
      "what does not work offline (e.g. new job assignments, search) is stated",
    ],
    reference: `
## Goals
- A technician can open assigned jobs, fill in the report and attach photos with no signal.
- Changes are queued on the device and synced automatically when the connection returns, with a visible "n changes waiting" indicator.

## Non-goals
- Receiving new job assignments or searching all jobs while offline.
- Offline use of the web app by office staff.

## Assumptions
- Jobs are downloaded to the device when assigned, while online.
- Photos are compressed on the device and uploaded in the background, preferring Wi-Fi; the device keeps them until the upload is confirmed.

## Open questions
- Conflicts: if office staff edit a report while the technician edits it offline, whose change wins? Field-level merge, last-write-wins, or flag for review?
- How much device storage may queued photos use before we warn the technician?
- Does the REST API need idempotency keys so a retried sync does not create duplicate reports?`,
    wrong: `
## Goals
- The app works without internet.

## Non-goals
- None.

## Assumptions
- Technicians will reconnect eventually.

## Open questions
- Which framework should we use for local storage?`,
  }),
  elaborationTask({
    id: "elaborate-audit-log",
    title: "an audit log of admin actions",
    idea: "an audit log of admin actions.",
    context:
      "a SOC 2 audit is six months away; admins can change roles, delete users and change billing details.",
    points: [
      "each entry records who, what action, on what, when, and the before and after values",
      "the log is append-only or tamper-evident: admins cannot edit or delete entries",
      "a retention period is defined (e.g. at least a year for the audit)",
      "access to the log is itself restricted, and auditors can export it",
    ],
    reference: `
## Goals
- Record every admin action (role changes, user deletion, billing changes) with actor, action, target, timestamp, source IP, and the before/after values.
- Make the log append-only and tamper-evident (hash-chained entries, or write-once storage) — not even admins can edit or delete entries.
- Let auditors filter and export the log (CSV) for the SOC 2 audit.

## Non-goals
- Logging every read by ordinary users.
- A SIEM integration in the first version.

## Assumptions
- Retention: at least 12 months, which covers the audit period.
- Reading the audit log is restricted to a separate "auditor" permission, and those reads are logged too.

## Open questions
- Where is it stored so that a compromised app database cannot rewrite it?
- Do deleted users' names stay in old entries (a GDPR question)?`,
    wrong: `
## Goals
- Log admin actions to the application log.

## Non-goals
- Anything complicated.

## Assumptions
- Admins are trusted.

## Open questions
- What format should the log lines have?`,
  }),
  elaborationTask({
    id: "elaborate-feature-flags",
    title: "feature flags",
    idea: "feature flags for the web app.",
    context:
      "three squads deploy daily; they want to roll features out to a percentage of users and switch a feature off quickly when it misbehaves.",
    points: [
      "percentage rollouts are stable per user (hashing the user id), so a user does not flip between variants",
      "a kill switch turns a feature off within seconds without a deploy",
      "flags have owners and an expiry or cleanup process so old flags do not pile up",
      "a full experimentation/A-B analysis platform is a non-goal (or an open question)",
    ],
    reference: `
## Goals
- Roll a feature out to a percentage of users, stable per user: bucket by a hash of the user id, so nobody flips between on and off.
- A kill switch: turning a flag off takes effect within seconds, without a deploy.
- Every flag has an owner and an expiry date; expired flags show up in a weekly cleanup list.

## Non-goals
- A full experimentation platform with statistical analysis of A/B tests.
- Per-request targeting rules beyond user id, team and percentage.

## Assumptions
- Flags are evaluated on the server and the results sent to the client, so no flag rules leak.
- The flag service being down means defaults apply (fail closed for new features).

## Open questions
- Build or buy (Unleash, LaunchDarkly)?
- Who may change a flag in production, and is that change audited?`,
    wrong: `
## Goals
- Add a config file with true/false values for features.

## Non-goals
- None.

## Assumptions
- Developers will remove old flags.

## Open questions
- What should the config file be called?`,
  }),
  elaborationTask({
    id: "elaborate-contact-import",
    title: "CSV import of contacts",
    idea: "CSV import of contacts.",
    context:
      "new customers migrate from other CRMs; their files have up to 50,000 rows, exported from Excel; many contacts already exist in our system under the same email.",
    points: [
      "columns are mapped by the user to our fields (other CRMs name them differently)",
      "duplicates by email: a stated rule (update, skip, or ask)",
      "invalid rows are reported (a downloadable error report) without failing the whole import",
      "large files are processed in the background; encoding from Excel (UTF-8, BOM, Windows-1252) is handled",
    ],
    reference: `
## Goals
- Import up to 50,000 contacts from a CSV, processed in the background with progress and an email when done.
- A mapping step: the user maps their columns to our fields (we suggest matches by name).
- Existing contacts with the same email are updated (empty cells never overwrite data); the user can choose "skip" instead.
- Invalid rows (bad email, missing required field) are skipped and listed in a downloadable error report; the rest import.

## Non-goals
- Importing deals, notes or attachments from other CRMs.

## Assumptions
- Files come from Excel: accept UTF-8 with or without a BOM, and detect Windows-1252.

## Open questions
- Can an import be undone?
- Should duplicates within the file itself be merged?`,
    wrong: `
## Goals
- Upload a CSV and create a contact for each row.

## Non-goals
- Validation.

## Assumptions
- Files are well-formed.

## Open questions
- Maximum file size?`,
  }),
  elaborationTask({
    id: "elaborate-webhook-retries",
    title: "retries for outgoing webhooks",
    idea: "retries for outgoing webhooks.",
    context:
      "today webhooks are sent once, fire-and-forget; customers' endpoints are sometimes down for minutes or hours, and customers complain about lost events.",
    points: [
      "failed deliveries are retried with exponential backoff up to a maximum number of attempts or hours",
      "each event has a stable id so receivers can ignore duplicates (at-least-once delivery)",
      "an endpoint that keeps failing is disabled and its owner notified",
      "customers can see a delivery log and redeliver events by hand",
    ],
    reference: `
## Goals
- Retry failed deliveries (timeouts, 5xx, 429) with exponential backoff and jitter: after 1 min, 5 min, 30 min, then hourly, for up to 24 hours.
- Delivery is at-least-once: each event carries a stable event id so receivers can drop duplicates.
- After 24 hours of failures the endpoint is disabled and its owner emailed.
- A delivery log per endpoint (status, response code, attempts) with a "redeliver" button.

## Non-goals
- Ordering guarantees between events.

## Assumptions
- A 4xx other than 429 is not retried: the receiver rejected the event.

## Open questions
- How long do we keep delivery logs?
- Do we sign payloads (HMAC) so retries can be verified too?`,
    wrong: `
## Goals
- If a webhook fails, send it again immediately up to 3 times.

## Non-goals
- Logging.

## Assumptions
- Endpoints are usually up.

## Open questions
- None.`,
  }),
  elaborationTask({
    id: "elaborate-multi-currency",
    title: "prices in several currencies",
    idea: "prices in several currencies.",
    context:
      "a web shop selling in EUR is expanding to the UK and the US; marketing wants prices like £19.99 and $24.99, not converted odd amounts.",
    points: [
      "per-currency price lists (set by hand) rather than live conversion, given marketing's rounded prices",
      "the currency is fixed for a cart/order, and refunds go back in the order's currency",
      "taxes differ: UK VAT included in prices, US sales tax added at checkout by state",
      "how the currency is chosen (location, with a switcher) is addressed",
    ],
    reference: `
## Goals
- Sell in EUR, GBP and USD with a price list per currency, set by hand (marketing wants £19.99 and $24.99, not converted amounts).
- The currency is fixed when the cart is created and kept on the order; refunds are paid in the order's currency.
- Taxes per market: UK prices include VAT; US prices exclude sales tax, which is added at checkout based on the state.

## Non-goals
- Live exchange-rate conversion.
- More currencies in this phase.

## Assumptions
- The currency is chosen from the visitor's location, with a switcher in the header.
- Payment provider supports settlement in all three currencies.

## Open questions
- What happens to a product without a GBP or USD price: hidden or converted?
- Reporting: in which currency does finance see revenue?`,
    wrong: `
## Goals
- Convert EUR prices to GBP and USD using the daily exchange rate.

## Non-goals
- Taxes.

## Assumptions
- Exchange rates are available from an API.

## Open questions
- Which exchange rate API?`,
  }),
];
