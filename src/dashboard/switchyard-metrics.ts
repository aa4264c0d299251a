/**
 * Prometheus metrics, in a registry of Switchyard's own (prefix `switchyard_`). Request figures
 * come from the ledger rows as they are written: the listener only queues the row (it runs on the
 * gateway's hot path), and the queue is counted into the metrics at scrape time, or when it grows
 * long. Budget and Engine figures are read when Prometheus scrapes, before the text is made.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { BudgetStatus } from "../budget/budget-status.js";
import type { FleetSnapshot } from "../engines/engine-status.js";
import type { RequestRecord } from "../store/ledger-store.js";

/** Rows queued before they are counted without waiting for a scrape. */
const MAX_PENDING_ROWS = 4_096;

export interface MetricsSources {
  budget(): Promise<BudgetStatus>;
  fleet(): FleetSnapshot | undefined;
  /** Adds Node's process metrics (CPU, memory, event loop); off in tests that count series. */
  processMetrics?: boolean;
}

export class SwitchyardMetrics {
  readonly registry = new Registry();
  private pending: RequestRecord[] = [];
  private readonly requests: Counter<"task" | "tier" | "alias" | "status">;
  private readonly latency: Histogram<"tier" | "alias">;
  private readonly firstToken: Histogram<"tier" | "alias">;
  private readonly queueWait: Histogram<"alias">;
  private readonly tokens: Counter<"alias" | "kind">;
  private readonly cost: Counter<"alias">;
  private readonly escalations: Counter<"task" | "alias">;
  private readonly verdicts: Counter<"task" | "alias" | "verdict">;
  private readonly fallbacks: Counter<"from_alias" | "to_alias">;
  /** Gauges set from the budget status and the fleet when Prometheus scrapes. */
  private readonly scrapeGauges: ScrapeGauges[];

  /** For `switchyard.onRecord`: queues the row, nothing more. */
  readonly listener = (row: RequestRecord): void => {
    this.pending.push(row);
    if (this.pending.length >= MAX_PENDING_ROWS) this.countPending();
  };

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "switchyard_requests_total",
      help: "Attempts written to the ledger, by task kind, tier, alias and status (ok, error, aborted)",
      labelNames: ["task", "tier", "alias", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "switchyard_request_duration_seconds",
      help: "From arrival to the end of the answer",
      labelNames: ["tier", "alias"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.firstToken = new Histogram({
      name: "switchyard_time_to_first_token_seconds",
      help: "From arrival to the first token (text, reasoning or tool call), for answers that had one",
      labelNames: ["tier", "alias"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.queueWait = new Histogram({
      name: "switchyard_engine_queue_wait_seconds",
      help: "Time a request waited in Switchyard's queue for a free Engine slot",
      labelNames: ["alias"],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.tokens = new Counter({
      name: "switchyard_tokens_total",
      help: "Tokens by alias and kind (input, output)",
      labelNames: ["alias", "kind"],
      registers,
    });
    this.cost = new Counter({
      name: "switchyard_cost_usd_total",
      help: "Spend in USD by alias (0 for local models)",
      labelNames: ["alias"],
      registers,
    });
    this.escalations = new Counter({
      name: "switchyard_escalations_total",
      help: "Attempts made because an earlier answer failed its quality gates, by task and the alias escalated to",
      labelNames: ["task", "alias"],
      registers,
    });
    this.verdicts = new Counter({
      name: "switchyard_gate_verdicts_total",
      help: "Quality gate verdicts by task, alias and verdict (pass, fail)",
      labelNames: ["task", "alias", "verdict"],
      registers,
    });
    this.fallbacks = new Counter({
      name: "switchyard_fallbacks_total",
      help: "Moves up the ladder because a rung failed before answering",
      labelNames: ["from_alias", "to_alias"],
      registers,
    });
    this.scrapeGauges = [budgetGauges(registers), engineGauges(registers)];
    if (sources.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: "switchyard_" });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text, with every queued row counted first. */
  async render(): Promise<string> {
    this.countPending();
    const budget = await this.sources.budget();
    const fleet = this.sources.fleet();
    for (const set of this.scrapeGauges) set(budget, fleet);
    return this.registry.metrics();
  }

  private countPending(): void {
    const rows = this.pending;
    this.pending = [];
    for (const row of rows) {
      const tier = String(row.tier);
      this.requests.inc({ task: row.task, tier, alias: row.alias, status: row.status });
      this.latency.observe({ tier, alias: row.alias }, row.latencyMs / 1000);
      if (row.ttftMs !== null) this.firstToken.observe({ tier, alias: row.alias }, row.ttftMs / 1000);
      if (row.queueMs !== null) this.queueWait.observe({ alias: row.alias }, row.queueMs / 1000);
      if (row.inputTokens > 0) this.tokens.inc({ alias: row.alias, kind: "input" }, row.inputTokens);
      if (row.outputTokens > 0) this.tokens.inc({ alias: row.alias, kind: "output" }, row.outputTokens);
      if (row.costUsd > 0) this.cost.inc({ alias: row.alias }, row.costUsd);
      if (row.attempt > 1) this.escalations.inc({ task: row.task, alias: row.alias });
      if (row.gateVerdict) this.verdicts.inc({ task: row.task, alias: row.alias, verdict: row.gateVerdict });
      for (const hop of row.fallbackHops)
        this.fallbacks.inc({ from_alias: hop.fromAlias, to_alias: hop.toAlias });
    }
  }
}

type ScrapeGauges = (budget: BudgetStatus, fleet: FleetSnapshot | undefined) => void;

/** Limit, spent, reserved and remaining per budget: set from the budget status at each scrape. */
function budgetGauges(registers: Registry[]): ScrapeGauges {
  const gauge = (figure: string) =>
    new Gauge({
      name: `switchyard_budget_${figure}_usd`,
      help: `Budget ${figure} this period, USD, per budget (monthly, or an alias ceiling)`,
      labelNames: ["budget"],
      registers,
    });
  const [limit, spent, reserved, remaining] = ["limit", "spent", "reserved", "remaining"].map(gauge) as [
    Gauge<"budget">,
    Gauge<"budget">,
    Gauge<"budget">,
    Gauge<"budget">,
  ];
  return (status) => {
    for (const each of [limit, spent, reserved, remaining]) each.reset();
    for (const line of status.lines) {
      const labels = { budget: line.budget };
      limit.set(labels, line.limitUsd);
      spent.set(labels, line.settledUsd);
      reserved.set(labels, line.reservedUsd);
      remaining.set(labels, line.remainingUsd);
    }
  };
}

/** Engine up/down, slots in use, queue depth and swaps: set from the fleet's snapshot at each scrape. */
function engineGauges(registers: Registry[]): ScrapeGauges {
  const gauge = <Label extends string>(name: string, help: string, labelNames: Label[]) =>
    new Gauge<Label>({ name, help, labelNames, registers });
  const up = gauge("switchyard_engine_up", "1 when the Engine is up, 0 when down or probing", ["engine"]);
  const inUse = gauge("switchyard_engine_slots_in_use", "Requests in flight per Engine and model", [
    "engine",
    "model",
  ]);
  const slots = gauge("switchyard_engine_slots", "Slots per Engine and model", ["engine", "model"]);
  const depth = gauge("switchyard_engine_queue_depth", "Requests waiting in Switchyard's queue, per alias", [
    "alias",
  ]);
  const swaps = gauge(
    "switchyard_engine_swaps",
    "Swaps since start: a resident model had to be loaded again",
    ["engine"],
  );
  const waitP95 = gauge(
    "switchyard_engine_queue_wait_p95_seconds",
    "95th percentile queue wait over the last 1,000 leases",
    [],
  );
  return (_budget, fleet) => {
    for (const each of [up, inUse, slots, depth, swaps, waitP95]) each.reset();
    if (!fleet) return;
    for (const engine of fleet.engines) {
      up.set({ engine: engine.id }, engine.state === "up" ? 1 : 0);
      swaps.set({ engine: engine.id }, engine.counters.swaps);
      for (const model of engine.models) {
        inUse.set({ engine: engine.id, model: model.model }, model.inFlight);
        slots.set({ engine: engine.id, model: model.model }, model.slots);
      }
    }
    for (const queue of fleet.queues) depth.set({ alias: queue.alias }, queue.depth);
    waitP95.set(fleet.waits.p95Ms / 1000);
  };
}
