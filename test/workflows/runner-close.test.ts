/**
 * A process that closes while a run is mid-step leaves the run resumable, saying who will pick it
 * up: a Brain resumes it as it starts; a command (`switchyard run`) leaves it to
 * `switchyard resume`. The step waits on a promise the test holds, so the close lands mid-step.
 */
import { tmpdir } from "node:os";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, START, StateGraph } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import { runRecordedStep } from "../../src/workflows/recorded-step.js";
import type { RunContexts } from "../../src/workflows/run-context.js";
import { RunsService } from "../../src/workflows/runs-service.js";
import {
  lastValue,
  type RunResult,
  type WorkflowDefinition,
} from "../../src/workflows/workflow-definition.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { TSX_LAUNCHER } from "../helpers/workflow-harness.js";

const State = { count: lastValue<number>(0), result: lastValue<RunResult | null>(null) };

/** One step that waits until the run is aborted (the close), then gives up with the signal's reason. */
function waitingWorkflow(entered: () => void): WorkflowDefinition {
  return {
    name: "waiting",
    description: "one step that waits",
    outline: [],
    async prepare() {
      return { input: {}, repository: null, tools: { fsRoot: { kind: "none" }, fsWrites: false }, state: {} };
    },
    graph(contexts: RunContexts) {
      return new StateGraph(State)
        .addNode("wait", async (_state: unknown, config: LangGraphRunnableConfig) => {
          const context = contexts.of(config);
          await runRecordedStep(context, { key: "wait", node: "wait", label: "Wait", kind: "logic" }, () => {
            entered();
            return new Promise<never>((_resolve, reject) =>
              context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true }),
            );
          });
          return { count: 1 };
        })
        .addEdge(START, "wait")
        .addEdge("wait", END);
    },
  };
}

describe("closing mid-step", () => {
  let spine: Spine | undefined;
  afterEach(async () => {
    await spine?.close();
    spine = undefined;
  });

  for (const [host, reason] of [
    [undefined, /^The Brain stopped mid-step; it resumes this run on start$/],
    [
      "command",
      /^Stopped mid-step with the command that ran it; switchyard resume \S+ continues from the last completed step$/,
    ],
  ] as const) {
    it(`leaves the run resumable, as ${host === "command" ? "a command" : "a Brain"} says`, async () => {
      spine = await startSpine();
      const runs = await RunsService.open({
        runtime: spine.runtime,
        launcher: TSX_LAUNCHER,
        env: { SWITCHYARD_HOME: tmpdir() },
        ...(host ? { host } : {}),
      });
      let entered!: () => void;
      const inStep = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const started = await runs.runner.start(waitingWorkflow(entered), {}, { cwd: process.cwd() });
      await inStep;
      await runs.close();
      const stopped = await spine.runtime.stores.runs.getRun(started.id);
      expect(stopped?.status).toBe("running");
      expect(stopped?.owner).toBeNull();
      expect(stopped?.reason).toMatch(reason);
      if (host === "command") expect(stopped?.reason).toContain(started.id);
    });
  }
});
