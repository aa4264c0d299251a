/**
 * `npm run bench`: every benchmark in one run, each reported side by side with its baseline and
 * as ratios. Not part of the tests: numbers depend on the machine, so nothing here asserts.
 */

import { formatBudgetBench, runBudgetBench } from "./budget-bench.js";
import { formatCliStartBench, runCliStartBench } from "./cli-start-bench.js";
import { formatDashboardBench, runDashboardBench } from "./dashboard-bench.js";
import { formatEngineBench, runEngineBench } from "./engine-bench.js";
import { formatEvalEconomics, runEvalEconomics } from "./eval-economics.js";
import { formatGatewayBench, runGatewayBench } from "./gateway-bench.js";
import { formatRoutingBench, runRoutingBench } from "./routing-bench.js";
import { formatServePaidBench, runServePaidBench } from "./serve-paid-bench.js";
import { formatStreamLoadBench, runStreamLoadBench, streamLoadOptionsFromEnv } from "./stream-load-bench.js";
import { formatWorkflowBench, runWorkflowBench } from "./workflow-bench.js";

const started = performance.now();
const sections: string[] = [];

// First, while this process (the load generator) is fresh: the benchmarks after it leave a large
// heap behind, and a load generator busy collecting it shares the cores with the gateway.
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const gateway = await runGatewayBench({ durationMs });
sections.push(formatGatewayBench(gateway));
console.log(sections.at(-1), "\n");

// The gateway's paid path as users run it: `switchyard serve`, no max_tokens, beside max_tokens set.
sections.push(formatServePaidBench(await runServePaidBench({ durationMs })));
console.log(sections.at(-1), "\n");

// 1,000 streaming clients for a minute (BENCH_STREAMS_DURATION_MS; BENCH_STREAMS=0 leaves it out).
const streams = streamLoadOptionsFromEnv();
if (streams.streams !== 0) {
  sections.push(formatStreamLoadBench(await runStreamLoadBench(streams)));
  console.log(sections.at(-1), "\n");
}

// Reported next to the gateway figures: what the budget step adds to a paid request.
sections.push(formatBudgetBench(await runBudgetBench()));
console.log(sections.at(-1), "\n");

const routing = await runRoutingBench();
sections.push(formatRoutingBench(routing));
console.log(sections.at(-1), "\n");

// The ladder's economics from the eval suite (the figures escalation-sim.ts once modelled).
sections.push(formatEvalEconomics(await runEvalEconomics()));
console.log(sections.at(-1), "\n");

const engines = await runEngineBench();
sections.push(formatEngineBench(engines));
console.log(sections.at(-1), "\n");

// The workflows: the bug hunt's fan-out against one after another, the cost of a step, and memory
// over 200 runs (before the dashboard bench, whose million-row ledger leaves a large heap behind).
sections.push(formatWorkflowBench(await runWorkflowBench()));
console.log(sections.at(-1), "\n");

// How long the everyday commands take to start, as built (npm run bench builds first); under a minute.
sections.push(formatCliStartBench(await runCliStartBench()));
console.log(sections.at(-1), "\n");

// Last: it seeds a ledger of a million rows, and compares the gateway with and without the dashboard.
sections.push(formatDashboardBench(await runDashboardBench()));
console.log(sections.at(-1), "\n");

console.log(`benchmarks finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
