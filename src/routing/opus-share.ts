/**
 * The Opus share guard. The reference setup expects Opus on about 5% of calls; this keeps it near
 * `escalation.opus_share.target` by sending *borderline* Opus work to Sonnet first while the share
 * over the last `window_minutes` is above target. Borderline means: an escalation hop to tier 3
 * (Sonnet, given the findings, gets one more try), or a tier-3 start picked by the classifier with
 * low confidence. A task the caller named (architecture by model or header) is never touched.
 *
 * Counting is cheap and in memory: a ring of one-minute buckets, seeded from the ledger at start
 * and fed with every attempt the spine records (judges included).
 */

import { aliasStep, type RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { RequestRecord } from "../store/ledger-store.js";
import type { Route } from "./task-router.js";

const MINUTE = 60_000;

export interface OpusShare {
  calls: number;
  opusCalls: number;
  share: number;
}

/** Calls and tier-3 calls per minute over a sliding window. */
export class OpusShareCounter {
  private readonly buckets: Array<{ minute: number; calls: number; opus: number }>;

  constructor(
    windowMinutes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = Array.from({ length: Math.max(1, Math.ceil(windowMinutes)) }, () => ({
      minute: -1,
      calls: 0,
      opus: 0,
    }));
  }

  /** Counts one model call that answered (any front door, judges included). */
  add(row: Pick<RequestRecord, "startedAt" | "tier" | "status">): void {
    if (row.status !== "ok") return;
    const minute = Math.floor(row.startedAt / MINUTE);
    if (minute <= this.currentMinute() - this.buckets.length) return;
    const bucket = this.buckets[minute % this.buckets.length]!;
    if (bucket.minute !== minute) Object.assign(bucket, { minute, calls: 0, opus: 0 });
    bucket.calls++;
    if (row.tier === 3) bucket.opus++;
  }

  current(): OpusShare {
    const oldest = this.currentMinute() - this.buckets.length;
    let calls = 0;
    let opusCalls = 0;
    for (const bucket of this.buckets) {
      if (bucket.minute <= oldest) continue;
      calls += bucket.calls;
      opusCalls += bucket.opus;
    }
    return { calls, opusCalls, share: calls === 0 ? 0 : opusCalls / calls };
  }

  private currentMinute(): number {
    return Math.floor(this.now() / MINUTE);
  }
}

export class OpusShareGuard {
  readonly counter: OpusShareCounter;
  private readonly settings: SwitchyardConfig["escalation"]["opus_share"];

  constructor(
    private readonly config: SwitchyardConfig,
    now: () => number = Date.now,
  ) {
    this.settings = config.escalation.opus_share;
    this.counter = new OpusShareCounter(this.settings.window_minutes, now);
  }

  windowMs(): number {
    return this.settings.window_minutes * MINUTE;
  }

  /** True when Opus is over its share and the window holds enough calls to say so. */
  overTarget(): boolean {
    const { calls, share } = this.counter.current();
    return calls >= this.settings.min_requests && share > this.settings.target;
  }

  /** The route a new request starts on: Sonnet first for a low-confidence classifier Opus pick. */
  adjustStart(route: Route): Route {
    const first = route.ladder[0];
    if (route.selector !== "classifier" || first?.tier !== 3) return route;
    if (route.confidence >= this.settings.borderline_confidence || !this.overTarget()) return route;
    const sonnet = this.tierTwoStep(route);
    if (!sonnet) return route;
    const signal = this.signal(`classifier confidence ${route.confidence.toFixed(2)}: ${sonnet.alias} first`);
    return {
      ...route,
      ladder: [sonnet, ...route.ladder.filter((step) => step.alias !== sonnet.alias)],
      signals: () => [...route.signals(), signal],
    };
  }

  /**
   * The route an escalation climbs to. When it would go to Opus while Opus is over its share, and
   * the Sonnet rung has not yet had a try with feedback, Sonnet gets that try first.
   */
  adjustEscalation(next: Route, previousAlias: string, sonnetRetried: boolean): Route {
    const first = next.ladder[0];
    if (first?.tier !== 3 || sonnetRetried || !this.overTarget()) return next;
    const previous = this.stepFor(previousAlias);
    const sonnet = previous?.tier === 2 ? previous : this.tierTwoStep(next);
    if (!sonnet) return next;
    const signal = this.signal(`${sonnet.alias} retries with the findings before ${first.alias}`);
    return {
      ...next,
      ladder: [sonnet, ...next.ladder],
      signals: () => [...next.signals(), signal],
    };
  }

  private signal(action: string): string {
    const { share } = this.counter.current();
    return `opus-share ${(share * 100).toFixed(1)}% > target ${(this.settings.target * 100).toFixed(1)}%: ${action}`;
  }

  /** A tier-2 alias from the task's configured ladder, else any configured tier-2 alias. */
  private tierTwoStep(route: Route): RouteStep | undefined {
    const configured = this.config.tasks[route.task];
    const ladder = [configured?.alias, ...(configured?.ladder ?? [])];
    for (const alias of ladder) {
      const step = alias ? this.stepFor(alias) : undefined;
      if (step?.tier === 2) return step;
    }
    const any = Object.keys(this.config.aliases).find((alias) => this.config.aliases[alias]?.tier === 2);
    return any ? this.stepFor(any) : undefined;
  }

  private stepFor(alias: string): RouteStep | undefined {
    return aliasStep(this.config, alias);
  }
}
