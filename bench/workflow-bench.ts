/**
 * Workflows, side by side with their baselines in one run:
 * - the fan-out: `bughunt` over 8 modules against the fake Engine (4 slots, each request
 *   300–800 ms) — the whole run through the workflow, and its exploration phase, against the same
 *   8 explorations (same prompts, same latencies, judged the same) one after another through the
 *   spine; with the default `reserve_interactive_slots: 1` and with 0; with a warm spare fs server
 *   ready before the run starts (a Brain that has been up: `warm_spares: 1`), and without one (the
 *   run's hub spawns its fs server in the plan step);
 * - the cost of a step: a chain of no-op steps through the runner (SQLite checkpoint written
 *   durably at each step, the run's journal), against the same chain in LangGraph alone and with
 *   the checkpoints alone;
 * - memory: 200 completed bug hunts in one process (4 at a time), RSS after the first and the last.
 * Not a test: the numbers depend on the machine. Run with --expose-gc for the memory figures;
 * `node --expose-gc dist/bench/workflow-bench.js steps` runs the cost of a step alone, `fanout` the
 * fan-out alone (`fanout 5`: five times, for the spread on a shared machine).
 */
import { loadavg } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { END, type LangGraphRunnableConfig, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { Cancellation } from "../src/protocol/cancel-signal.js";
import { type ChatRequest, collectChatEvents } from "../src/protocol/chat-types.js";
import { pretenuringDeclined } from "../src/workflows/collector-tuning.js";
import { runRecordedStep } from "../src/workflows/recorded-step.js";
import type { RunContexts } from "../src/workflows/run-context.js";
import { findingsOutput } from "../src/workflows/step-outputs.js";
import { lastValue, type RunResult, type WorkflowDefinition } from "../src/workflows/workflow-definition.js";
import { percentile } from "./load-generator.js";
import { type BenchBrain, moduleRepository, startBenchBrain } from "./workflow-bench-brain.js";

export interface WorkflowBenchOptions {
  modules?: number;
  latencyMs?: readonly [number, number];
  slots?: number;
  /** No-op steps per chain, and chains run, for the per-step cost. */
  chainSteps?: number;
  chains?: number;
  /** Completed runs for the memory figure. */
  memoryRuns?: number;
}

export interface FanOutRow {
  reserve: number;
  /** `workflows.warm_spares`: 1, a spare fs server was ready when the run started; 0, none. */
  warmSpares: number;
  width: number;
  /** The Brain's first bug hunt, in a fresh process (code not yet run: LangGraph, the spine, the hub). */
  firstRunMs: number;
  /** The measured one: the next bug hunt, in the same Brain. */
  workflowMs: number;
  explorePhaseMs: number;
  /** The plan step: the fs server's start (or a spare's handover) and the listing. */
  planMs: number;
  sequentialMs: number;
  peakInFlight: number;
  /** The machine's 1-minute load average as the run ended (2 cores here). */
  loadAverage: number;
}

export interface StepCost {
  name: string;
  p50Ms: number;
  p99Ms: number;
  /** The p99 of the gaps in which V8 did not collect garbage (the garbage is mostly LangGraph's own). */
  p99WithoutGcMs: number;
  /** Gaps in which a collection ran. */
  gcSamples: number;
  /** This process's CPU time per step, on average (what waiting for a core does not inflate). */
  cpuMs: number;
  samples: number;
}

export interface MemoryFigures {
  runs: number;
  seconds: number;
  firstRssMb: number;
  lastRssMb: number;
  firstHeapMb: number;
  lastHeapMb: number;
  gcExposed: boolean;
}

export interface WorkflowBenchResult {
  options: Required<WorkflowBenchOptions>;
  fanOut: FanOutRow[];
  steps: StepCost[];
  /** The machine's 1-minute load average while the steps were measured (2 cores here). */
  stepsLoadAverage: number;
  memory: MemoryFigures;
}

/** The cost of a step alone (`workflow-bench.js steps`): the same section, without the rest. */
export interface StepCostsResult {
  options: Required<WorkflowBenchOptions>;
  steps: StepCost[];
  stepsLoadAverage: number;
}

function benchSettings(options: WorkflowBenchOptions): Required<WorkflowBenchOptions> {
  return {
    modules: options.modules ?? 8,
    latencyMs: options.latencyMs ?? latencyFromEnvironment() ?? [300, 800],
    slots: options.slots ?? 4,
    chainSteps: options.chainSteps ?? 40,
    chains: options.chains ?? 100,
    memoryRuns: options.memoryRuns ?? Number(process.env.BENCH_WORKFLOW_RUNS ?? 200),
  };
}

export async function runStepCostsAlone(options: WorkflowBenchOptions = {}): Promise<StepCostsResult> {
  const settings = benchSettings(options);
  const steps = await runStepCosts(settings);
  return { options: settings, steps, stepsLoadAverage: loadavg()[0] ?? 0 };
}

export async function runWorkflowBench(options: WorkflowBenchOptions = {}): Promise<WorkflowBenchResult> {
  const settings = benchSettings(options);
  const fanOut: FanOutRow[] = [];
  for (const [reserve, warmSpares] of FAN_OUT_CASES)
    fanOut.push(await runFanOut(settings, reserve, warmSpares));
  const steps = await runStepCosts(settings);
  const stepsLoadAverage = loadavg()[0] ?? 0;
  const memory = await runMemory(settings);
  return { options: settings, fanOut, steps, stepsLoadAverage, memory };
}

/** [reserve_interactive_slots, warm_spares] of each fan-out row: the default, without a spare, all slots. */
const FAN_OUT_CASES = [
  [1, 1],
  [1, 0],
  [0, 1],
] as const;

/** BENCH_WORKFLOW_LATENCY_MS="300-800" sets the fakes' latency range. */
function latencyFromEnvironment(): [number, number] | undefined {
  const match = /^(\d+)-(\d+)$/.exec(process.env.BENCH_WORKFLOW_LATENCY_MS ?? "");
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

async function runFanOut(
  settings: Required<WorkflowBenchOptions>,
  reserve: number,
  warmSpares: number,
): Promise<FanOutRow> {
  const brain = await startBenchBrain({
    latencyMs: settings.latencyMs,
    slots: settings.slots,
    reserve,
    warmSpares,
  });
  const warmUp = moduleRepository(settings.modules);
  const repository = moduleRepository(settings.modules);
  try {
    // A Brain that has been up a while: it has run a bug hunt before (the one after another below
    // runs warm too), and its spares have loaded before the run is asked for.
    await brain.runs.spares.whenAllReady();
    const firstRunMs = (await timedBugHunt(brain, warmUp.path)).ms;
    brain.prompts.clear();
    brain.runs.limiter.peaks.clear();
    await brain.runs.spares.whenAllReady();
    const { ms: workflowMs, runId } = await timedBugHunt(brain, repository.path);
    const steps = (await brain.runs.show(runId)).steps;
    const plan = steps.find((step) => step.node === "plan");
    const explored = steps.filter((step) => step.node === "explore");
    const explorePhaseMs =
      Math.max(...explored.map((step) => step.endedAt ?? step.startedAt)) -
      Math.min(...explored.map((step) => step.startedAt));
    const prompts = brain.prompts.get("bug-hunting") ?? [];
    const sequentialMs = await exploreOneAfterAnother(brain, prompts);
    return {
      reserve,
      warmSpares,
      width: brain.runs.limiter.width("local-reasoner"),
      firstRunMs,
      workflowMs,
      explorePhaseMs,
      planMs: plan ? (plan.endedAt ?? plan.startedAt) - plan.startedAt : Number.NaN,
      sequentialMs,
      peakInFlight: brain.runs.limiter.peaks.get("local-reasoner") ?? 0,
      loadAverage: loadavg()[0] ?? 0,
    };
  } finally {
    warmUp.remove();
    repository.remove();
    await brain.close();
  }
}

async function timedBugHunt(brain: BenchBrain, repo: string): Promise<{ ms: number; runId: string }> {
  const started = performance.now();
  const run = await brain.runs.start("bughunt", { repo });
  const done = await brain.runs.halted(run.id);
  const ms = performance.now() - started;
  if (done.status !== "done") throw new Error(`the bench's bug hunt ended ${done.status}: ${done.reason}`);
  return { ms, runId: run.id };
}

/** The explorers' requests, one after another through the spine, as a workflow step sends them. */
async function exploreOneAfterAnother(brain: BenchBrain, prompts: readonly string[]): Promise<number> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(findingsOutput) as Record<string, unknown>;
  const started = performance.now();
  for (const prompt of prompts) {
    const request: ChatRequest = {
      model: "switchyard/bug-hunting",
      messages: [
        {
          role: "system",
          content:
            "You are one step of a Switchyard development workflow. task: bug-hunting. Do exactly the work asked, in the form asked.",
        },
        { role: "user", content: prompt },
      ],
      stream: false,
      maxTokens: 4_096,
      // biome-ignore lint/suspicious/noExplicitAny: the JSON Schema zod writes is a plain object.
      responseFormat: { type: "json-schema", name: "findings", schema: schema as any },
    };
    const answer = await brain.runtime.switchyard.chat(request, {
      frontDoor: "bench",
      signal: new Cancellation(),
      caller: "bench",
      taskHint: "bug-hunting",
    }).answer;
    if (!answer.gated) await collectChatEvents(answer.events);
  }
  return performance.now() - started;
}

async function runStepCosts(settings: Required<WorkflowBenchOptions>): Promise<StepCost[]> {
  // No spare tool servers: the chains use none, and a spare loading would only add noise.
  const brain = await startBenchBrain({
    latencyMs: [0, 0],
    slots: settings.slots,
    reserve: 1,
    warmSpares: 0,
  });
  // Every collection, to tell the gaps V8 paused in from the rest. A chain of no-op steps never
  // waits on I/O, so the observer hears of them only after the chains, with their true times.
  const collections: Array<[start: number, end: number]> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      collections.push([entry.startTime, entry.startTime + entry.duration]);
  });
  observer.observe({ entryTypes: ["gc"] });
  try {
    const checkpointer = await brain.runtime.stores.checkpointer();
    const plain = chain(settings.chainSteps, undefined).compile();
    const saved = chain(settings.chainSteps, undefined).compile({ checkpointer });
    const costs = { plain: [] as Gap[], saved: [] as Gap[], runner: [] as Gap[] };
    const cpu = { plain: 0, saved: 0, runner: 0 };
    const runnerMarks: number[] = [];
    const definition = chainWorkflow(settings.chainSteps, runnerMarks);
    const timed = async (side: keyof typeof cpu, work: () => Promise<unknown>, measured: boolean) => {
      const before = process.cpuUsage();
      await work();
      const used = process.cpuUsage(before);
      if (measured) cpu[side] += (used.user + used.system) / 1000;
    };
    // One chain of each to warm up (the SQLite statements, LangGraph's first compile), then measured ones.
    for (let index = 0; index <= settings.chains; index++) {
      const measured = index > 0;
      const marks: number[] = [];
      await timed(
        "plain",
        () => plain.invoke({}, { configurable: { marks }, recursionLimit: 1_000 }),
        measured,
      );
      const savedMarks: number[] = [];
      await timed(
        "saved",
        () =>
          saved.invoke(
            {},
            {
              configurable: { thread_id: `bench-chain-${index}`, marks: savedMarks },
              durability: "sync",
              recursionLimit: 1_000,
            },
          ),
        measured,
      );
      runnerMarks.length = 0;
      await timed(
        "runner",
        async () => {
          const run = await brain.runs.runner.start(definition, {}, { cwd: process.cwd() });
          const done = await brain.runs.runner.halted(run.id);
          if (done.status !== "done")
            throw new Error(`the bench's chain ended ${done.status}: ${done.reason}`);
        },
        measured,
      );
      if (!measured) continue;
      costs.plain.push(...gaps(marks));
      costs.saved.push(...gaps(savedMarks));
      costs.runner.push(...gaps(runnerMarks));
    }
    const steps = settings.chains * settings.chainSteps;
    // Node hands a collection to the observer two immediates after it ends (one native, one JS).
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    const summary = (name: string, samples: Gap[], cpuMs: number) =>
      summarise(name, samples, cpuMs, collections);
    return [
      summary("LangGraph alone (no checkpointer)", costs.plain, cpu.plain / steps),
      summary("+ SQLite checkpoint per step (durability sync)", costs.saved, cpu.saved / steps),
      summary("through the runner: checkpoint + the run's journal", costs.runner, cpu.runner / steps),
    ];
  } finally {
    observer.disconnect();
    await brain.close();
  }
}

const ChainState = { count: lastValue<number>(0), result: lastValue<RunResult | null>(null) };

/** `steps` nodes in a line; each marks when it starts, then does `work` (nothing, by default). */
function chain(
  steps: number,
  work: ((index: number, config: LangGraphRunnableConfig) => Promise<void>) | undefined,
  // biome-ignore lint/suspicious/noExplicitAny: the graph's type grows with every node added in the loop.
): any {
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  let graph: any = new StateGraph(ChainState);
  for (let index = 0; index < steps; index++) {
    graph = graph.addNode(`step-${index}`, async (_state: unknown, config: LangGraphRunnableConfig) => {
      (config.configurable?.marks as number[] | undefined)?.push(performance.now());
      await work?.(index, config);
      return index === steps - 1
        ? { count: index, result: { status: "done", reason: null, outcome: null } }
        : { count: index };
    });
    graph = graph.addEdge(index === 0 ? START : `step-${index - 1}`, `step-${index}`);
  }
  return graph.addEdge(`step-${steps - 1}`, END);
}

/** The chain as a workflow the runner runs: each step recorded in the run's journal, as built-in steps are. */
function chainWorkflow(steps: number, marks: number[]): WorkflowDefinition {
  return {
    name: "bench-chain",
    description: "no-op steps in a line",
    outline: [],
    async prepare() {
      return { input: {}, repository: null, tools: { fsRoot: { kind: "none" }, fsWrites: false }, state: {} };
    },
    graph(contexts: RunContexts) {
      return chain(steps, async (index, config) => {
        marks.push(performance.now());
        await runRecordedStep(
          contexts.of(config),
          { key: `step-${index}`, node: `step-${index}`, label: `Step ${index}`, kind: "logic" },
          async () => ({ value: index }),
        );
      });
    },
  };
}

/** From one step's start to the next's: the step, its checkpoint, and the bookkeeping. */
interface Gap {
  start: number;
  end: number;
}

function gaps(marks: readonly number[]): Gap[] {
  return marks.slice(1).map((mark, index) => ({ start: marks[index]!, end: mark }));
}

function summarise(
  name: string,
  samples: readonly Gap[],
  cpuMs: number,
  collections: ReadonlyArray<[number, number]>,
): StepCost {
  const milliseconds = (gapsOf: readonly Gap[]) =>
    gapsOf.map((gap) => gap.end - gap.start).sort((left, right) => left - right);
  const collected = (gap: Gap) => collections.some(([start, end]) => start < gap.end && end > gap.start);
  const withoutGc = samples.filter((gap) => !collected(gap));
  const sorted = milliseconds(samples);
  return {
    name,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    p99WithoutGcMs: percentile(milliseconds(withoutGc), 0.99),
    gcSamples: samples.length - withoutGc.length,
    cpuMs,
    samples: sorted.length,
  };
}

const MEMORY_CONCURRENCY = 4;

async function runMemory(settings: Required<WorkflowBenchOptions>): Promise<MemoryFigures> {
  const brain = await startBenchBrain({ latencyMs: [0, 0], slots: settings.slots, reserve: 1 });
  const repository = moduleRepository(2);
  const collect = () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return process.memoryUsage();
  };
  try {
    let first: NodeJS.MemoryUsage | undefined;
    const started = performance.now();
    // A few runs at a time, as a Brain with several users would have them.
    for (let index = 0; index < settings.memoryRuns; index += MEMORY_CONCURRENCY) {
      const batch = Math.min(MEMORY_CONCURRENCY, settings.memoryRuns - index);
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const run = await brain.runs.start("bughunt", { repo: repository.path });
          const done = await brain.runs.halted(run.id);
          if (done.status !== "done")
            throw new Error(`the bench's bug hunt ended ${done.status}: ${done.reason}`);
        }),
      );
      brain.prompts.clear();
      if (index === 0) first = collect();
    }
    const seconds = (performance.now() - started) / 1000;
    const last = collect();
    const megabytes = (bytes: number) => bytes / 1024 / 1024;
    return {
      runs: settings.memoryRuns,
      seconds,
      firstRssMb: megabytes(first!.rss),
      lastRssMb: megabytes(last.rss),
      firstHeapMb: megabytes(first!.heapUsed),
      lastHeapMb: megabytes(last.heapUsed),
      gcExposed: typeof globalThis.gc === "function",
    };
  } finally {
    repository.remove();
    await brain.close();
  }
}

export function formatWorkflowBench(result: WorkflowBenchResult): string {
  const lines = [formatFanOut(result.options, result.fanOut)];
  lines.push("", formatStepCosts(result));
  const { memory } = result;
  lines.push(
    "",
    `Memory: ${memory.runs} completed bug hunts (2 modules, no latency, ${MEMORY_CONCURRENCY} at a time) in one process in ${memory.seconds.toFixed(1)} s${memory.gcExposed ? ", after a full GC" : " (no --expose-gc: figures include garbage)"}`,
    `RSS after the first ${MEMORY_CONCURRENCY} runs ${memory.firstRssMb.toFixed(1)} MB, after the last ${memory.lastRssMb.toFixed(1)} MB: ${(memory.lastRssMb - memory.firstRssMb).toFixed(1)} MB more (target ≤ 50 MB); heap used ${memory.firstHeapMb.toFixed(1)} → ${memory.lastHeapMb.toFixed(1)} MB`,
  );
  return lines.join("\n");
}

export function formatFanOut(options: Required<WorkflowBenchOptions>, rows: readonly FanOutRow[]): string {
  const [minimum, maximum] = options.latencyMs;
  const lines = [
    `Workflows: bughunt over ${options.modules} modules against the fake Engine (${options.slots} slots per model, ${minimum}–${maximum} ms per request, each explorer's answer judged on the other local model) vs the same ${options.modules} explorations one after another through the spine`,
    "reserve  spare  width  peak   plan  workflow run  explore phase  one after another  run ratio  phase ratio  first run  load",
  ];
  for (const row of rows) {
    lines.push(
      `${String(row.reserve).padStart(7)} ${(row.warmSpares > 0 ? "yes" : "no").padStart(6)} ${String(row.width).padStart(6)} ${String(row.peakInFlight).padStart(5)} ${(row.planMs / 1000).toFixed(2).padStart(6)} ${(row.workflowMs / 1000).toFixed(2).padStart(11)} s ${(row.explorePhaseMs / 1000).toFixed(2).padStart(12)} s ${(row.sequentialMs / 1000).toFixed(2).padStart(16)} s ${(row.workflowMs / row.sequentialMs).toFixed(2).padStart(9)}× ${(row.explorePhaseMs / row.sequentialMs).toFixed(2).padStart(10)}× ${(row.firstRunMs / row.sequentialMs).toFixed(2).padStart(9)}× ${row.loadAverage.toFixed(1).padStart(5)}`,
    );
  }
  lines.push(
    "(run = the whole bug hunt: the fs server's start, the plan, the explorers, the ranking and the Sonnet synthesis; target ≤ 0.35×. It is the Brain's second bug hunt, as the one after another runs in a Brain that has served requests; first run: the Brain's first bug hunt, on another repository of the same shape, the first time its code runs in the process (ratio to the same one after another). spare yes: the Brain had been up, so a warm spare fs server was loaded and waiting when the run started (workflows.warm_spares: 1, the default) and the run's hub took it; no: warm_spares 0, the hub spawns the fs server in the plan step. plan: that step, in seconds. One after another is 8 answers and 8 judgements; with one slot of 4 kept for interactive requests the 8 answers take at least ⌈8/3⌉ = 3 rounds on the reasoner, each judged on the other model as the next round runs: about (3 + 1)/16 = 0.25× before any overhead, (2 + 1)/16 on all 4 slots. load: the 1-minute load average as the run ended.)",
  );
  return lines.join("\n");
}

export function formatStepCosts(result: StepCostsResult): string {
  const { options } = result;
  const lines = [
    `Per workflow step (${options.chainSteps}-step chains of no-op steps, ${options.chains} chains, SQLite in WAL mode, V8 pretenuring ${pretenuringDeclined() ? "off as in a Brain (collector-tuning.ts)" : "on (chosen on the command line)"}): start of one step to the start of the next; load average ${result.stepsLoadAverage.toFixed(1)} on this machine meanwhile`,
    "                                                      p50        p99   CPU/step   samples   p99 without GC (gaps with a GC)",
  ];
  for (const step of result.steps) {
    lines.push(
      `${step.name.padEnd(52)} ${step.p50Ms.toFixed(2).padStart(6)} ms ${step.p99Ms.toFixed(2).padStart(7)} ms ${step.cpuMs.toFixed(2).padStart(6)} ms ${String(step.samples).padStart(8)} ${step.p99WithoutGcMs.toFixed(2).padStart(9)} ms (${step.gcSamples})`,
    );
  }
  const [plain, , runner] = result.steps;
  if (plain && runner)
    lines.push(
      `the runner adds ${(runner.p50Ms - plain.p50Ms).toFixed(2)} ms at p50, ${(runner.p99Ms - plain.p99Ms).toFixed(2)} ms at p99, ${(runner.cpuMs - plain.cpuMs).toFixed(2)} ms of CPU per step (target ≤ 5 ms p99)`,
      "(a gap with a GC: V8 collected garbage during it, in any of the three; LangGraph alone makes ~200 KB of garbage a step, its checkpoints ~45 KB more, the runner ~50 KB more again)",
    );
  return lines.join("\n");
}

/** The fan-out rows alone, `times` over (`workflow-bench.js fanout [times]`). */
export async function runFanOutAlone(times: number, options: WorkflowBenchOptions = {}): Promise<string> {
  const settings = benchSettings(options);
  const rows: FanOutRow[] = [];
  for (let round = 0; round < times; round++)
    for (const [reserve, warmSpares] of FAN_OUT_CASES)
      rows.push(await runFanOut(settings, reserve, warmSpares));
  return formatFanOut(settings, rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "steps")
    console.log(formatStepCosts(await runStepCostsAlone({ chains: Number(process.argv[3] ?? 100) })));
  else if (process.argv[2] === "fanout") console.log(await runFanOutAlone(Number(process.argv[3] ?? 1)));
  else console.log(formatWorkflowBench(await runWorkflowBench()));
}
