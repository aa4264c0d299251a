/**
 * How many workflow model attempts may run at once on each alias, shared by every run in the
 * process. What it admits is one attempt on the alias it actually runs on — a step's answer, a
 * fallback or an escalation, a tool-loop turn, the judge grading an answer — held only while that
 * attempt is in flight (model-step.ts hands `acquire` to the spine as the caller's throttle); so an
 * answer being judged on one model holds no place on the model that wrote it. On an Engine alias
 * the width is the slots of the Engines serving it, less `workflows.reserve_interactive_slots`, so
 * a fan-out (or several runs) never holds every slot and the gateway's interactive requests always
 * find one of their own. On a paid alias it is `workflows.max_parallel`, and no wider than the
 * budget's room: an attempt waits while the worst cases of the attempts in flight and its own would
 * not fit what is left (one always goes, and the budget itself refuses it if it cannot be paid;
 * attempts are admitted before their own reservation, so the room does not count it twice).
 * Attempts wait in order of arrival.
 */

import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";

/** What the limiter reads about the world; the runtime implements it (runtime-capacity.ts). */
export interface FanOutCapacity {
  /** Slots per model across the Engines up and serving the alias; undefined when not an Engine alias. */
  engineSlots(alias: string): number | undefined;
  /** USD the alias may still spend (the tighter of its ceiling and the monthly total); undefined: unbounded. */
  budgetRoomUsd(alias: string): Promise<number | undefined>;
}

export interface FanOutLimiterOptions {
  capacity: FanOutCapacity;
  reserveInteractiveSlots: number;
  maxParallel: number;
}

interface Waiter {
  alias: string;
  worstCaseUsd: number;
  resolve: (release: () => void) => void;
  reject: (error: unknown) => void;
}

export class FanOutLimiter {
  private readonly inFlight = new Map<string, { count: number; worstCaseUsd: number }>();
  private readonly waiting: Waiter[] = [];
  /** The most attempts that were in flight at once, per alias (tests, the bench). */
  readonly peaks = new Map<string, number>();
  private checking = false;
  private again = false;

  constructor(private readonly options: FanOutLimiterOptions) {}

  /** The width right now for attempts starting on `alias`. */
  width(alias: string): number {
    const slots = this.options.capacity.engineSlots(alias);
    if (slots === undefined) return this.options.maxParallel;
    return Math.max(1, slots - this.options.reserveInteractiveSlots);
  }

  /**
   * Resolves with a release function once the attempt may start. Rejects with "aborted" when the
   * signal fires first.
   */
  acquire(alias: string, worstCaseUsd: number, signal?: CancelSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new SwitchyardError("aborted", "The run was cancelled"));
        return;
      }
      const waiter: Waiter = { alias, worstCaseUsd, resolve, reject };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index === -1) return;
        this.waiting.splice(index, 1);
        reject(new SwitchyardError("aborted", "The run was cancelled"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiter.resolve = (release) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(release);
      };
      this.waiting.push(waiter);
      void this.admit();
    });
  }

  /**
   * Admits waiters in order while they fit; one whose alias is full does not hold up other
   * aliases. A release while a pass is running (it awaits the budget) asks for one more pass.
   */
  private async admit(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.again = false;
        const blocked = new Set<string>();
        for (const waiter of [...this.waiting]) {
          if (blocked.has(waiter.alias) || !this.waiting.includes(waiter)) continue;
          if (!(await this.fits(waiter))) {
            blocked.add(waiter.alias);
            continue;
          }
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          this.start(waiter);
        }
      } while (this.again);
    } finally {
      this.checking = false;
    }
  }

  private async fits(waiter: Waiter): Promise<boolean> {
    const current = this.inFlight.get(waiter.alias) ?? { count: 0, worstCaseUsd: 0 };
    if (current.count === 0) return true;
    if (current.count >= this.width(waiter.alias)) return false;
    if (waiter.worstCaseUsd <= 0) return true;
    const room = await this.options.capacity.budgetRoomUsd(waiter.alias);
    return room === undefined || current.worstCaseUsd + waiter.worstCaseUsd <= room;
  }

  private start(waiter: Waiter): void {
    const current = this.inFlight.get(waiter.alias) ?? { count: 0, worstCaseUsd: 0 };
    current.count++;
    current.worstCaseUsd += waiter.worstCaseUsd;
    this.inFlight.set(waiter.alias, current);
    this.peaks.set(waiter.alias, Math.max(this.peaks.get(waiter.alias) ?? 0, current.count));
    let released = false;
    waiter.resolve(() => {
      if (released) return;
      released = true;
      current.count--;
      current.worstCaseUsd -= waiter.worstCaseUsd;
      void this.admit();
    });
  }
}
