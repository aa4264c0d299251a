/**
 * Decision gates: criteria, and the evidence gathered against them; the answer goes through each
 * criterion and makes the call. The right call is fixed by the evidence (one criterion quietly
 * unmet, or all met with a distracting non-criterion), so a rule checks the DECISION line and a
 * judge the reasoning.
 */
import type { EvalTask } from "../eval-task.js";
import { paragraphs } from "./task-text.js";

function gateTask(task: {
  id: string;
  title: string;
  question: string;
  criteria: string[];
  evidence: string[];
  decision: "GO" | "NO-GO";
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "decision-gate",
    title: task.title,
    prompt: paragraphs(
      task.question,
      `Criteria (all must hold):\n${task.criteria.map((line, index) => `${index + 1}. ${line}`).join("\n")}`,
      `Evidence:\n${task.evidence.map((line) => `- ${line}`).join("\n")}`,
      "Go through each criterion against the evidence, then end with a line `DECISION: GO` or `DECISION: NO-GO`, and what would change the decision.",
    ),
    maxTokens: 900,
    check: {
      type: "text",
      rules: [{ rule: "verdicts", expected: { DECISION: task.decision } }],
      judge: { points: task.points },
    },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const DECISION_GATE_TASKS: readonly EvalTask[] = [
  gateTask({
    id: "gate-release-migration",
    title: "release with an untested migration",
    question: "Should release 4.2 ship on Thursday?",
    criteria: [
      "No open P1 bugs.",
      "Error rate in staging below 0.5% over the last 24 hours.",
      "The database migration has been run on a copy of production data.",
    ],
    evidence: [
      "Bug tracker: 0 open P1, 1 open P2 (a tooltip typo).",
      "Staging error rate over the last 24 hours: 0.3%.",
      "The migration ran on staging, which holds synthetic data (2% of production's size).",
    ],
    decision: "NO-GO",
    points: [
      "criterion 3 is not met: staging's synthetic data is not a copy of production",
      "criteria 1 and 2 are met (the P2 does not block)",
      "what changes it: run the migration on a production copy (size and duration matter)",
    ],
    reference: `
1. No open P1 bugs — met: 0 P1; the P2 typo does not count.
2. Staging error rate < 0.5% — met: 0.3%.
3. Migration run on a copy of production — **not met**: staging holds synthetic data at 2% of production's size, so neither the data shapes nor the run time have been tested.

DECISION: NO-GO

It becomes GO once the migration has run cleanly on a restored copy of production, with its duration measured against the release window.`,
    wrong: `
1. No P1 bugs: met.
2. Error rate: 0.3%, met.
3. Migration: it ran successfully on staging, met.

DECISION: GO`,
  }),
  gateTask({
    id: "gate-launch-ready",
    title: "launch with a known cosmetic issue",
    question: "Should the new onboarding flow launch to all users on Monday?",
    criteria: [
      "Conversion in the 10% experiment is not lower than the old flow's.",
      "No open accessibility blockers.",
      "Support has the help articles for the new flow.",
    ],
    evidence: [
      "Experiment over 3 weeks: conversion 31.8% (new) vs 30.9% (old), 40,000 users per arm.",
      "Accessibility audit: 0 blockers, 2 minor issues scheduled.",
      "Support confirmed the three help articles are published.",
      "Design notes that one illustration is slightly blurry on very large screens.",
    ],
    decision: "GO",
    points: [
      "every criterion is met: conversion not lower (31.8% vs 30.9%), no accessibility blockers, help articles published",
      "the blurry illustration is not a criterion and does not block",
    ],
    reference: `
1. Conversion not lower — met: 31.8% vs 30.9% over 3 weeks with 40,000 users per arm.
2. No accessibility blockers — met: 0 blockers; the 2 minor issues are scheduled.
3. Help articles — met: support confirmed all three are published.

The blurry illustration is cosmetic and not a launch criterion; fix it after launch.

DECISION: GO

It would change if conversion in the full rollout dropped below the old flow's; keep the old flow available for a quick switch back during the first week.`,
    wrong: `
1. Conversion is better — met.
2. Accessibility — met.
3. Help articles — met.

However, the illustration is blurry, which hurts the first impression. We should not launch until design fixes it.

DECISION: NO-GO`,
  }),
  gateTask({
    id: "gate-vendor-eu-residency",
    title: "signing with an analytics vendor",
    question: "Should we sign the contract with the analytics vendor this month?",
    criteria: [
      "The vendor has a SOC 2 Type II report.",
      "Customer data is stored in the EU.",
      "It costs under $2,000 per month.",
      "It supports single sign-on.",
    ],
    evidence: [
      "SOC 2 Type II report from last year, received.",
      "Data is stored in US-East; EU storage is 'on the roadmap for Q3'.",
      "Quote: $1,800 per month.",
      "SSO via SAML included.",
    ],
    decision: "NO-GO",
    points: [
      "EU data storage is not met: data is in US-East, and a roadmap promise is not evidence",
      "SOC 2, price ($1,800) and SSO are met",
      "what changes it: EU storage available (or contractually committed with a date and exit clause)",
    ],
    reference: `
1. SOC 2 Type II — met (report received).
2. Data stored in the EU — **not met**: today it is in US-East; "Q3 roadmap" is a plan, not evidence.
3. Under $2,000/month — met: $1,800.
4. SSO — met (SAML).

DECISION: NO-GO

It becomes GO when EU storage is live, or if the contract commits to EU residency by a date, with the right to terminate if it slips and no customer data sent before then.`,
    wrong: `
The vendor meets security (SOC 2), price and SSO. EU storage is coming in Q3, which is soon enough.

DECISION: GO`,
  }),
  gateTask({
    id: "gate-canary-promote",
    title: "promoting a canary",
    question: "The canary of build 918 has run at 5% of traffic for 2 hours. Promote it to 100%?",
    criteria: [
      "p99 latency within 10% of the baseline.",
      "Error rate no more than 0.1 percentage points above the baseline.",
      "No new alerts fired during the canary.",
    ],
    evidence: [
      "p99 latency: 412 ms canary vs 389 ms baseline.",
      "Error rate: 0.42% canary vs 0.40% baseline.",
      "No alerts fired.",
    ],
    decision: "GO",
    points: [
      "p99 is 412 vs 389 ms, about +5.9%, within 10%",
      "error rate is +0.02 points, within 0.1",
      "no alerts: all criteria met",
    ],
    reference: `
1. p99 latency within 10% — met: 412 / 389 = +5.9%.
2. Error rate within +0.1 pp — met: 0.42% vs 0.40% is +0.02 pp.
3. No new alerts — met.

DECISION: GO

A rise in latency toward the 10% limit as traffic grows would change it: watch p99 during the rollout and halt above +10%.`,
    wrong: `
1. Latency is higher on the canary (412 vs 389 ms): a regression.
2. Errors are higher too (0.42% vs 0.40%).

Both metrics got worse, so we should not promote.

DECISION: NO-GO`,
  }),
  gateTask({
    id: "gate-api-v1-removal",
    title: "removing API v1",
    question: "Can we switch off API v1 next week?",
    criteria: [
      "Less than 1% of API traffic used v1 over the last 30 days.",
      "All of the top 10 customers by revenue have migrated to v2.",
      "A deprecation notice was sent at least 90 days ago.",
    ],
    evidence: [
      "v1 share of traffic over the last 30 days: 0.6%.",
      "9 of the top 10 customers are on v2; the 10th has its migration scheduled for next month.",
      "The deprecation notice went out 120 days ago.",
    ],
    decision: "NO-GO",
    points: [
      "not all top-10 customers have migrated: one is still on v1 until next month",
      "traffic share (0.6%) and notice (120 days) are met",
      "what changes it: wait until the 10th customer migrates (or agree an exception for them)",
    ],
    reference: `
1. v1 under 1% of traffic — met: 0.6%.
2. All top-10 customers on v2 — **not met**: one still uses v1 and migrates next month.
3. Notice ≥ 90 days ago — met: 120 days.

DECISION: NO-GO

It becomes GO once the tenth customer is on v2; switch off after their migration, not before.`,
    wrong: `
v1 traffic is down to 0.6%, the notice went out long ago, and almost all top customers have migrated. Good enough.

DECISION: GO`,
  }),
  gateTask({
    id: "gate-freeze-exception",
    title: "a merge during the code freeze",
    question: "May this fix be merged during the release code freeze?",
    criteria: [
      "It fixes a P1 bug.",
      "It includes a test that fails without the fix.",
      "Two engineers have approved it.",
      "It has a rollback plan.",
    ],
    evidence: [
      "It fixes P1-311: card payments fail for cards issued in Brazil.",
      "A unit test reproduces the failure and passes with the fix.",
      "One approval (Ana); the second reviewer (Ben) is on holiday until next week.",
      "Rollback: revert the single commit.",
    ],
    decision: "NO-GO",
    points: [
      "only one of two required approvals: criterion 3 is not met",
      "the other criteria are met (P1, reproducing test, rollback by revert)",
      "what changes it: a second engineer (not necessarily Ben) approves",
    ],
    reference: `
1. Fixes a P1 — met: P1-311, Brazilian cards.
2. Test that fails without the fix — met.
3. Two approvals — **not met**: one (Ana); Ben is away.
4. Rollback plan — met: revert one commit.

DECISION: NO-GO

It becomes GO as soon as a second engineer reviews and approves it — it does not have to wait for Ben. Given it is a P1 on payments, find that reviewer today.`,
    wrong: `
It fixes a P1 on payments, has a test and a rollback plan. One approval is enough given the urgency.

DECISION: GO`,
  }),
];
