/**
 * Backlog grooming: a handful of backlog items with one duplicate pair, one item that must go
 * first (a security hole, a deadline) and one too vague to size. Rules check the lines the prompt
 * asks for — the duplicate pair, the first item; a judge checks the reasoning and the vague item.
 */
import type { EvalTask } from "../eval-task.js";
import { paragraphs } from "./task-text.js";

function backlogTask(task: {
  id: string;
  title: string;
  context: string;
  items: string[];
  duplicates: [number, number];
  first: number;
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  const [a, b] = task.duplicates;
  const others = task.items.map((_, index) => index + 1).filter((id) => id !== a && id !== b);
  const line = "^[\\W_]*DUPLICATES\\b[^\\n]*";
  return {
    id: task.id,
    kind: "backlog-grooming",
    title: task.title,
    prompt: paragraphs(
      `Groom this backlog. ${task.context}`,
      task.items.map((item, index) => `#${index + 1} ${item}`).join("\n"),
      "Answer with: a line `DUPLICATES: #a = #b` for the items that duplicate each other (or `DUPLICATES: none`); a line `FIRST: #n` naming the item to do first; then every item with a size (S, M or L) and one line of reasoning, flagging any item too unclear to size and what is missing.",
    ),
    maxTokens: 1_000,
    check: {
      type: "text",
      rules: [
        {
          rule: "matches",
          pattern: `${line}#${a}\\b[^\\n]*#${b}\\b|${line}#${b}\\b[^\\n]*#${a}\\b`,
          flags: "im",
          message: `the DUPLICATES line does not pair #${a} and #${b}`,
        },
        {
          rule: "not-matches",
          pattern: `${line}#(?:${others.join("|")})\\b`,
          flags: "im",
          message: "the DUPLICATES line names an item that duplicates nothing",
        },
        { rule: "verdicts", expected: { FIRST: `#${task.first}` } },
      ],
      judge: { points: task.points },
    },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const BACKLOG_GROOMING_TASKS: readonly EvalTask[] = [
  backlogTask({
    id: "backlog-saas-billing",
    title: "a billing product's backlog",
    context: "We are a small SaaS team; next sprint starts Monday.",
    items: [
      "Add dark mode to the dashboard",
      "Export invoices as CSV",
      "Password reset links still work after they were used once (reported by a security researcher)",
      "Make the dashboard faster",
      "CSV export of invoices for our customers' accountants",
      "Upgrade from Node 20 before it reaches end of life in April 2026",
    ],
    duplicates: [2, 5],
    first: 3,
    points: [
      "#3 goes first because it is a security hole that was reported externally",
      "#4 is too unclear to size: which page, and what speed is the target",
      "#2 and #5 are the same CSV export and should be merged into one item",
      "#6 has a deadline (April 2026) and should be scheduled before it",
    ],
    reference: `
DUPLICATES: #2 = #5
FIRST: #3

- #3 — S. Reusable reset links are an account-takeover hole and a researcher has reported it; fix it now (invalidate on use).
- #2 + #5 — M. The same CSV export; merge into one item and write the columns down.
- #6 — M. Node 20 leaves support in April 2026: schedule it this quarter, not at the deadline.
- #1 — M. Nice to have, no urgency.
- #4 — cannot size: "faster" has no target. Which page is slow, how slow is it now (p95?), and what is good enough?`,
    wrong: `
DUPLICATES: none
FIRST: #1

- #1 — M. Users like dark mode.
- #2 — M. Accountants need it.
- #3 — S. Small fix.
- #4 — L. Performance work is always big.
- #5 — M. For accountants.
- #6 — L. Upgrades are risky.`,
  }),
  backlogTask({
    id: "backlog-mobile-app",
    title: "a mobile app's backlog",
    context:
      "A two-person mobile team; the app store requires the new privacy manifest by 1 May or new releases are rejected.",
    items: [
      "Add a privacy manifest to the iOS app (required by the App Store from 1 May)",
      "Redesign the onboarding",
      "Crash when rotating the phone on the checkout screen",
      "Improve the app",
      "Fix the checkout crash on device rotation",
      "Support Apple Pay",
    ],
    duplicates: [3, 5],
    first: 1,
    points: [
      "#1 goes first: without it releases are rejected from 1 May, which would also block the crash fix",
      "#3 and #5 are the same checkout rotation crash",
      "#4 'Improve the app' is too vague to size: what problem, for whom, measured how",
      "the checkout crash is high priority right after, since it loses sales",
    ],
    reference: `
DUPLICATES: #3 = #5
FIRST: #1

- #1 — S. A hard deadline: after 1 May no release ships without it, including any crash fix.
- #3 = #5 — S/M. Same crash; it costs sales at checkout, so it comes right after #1.
- #6 — M. Valuable, no deadline.
- #2 — L. A redesign needs research first.
- #4 — cannot size: "improve the app" names no problem. What should change, for whom, and how would we know it worked?`,
    wrong: `
DUPLICATES: #3 = #5
FIRST: #3

- #3/#5 — S. Crashes are the worst bugs.
- #1 — S. Paperwork.
- #2 — L. Big redesign.
- #4 — M. General improvements.
- #6 — M. Payments.`,
  }),
  backlogTask({
    id: "backlog-data-platform",
    title: "a data platform's backlog",
    context:
      "The data platform team; finance closes the quarter in three weeks and depends on the revenue pipeline.",
    items: [
      "Migrate the dashboards from Tableau to Metabase",
      "Revenue pipeline double-counts refunds since the 3 March schema change (finance reports are wrong)",
      "Add data quality checks",
      "Speed up the nightly jobs",
      "Refunds are counted twice in the revenue pipeline",
      "Document the customer table",
    ],
    duplicates: [2, 5],
    first: 2,
    points: [
      "#2/#5 first: finance's quarter close depends on correct revenue and the numbers are wrong now",
      "#2 and #5 are the same refund double-counting bug",
      "#3 and #4 are too vague: which checks on which tables; which jobs and what runtime target",
      "reported figures since 3 March need correcting, not only the pipeline",
    ],
    reference: `
DUPLICATES: #2 = #5
FIRST: #2

- #2 = #5 — M. Refunds double-counted since 3 March: finance closes the quarter in three weeks on wrong numbers. Fix the pipeline and restate the affected reports.
- #3 — cannot size as written: which tables, which checks? A refund/revenue reconciliation check would have caught #2 — start there.
- #4 — cannot size: which jobs, how long do they take now, and what is the target?
- #6 — S. Cheap, useful for onboarding.
- #1 — L. A migration with no deadline; after the quarter close.`,
    wrong: `
DUPLICATES: #2 = #5
FIRST: #1

- #1 — L. Tableau licences are expensive.
- #2/#5 — M. A bug.
- #3 — M. Good practice.
- #4 — M. Faster is better.
- #6 — S. Docs.`,
  }),
  backlogTask({
    id: "backlog-internal-tools",
    title: "an internal tools backlog",
    context: "Internal tools team. The VPN certificate used by every employee's client expires on Friday.",
    items: [
      "New icons for the admin panel",
      "Self-service password reset for the HR system",
      "Renew the VPN certificate (expires Friday)",
      "Make onboarding better",
      "Let employees reset their HR system password themselves",
      "Add SSO to the wiki",
    ],
    duplicates: [2, 5],
    first: 3,
    points: [
      "#3 first: if the certificate expires on Friday nobody can connect to the VPN",
      "#2 and #5 are the same self-service password reset",
      "#4 'make onboarding better' is too unclear to size: whose onboarding, what is wrong now",
      "suggests automating or monitoring certificate expiry so it does not recur",
    ],
    reference: `
DUPLICATES: #2 = #5
FIRST: #3

- #3 — S. Expires Friday: after that no employee can connect. Renew now, and add an expiry alert so this never depends on someone remembering.
- #2 = #5 — M. Same feature; saves the help desk the most tickets.
- #6 — M. SSO for the wiki.
- #1 — S. Cosmetic.
- #4 — unclear: onboarding of whom (new hires? contractors?), and what goes wrong today? Needs a problem statement before sizing.`,
    wrong: `
DUPLICATES: #2 = #5
FIRST: #3

- #3 — S. Renew it.
- #2/#5 — M.
- #6 — M.
- #1 — S.
- #4 — M. Onboarding improvements.`,
  }),
  backlogTask({
    id: "backlog-api-platform",
    title: "a public API's backlog",
    context:
      "Public API team. Our largest customer (40% of revenue) reports that webhook deliveries have been missing since yesterday's deploy.",
    items: [
      "GraphQL endpoint",
      "Webhook deliveries missing since yesterday's deploy (largest customer affected)",
      "Rate limit headers on every response",
      "Better developer experience",
      "Add X-RateLimit-Remaining and X-RateLimit-Reset headers to API responses",
      "SDK for Go",
    ],
    duplicates: [3, 5],
    first: 2,
    points: [
      "#2 first: an outage for the customer that brings 40% of revenue, started by yesterday's deploy (consider rolling it back)",
      "#3 and #5 are the same rate-limit headers",
      "#4 'better developer experience' is too vague to size",
      "missed webhooks may need to be redelivered once fixed",
    ],
    reference: `
DUPLICATES: #3 = #5
FIRST: #2

- #2 — S to start: missing webhooks for 40% of revenue since yesterday's deploy. Roll back or fix now, then redeliver the events that were missed.
- #3 = #5 — S. Same headers; cheap and clients need them.
- #6 — M. Go SDK.
- #1 — L. GraphQL is a product decision, not a ticket.
- #4 — unclear: which part of the developer experience, measured how? Split into concrete items.`,
    wrong: `
DUPLICATES: #1 = #4
FIRST: #2

- #2 — M. Webhook bug.
- #1/#4 — L.
- #3 — S.
- #5 — S.
- #6 — M.`,
  }),
  backlogTask({
    id: "backlog-ecommerce",
    title: "a web shop's backlog",
    context:
      "E-commerce team, four weeks before Black Friday. The payment provider switches off its v1 API on 1 November.",
    items: [
      "Move checkout to the payment provider's v2 API (v1 is switched off on 1 November)",
      "Wishlist feature",
      "Product pages load slowly on mobile",
      "Add product reviews",
      "Let customers save products to a wishlist",
      "Refresh the homepage banner",
    ],
    duplicates: [2, 5],
    first: 1,
    points: [
      "#1 first: without it checkout stops working on 1 November, before Black Friday",
      "#2 and #5 are the same wishlist feature",
      "#3 is too vague to size without numbers: which pages, how slow, target",
      "mentions a freeze or limited risky changes close to Black Friday",
    ],
    reference: `
DUPLICATES: #2 = #5
FIRST: #1

- #1 — L. The provider switches v1 off on 1 November: no checkout, and Black Friday follows. Start now, leave time to test.
- #3 — unclear as written: measure first (which pages, current mobile LCP, target), then size; likely worth doing before Black Friday traffic.
- #2 = #5 — M. One wishlist item; after the peak.
- #4 — M. Reviews; after the peak.
- #6 — S. Marketing will want it for Black Friday, but keep risky changes frozen in the last week.`,
    wrong: `
DUPLICATES: #2 = #5
FIRST: #6

- #6 — S. Black Friday banner.
- #1 — M. API change.
- #2/#5 — M.
- #3 — M.
- #4 — M.`,
  }),
];
