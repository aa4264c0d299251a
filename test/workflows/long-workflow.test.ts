/**
 * A run longer than LangGraph's default 25 supersteps (a feature run with more fix rounds
 * configured, a YAML workflow of many steps) runs to its end through the runner, each step
 * recorded, rather than failing with a recursion error.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, START, StateGraph } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import { runRecordedStep } from "../../src/workflows/recorded-step.js";
import type { RunContexts } from "../../src/workflows/run-context.js";
import {
  lastValue,
  type RunResult,
  type WorkflowDefinition,
} from "../../src/workflows/workflow-definition.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { openRuns } from "../helpers/workflow-harness.js";

const STEPS = 40;
const State = { count: lastValue<number>(0), result: lastValue<RunResult | null>(null) };

const longWorkflow: WorkflowDefinition = {
  name: "long",
  description: `${STEPS} steps in a line`,
  outline: [],
  async prepare() {
    return { input: {}, repository: null, tools: { fsRoot: { kind: "none" }, fsWrites: false }, state: {} };
  },
  graph(contexts: RunContexts) {
    // biome-ignore lint/suspicious/noExplicitAny: the graph's type grows with every node added in the loop.
    let graph: any = new StateGraph(State);
    for (let index = 0; index < STEPS; index++) {
      graph = graph
        .addNode(`step-${index}`, async (_state: unknown, config: LangGraphRunnableConfig) => {
          await runRecordedStep(
            contexts.of(config),
            { key: `step-${index}`, node: `step-${index}`, label: `Step ${index}`, kind: "logic" },
            async () => ({ value: index }),
          );
          return index === STEPS - 1
            ? { count: index, result: { status: "done", reason: null, outcome: { steps: STEPS } } }
            : { count: index };
        })
        .addEdge(index === 0 ? START : `step-${index - 1}`, `step-${index}`);
    }
    return graph.addEdge(`step-${STEPS - 1}`, END);
  },
};

describe("a long workflow", () => {
  let spine: Spine | undefined;
  afterEach(async () => {
    await spine?.close();
    spine = undefined;
  });

  it(`runs all ${STEPS} steps to the end`, async () => {
    spine = await startSpine();
    const runs = await openRuns(spine.runtime);
    try {
      const started = await runs.runner.start(longWorkflow, {}, { cwd: process.cwd() });
      const done = await runs.runner.halted(started.id);
      expect(done.status, done.reason ?? "").toBe("done");
      expect(done.outcome).toEqual({ steps: STEPS });
      const { steps } = await runs.show(started.id);
      expect(steps).toHaveLength(STEPS);
      expect(steps.every((step) => step.status === "done")).toBe(true);
    } finally {
      await runs.close();
    }
  });
});
