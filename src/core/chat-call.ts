/**
 * The seam between every front door and the spine: what a door tells `Switchyard.chat` about its
 * caller, and what it gets back — the plan at once, then the answer (its events, the rung that
 * answered, and, when the answer was gated before it was returned, what the gates and the ladder
 * did). Doors parse, authenticate and render; everything between is the spine's.
 */
import type { RouteStep } from "../config/alias-steps.js";
import type { Downgrade } from "../dispatch/attempt.js";
import type { AttemptThrottle } from "../dispatch/attempt-dispatcher.js";
import type { StopReason } from "../escalation/escalation-loop.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent, ChatResult } from "../protocol/chat-types.js";
import type { Route } from "../routing/task-router.js";
import type { FallbackHop } from "../store/ledger-store.js";

export interface ChatCaller {
  /** Which door: "openai", "anthropic", "cli", "mcp", "workflow", …: recorded in the ledger. */
  frontDoor: string;
  /** Aborted when the caller goes away; the upstream request is aborted with it. */
  signal: CancelSignal;
  /** performance.now() when the request arrived, for latency and time to first token; default now. */
  arrivedAt?: number | undefined;
  /** Who is asking (OpenAI `user`, Anthropic `metadata.user_id`): recorded, never sent on. */
  caller?: string | undefined;
  /** The task the caller named (`x-switchyard-task`, `ask --task`), when it named one. */
  taskHint?: string | undefined;
  /** The caller asked for an error rather than a cheaper model at a budget cap. */
  forbidDowngrade?: boolean | undefined;
  /** Extra upstream headers for a given concrete model (anthropic-beta for Anthropic models). */
  forwardHeaders?: ((model: string) => Record<string, string> | undefined) | undefined;
  /**
   * Check commands the caller named (`x-switchyard-check`) for the executable gate. They run on
   * the Brain, so the spine refuses them unless `escalation.allow_check_header` is on.
   */
  checkCommands?: readonly string[] | undefined;
  /**
   * MCP tools the model may call (`git.*,fs.read`-style patterns, `x-switchyard-tools`): the spine
   * then runs the agent tool loop and answers with the model's last turn. Without them, the task's
   * defaults under `tools.tasks` apply.
   */
  tools?: readonly string[] | undefined;
  /**
   * Answer on the plan's first rung alone: no fallback up the ladder when it fails, no escalation
   * when its answer fails a gate, no budget stand-in. Gates still run and record their verdict
   * (a judge named `next` has no rung above to use). `switchyard eval` measures one alias so.
   */
  singleRung?: boolean | undefined;
  /**
   * For a caller that shares capacity with others — a workflow's fan-out: each model attempt made
   * for this call (the first, fallbacks up the ladder, escalations, tool-loop turns, and a judge's
   * grading call) waits for it on the rung it runs on, and holds what it was given only while that
   * rung is in flight. So a place on the answering model is free while the answer is judged on
   * another, and judges are admitted on their own model.
   */
  throttle?: AttemptThrottle | undefined;
}

/** What `Switchyard.chat` returns at once: the request's id and its routing plan. */
export interface ChatCall {
  /** The request's id: its first attempt's ledger id, which every later attempt links to. */
  id: string;
  /** The routing plan, as made before anything was sent. */
  plan: Route;
  /** The answer; rejects with a SwitchyardError when none could be had. */
  answer: Promise<ChatAnswer>;
  /**
   * Resolves once the budget has admitted the request (before any model answers); rejects as the
   * answer does when it was refused first. For doors that must commit before the answer.
   */
  readonly admitted: Promise<void>;
}

export interface ChatAnswer {
  /** The answering attempt's ledger id (response ids are made from it). */
  id: string;
  /** The route of the answering attempt (an escalation starts higher up the plan). */
  route: Route;
  /** The rung that answered. */
  step: RouteStep;
  /** Rungs that failed (or were over budget) before it, and why. */
  hops: readonly FallbackHop[];
  /** Set when a budget cap moved the request to a cheaper rung. */
  downgrade: Downgrade | undefined;
  /**
   * The answer's events: live from the back end, or replayed from the gated answer. Iterate once,
   * to the end or until `return()`: that is when its attempt is settled and recorded.
   */
  events: AsyncIterable<ChatEvent>;
  /** Set when the answer was gated before it was returned (non-streamed; buffered streams). */
  gated?: GatedAnswer;
}

export interface GatedAnswer {
  result: ChatResult;
  /** How many times the request moved up after a failed gate. */
  escalations: number;
  /** The alias that answered each attempt, in order. */
  path: readonly string[];
  /** The verdict on the answer returned, when gates ran. */
  verdict?: "pass" | "fail";
  /** Why climbing stopped with an answer that did not pass. */
  stopped?: { reason: StopReason; message: string };
}
