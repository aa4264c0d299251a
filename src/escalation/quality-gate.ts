/**
 * The contract every quality gate meets: it reads one collected answer (and the request it
 * answers) and returns findings; an answer passes when no gate found a defect. Gates are run
 * cheapest first and stop at the first failure, because a structural defect makes the expensive
 * checks pointless. The outcome is what the ledger's `gateVerdict` / `gateDetail` columns hold.
 */

import type { RouteStep } from "../config/alias-steps.js";
import type { AttemptThrottle } from "../dispatch/attempt-dispatcher.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatRequest, ChatResult } from "../protocol/chat-types.js";
import type { Route } from "../routing/task-router.js";

export type GateName = "structural" | "executable" | "judge";

/** One defect (or, for skipped and inconclusive gates, one remark) a gate reports. */
export interface GateFinding {
  gate: GateName;
  /** Which check: "empty", "length", "refusal", "repetition", "json", "json-schema", "tool-call", … */
  check: string;
  /** One sentence a stronger model (and a person reading the ledger) can act on. */
  message: string;
  /** Command output or judge reasons, truncated. */
  output?: string;
}

/** What a judge said, kept for the ledger and calibration. */
export interface JudgeScore {
  alias: string;
  score: number;
  threshold: number;
  reasons: string[];
  /** The judge call's own ledger id. */
  requestId: string;
}

export interface GateOutcome {
  verdict: "pass" | "fail";
  /** Gates that ran to a conclusion, in order. */
  gatesRun: GateName[];
  /** Defects when the verdict is fail; remarks (skipped, inconclusive) otherwise. */
  findings: GateFinding[];
  judge?: JudgeScore;
  durationMs: number;
}

/** Everything a gate may look at. */
export interface GateInput {
  /** The caller's request as it arrived (without any escalation feedback). */
  request: ChatRequest;
  result: ChatResult;
  /** The route of this attempt; its ladder starts at the rung that was asked. */
  route: Route;
  /** The rung that answered. */
  step: RouteStep;
  /** This attempt's ledger id, the first attempt's id, and the attempt number. */
  attemptId: string;
  chainId: string;
  attempt: number;
  /** Commands the caller named (x-switchyard-check), run after the configured ones. */
  checkCommands: readonly string[];
  signal: CancelSignal;
  /** The caller's throttle, which a judge's grading call waits for on the judge's own rung. */
  throttle?: AttemptThrottle | undefined;
}

/** A gate's own answer: defects found (empty: passed), or undefined when it did not apply. */
export interface GateCheck {
  failed: GateFinding[];
  remarks?: GateFinding[];
  judge?: JudgeScore;
}

/** The ledger's `gateDetail`: compact JSON that calibration and people can read. */
export function gateDetailJson(outcome: GateOutcome): string {
  return JSON.stringify({
    gates: outcome.gatesRun,
    findings: outcome.findings.map((finding) => ({
      gate: finding.gate,
      check: finding.check,
      message: finding.message.slice(0, 500),
    })),
    ...(outcome.judge
      ? {
          judge: {
            alias: outcome.judge.alias,
            score: outcome.judge.score,
            threshold: outcome.judge.threshold,
            requestId: outcome.judge.requestId,
          },
        }
      : {}),
    ms: Math.round(outcome.durationMs),
  });
}

/** How good a failed answer still is, so the best of several can be returned: higher is better. */
export function outcomeRank(outcome: GateOutcome | undefined): number {
  if (!outcome || outcome.verdict === "pass") return 100;
  if (outcome.judge) return 20 + outcome.judge.score;
  const gates = new Set(outcome.findings.map((finding) => finding.gate));
  if (gates.has("judge")) return 20;
  if (gates.has("executable")) return 10;
  // A cut-off or malformed answer still holds some of the work; an empty one or a refusal none.
  const hollow = outcome.findings.some((finding) => HOLLOW_CHECKS.has(finding.check));
  return hollow ? 0 : 5;
}

const HOLLOW_CHECKS: ReadonlySet<string> = new Set(["empty", "refusal", "content-filter"]);
