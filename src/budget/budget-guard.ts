/**
 * The budget step of the spine: before a paid request is sent, reserve its worst-case cost
 * against the monthly total, its alias ceiling and the OpenRouter key's credit; afterwards settle
 * the reservation to the real cost, or release it when the request died. It also fires threshold
 * alerts and keeps this process's heartbeat, so a crash never leaves money reserved for good.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { BudgetCap, BudgetStore, ReservationDenial, ReservationHandle } from "../store/budget-store.js";
import type { AlertSink } from "./budget-alerts.js";
import type { BudgetDenial } from "./budget-denial.js";
import { microUsdCeil, microUsdRound, usdFromMicro } from "./budget-money.js";
import { type BudgetOptions, resolveBudgetOptions } from "./budget-options.js";
import { type BudgetPeriod, budgetPeriod } from "./budget-period.js";
import { type BudgetStatus, budgetStatus } from "./budget-status.js";
import type { KeyGuard } from "./key-guard.js";
import { type ModelCatalog, type ModelPrice, mostExpensiveBuiltInPrice, priceOf } from "./model-catalog.js";
import { type RequestCost, requestCost, worstCaseCostUsd } from "./request-cost.js";
import { ThresholdAlerts } from "./threshold-alerts.js";

const KEY_CAP = "openrouter-key";

export interface BudgetGuardOptions {
  store: BudgetStore;
  /** The price list; a function so `switchyard models sync` can swap it while running. */
  catalog: ModelCatalog | (() => ModelCatalog);
  budget?: Partial<BudgetOptions>;
  alertSinks?: readonly AlertSink[];
  keyGuard?: KeyGuard;
  /** A failed alert or background sweep; the caller logs it. Never thrown into a request. */
  onError?: (error: unknown, context: string) => void;
  now?: () => number;
}

export interface ReserveInput {
  alias: string;
  model: string;
  /** Local back ends (Ollama, the Engine) cost nothing and are never reserved. */
  local: boolean;
  /** The most the prompt can count, in tokens (`chatRequestTokenBound`), never an estimate. */
  promptTokens: number;
  /** The request's max_tokens, else the alias's max_output_tokens; undefined: the model's maximum. */
  maxOutputTokens?: number | undefined;
  /** The request marks prompt-cache breakpoints (its prompt may be billed as a cache write). */
  cacheWrites?: boolean | undefined;
}

export interface Reservation extends ReservationHandle {
  model: string;
  /** The catalog price, or the dearest known price when the catalog has none (priceKnown false). */
  price: ModelPrice;
  priceKnown: boolean;
  reservedUsd: number;
  startedAt: number;
}

export type BudgetDecision =
  | { kind: "free" }
  | { kind: "reserved"; reservation: Reservation }
  | { kind: "denied"; denial: BudgetDenial };

export interface SettleUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  /** OpenRouter's `usage.cost`, when it reported one. */
  costUsd?: number | undefined;
}

export interface SettledCost extends RequestCost {
  reservedUsd: number;
}

interface KeyBaseline {
  periodKey: string;
  settledMicroUsd: number;
  remainingMicroUsd: number;
}

export class BudgetGuard {
  readonly options: BudgetOptions;
  readonly instanceId = randomUUID();
  private readonly now: () => number;
  private cachedPeriod: BudgetPeriod | undefined;
  private keyBaseline: Promise<KeyBaseline | undefined> = Promise.resolve(undefined);
  private readonly alerts: ThresholdAlerts;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  /** Settles handed over by `settleLater` and not yet booked. */
  private readonly booking = new Set<Promise<void>>();

  constructor(private readonly guardOptions: BudgetGuardOptions) {
    this.options = resolveBudgetOptions(guardOptions.budget);
    this.now = guardOptions.now ?? Date.now;
    this.alerts = new ThresholdAlerts({
      store: guardOptions.store,
      sinks: guardOptions.alertSinks ?? [],
      thresholdsPercent: this.options.alertThresholdsPercent,
      onError: guardOptions.onError,
      now: this.now,
    });
    // The key's "remaining" is measured at the poll; spend settled after it must still count, so
    // the cap is "settled at the poll + remaining" in the same units as everything else.
    guardOptions.keyGuard?.onRefresh(() => {
      this.keyBaseline = this.captureKeyBaseline();
    });
    if (guardOptions.keyGuard?.lastCheck()) this.keyBaseline = this.captureKeyBaseline();
  }

  /** Registers this process, clears reservations left by dead ones, starts the heartbeat. */
  async start(): Promise<number> {
    const now = this.now();
    await this.guardOptions.store.registerInstance({
      instanceId: this.instanceId,
      hostname: hostname(),
      pid: process.pid,
      startedAt: now,
    });
    const cleared = await this.guardOptions.store.clearStaleReservations(now, this.options.staleAfterMs);
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.beating = this.beat().catch((error: unknown) => this.guardOptions.onError?.(error, "heartbeat"));
      }, this.options.heartbeatIntervalMs);
      this.timer.unref();
    }
    return cleared;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    await this.idle();
    await this.guardOptions.store.unregisterInstance(this.instanceId);
  }

  /** The period containing now (cached until it ends). */
  period(now = this.now()): BudgetPeriod {
    const cached = this.cachedPeriod;
    if (cached && now >= cached.start.getTime() && now < cached.end.getTime()) return cached;
    this.cachedPeriod = budgetPeriod(new Date(now), this.options.resetDay, this.options.timeZone);
    return this.cachedPeriod;
  }

  async reserve(input: ReserveInput): Promise<BudgetDecision> {
    if (input.local) return { kind: "free" };
    const catalog = this.catalog();
    // A paid model with no known price is reserved at the dearest known price, never at zero.
    const knownPrice = priceOf(catalog, input.model);
    const price = knownPrice ?? { ...mostExpensiveBuiltInPrice(), model: input.model };
    const reservedUsd = worstCaseCostUsd({
      price,
      promptTokens: input.promptTokens,
      maxOutputTokens: input.maxOutputTokens,
      cacheWrites: input.cacheWrites,
    });
    if (reservedUsd <= 0) return { kind: "free" };
    const now = this.now();
    const period = this.period(now);
    const caps: BudgetCap[] = [
      { name: "monthly", alias: null, limitMicroUsd: microUsdRound(this.options.monthlyUsd) },
    ];
    const keyBaseline = await this.currentKeyBaseline(period.key);
    if (keyBaseline) {
      caps.push({
        name: KEY_CAP,
        alias: null,
        limitMicroUsd: keyBaseline.settledMicroUsd + keyBaseline.remainingMicroUsd,
      });
    }
    const aliasCeiling = this.options.aliasCeilingsUsd[input.alias];
    if (aliasCeiling !== undefined) {
      caps.push({ name: input.alias, alias: input.alias, limitMicroUsd: microUsdRound(aliasCeiling) });
    }
    const reservation: Reservation = {
      id: randomUUID(),
      periodKey: period.key,
      alias: input.alias,
      model: input.model,
      price,
      priceKnown: knownPrice !== undefined,
      reservedUsd,
      startedAt: now,
    };
    const amountMicroUsd = microUsdCeil(reservedUsd);
    const outcome = await this.guardOptions.store.reserve({
      id: reservation.id,
      periodKey: period.key,
      alias: input.alias,
      amountMicroUsd,
      caps,
      instanceId: this.instanceId,
      startedAt: now,
      expiresAt: now + this.options.maxRequestMs,
    });
    if (outcome.granted) return { kind: "reserved", reservation };
    const denial = this.describeDenial(outcome.denial, input.alias, amountMicroUsd, period, keyBaseline);
    // A refusal fires the 100% alert when what is spent and reserved left no room for the request.
    // A worst case larger than the whole cap could never fit (a small cap, no max_tokens): the
    // budget is not exhausted, the request is too large, and its 402 or downgrade says so.
    if (denial.budget !== "openrouter-key" && amountMicroUsd <= outcome.denial.cap.limitMicroUsd) {
      const budget = denial.budget === "monthly" ? "monthly" : input.alias;
      this.alerts.check(
        period,
        budget,
        outcome.denial.cap.limitMicroUsd,
        outcome.denial.settledMicroUsd,
        "denied",
      );
    }
    return { kind: "denied", denial };
  }

  /** What a finished request cost, from its usage and the reservation's price: no store involved. */
  costOf(reservation: Reservation, usage: SettleUsage): SettledCost {
    const cost = requestCost({
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      reportedUsd: usage.costUsd,
      cache: { read: usage.cacheReadTokens, write: usage.cacheWriteTokens },
      // With no catalog price, the reported cost stands alone; with neither, the dearest known
      // price keeps the books conservative rather than counting the request as free.
      price: reservation.priceKnown || usage.costUsd === undefined ? reservation.price : undefined,
    });
    return { ...cost, reservedUsd: reservation.reservedUsd };
  }

  /** Replaces the reservation with the real cost; returns both cost figures and any warning. */
  async settle(reservation: Reservation, usage: SettleUsage): Promise<SettledCost> {
    const cost = this.costOf(reservation, usage);
    await this.book(reservation, cost);
    return cost;
  }

  /**
   * The dispatcher's settle, once an answer has been delivered: the cost is known at once; booking
   * it (or, with no usage reported, releasing the reservation) and the threshold alerts follow in
   * the background, so no store write sits between the last byte and the caller. A failure is
   * reported to `onError`, never thrown; `idle()` waits for whatever is still being booked.
   */
  settleLater(reservation: Reservation, usage: SettleUsage | undefined): SettledCost {
    const cost: SettledCost = usage
      ? this.costOf(reservation, usage)
      : { costUsd: 0, catalogCostUsd: null, reportedCostUsd: null, reservedUsd: reservation.reservedUsd };
    const booking = (usage ? this.book(reservation, cost) : this.release(reservation)).catch(
      (error: unknown) =>
        this.guardOptions.onError?.(error, `settling a reservation for ${reservation.model}`),
    );
    this.booking.add(booking);
    void booking.finally(() => this.booking.delete(booking));
    return cost;
  }

  /** Writes the settled cost to the store and checks the thresholds against the new totals. */
  private async book(reservation: Reservation, cost: SettledCost): Promise<void> {
    const result = await this.guardOptions.store.settle(reservation, microUsdRound(cost.costUsd));
    const current = this.period();
    // A request that started before a reset counts in the period it was reserved in.
    const period =
      current.key === reservation.periodKey
        ? current
        : budgetPeriod(new Date(reservation.startedAt), this.options.resetDay, this.options.timeZone);
    this.alerts.check(
      period,
      "monthly",
      microUsdRound(this.options.monthlyUsd),
      result.totalSettledMicroUsd,
      "threshold",
    );
    const aliasCeiling = this.options.aliasCeilingsUsd[reservation.alias];
    if (aliasCeiling !== undefined) {
      this.alerts.check(
        period,
        reservation.alias,
        microUsdRound(aliasCeiling),
        result.aliasSettledMicroUsd,
        "threshold",
      );
    }
  }

  /** The request died or was aborted before it cost anything: give the money back. */
  async release(reservation: Reservation): Promise<void> {
    await this.guardOptions.store.release(reservation);
  }

  async status(): Promise<BudgetStatus> {
    const period = this.period();
    const spending = await this.guardOptions.store.spending(period.key);
    const keyGuard = this.guardOptions.keyGuard;
    const check = keyGuard?.lastCheck();
    const key = check
      ? {
          limitUsd: check.info.limitUsd,
          remainingUsd: keyGuard?.remainingUsd() ?? null,
          usageUsd: check.info.usageUsd,
          checkedAt: check.checkedAt,
        }
      : null;
    return budgetStatus(this.options, period, spending, keyGuard?.remainingUsd() ?? null, key);
  }

  /** Resolves when settles under way are booked and alerts fired so far delivered (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.booking.size > 0) await Promise.all(this.booking);
    await this.alerts.idle();
  }

  private catalog(): ModelCatalog {
    const catalog = this.guardOptions.catalog;
    return typeof catalog === "function" ? catalog() : catalog;
  }

  private async captureKeyBaseline(): Promise<KeyBaseline | undefined> {
    const remaining = this.guardOptions.keyGuard?.remainingUsd() ?? null;
    if (remaining === null) return undefined;
    const period = this.period();
    const spending = await this.guardOptions.store.spending(period.key);
    return {
      periodKey: period.key,
      settledMicroUsd: spending.total.settledMicroUsd,
      remainingMicroUsd: microUsdRound(remaining),
    };
  }

  private async currentKeyBaseline(periodKey: string): Promise<KeyBaseline | undefined> {
    const baseline = await this.keyBaseline.catch(() => undefined);
    if (!baseline || baseline.periodKey === periodKey) return baseline;
    this.keyBaseline = this.captureKeyBaseline();
    return this.keyBaseline;
  }

  private describeDenial(
    denial: ReservationDenial,
    alias: string,
    amountMicroUsd: number,
    period: BudgetPeriod,
    keyBaseline: KeyBaseline | undefined,
  ): BudgetDenial {
    const isKey = denial.cap.name === KEY_CAP && keyBaseline !== undefined;
    const settledMicroUsd = isKey
      ? denial.settledMicroUsd - keyBaseline.settledMicroUsd
      : denial.settledMicroUsd;
    return {
      budget: isKey ? "openrouter-key" : denial.cap.alias === null ? "monthly" : "alias",
      alias,
      limitUsd: usdFromMicro(isKey ? keyBaseline.remainingMicroUsd : denial.cap.limitMicroUsd),
      spentUsd: usdFromMicro(Math.max(0, settledMicroUsd) + denial.reservedMicroUsd),
      reservedUsd: usdFromMicro(denial.reservedMicroUsd),
      requestedUsd: usdFromMicro(amountMicroUsd),
      periodKey: period.key,
      resetsAt: period.end,
      timeZone: period.timeZone,
    };
  }

  private async beat(): Promise<void> {
    const now = this.now();
    await this.guardOptions.store.heartbeat(this.instanceId, now);
    await this.guardOptions.store.clearStaleReservations(now, this.options.staleAfterMs);
  }
}
