/**
 * The light run context (src/workflows/light-run-context.ts): with it installed, a LangGraph node
 * still reads its config (`getConfig`) and still pauses and resumes at `interrupt()`, and what is
 * stored for the call is a plain object, not a langsmith RunTree; a call with callbacks takes the
 * library's own path; with tracing on it is not installed at all.
 */
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import {
  Annotation,
  Command,
  END,
  getConfig,
  interrupt,
  MemorySaver,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  installLightRunContext,
  lightRunContextInstalled,
  uninstallLightRunContext,
} from "../../src/workflows/light-run-context.js";

const State = Annotation.Root({
  answer: Annotation<string>(),
  seen: Annotation<string>(),
});

/** What the storage holds inside a node: a RunTree has a dotted order; the light object has none. */
function storedKind(): "run-tree" | "plain" | "none" {
  const stored = AsyncLocalStorageProviderSingleton.getInstance().getStore() as
    | { dotted_order?: string }
    | undefined;
  if (stored === undefined) return "none";
  return typeof stored.dotted_order === "string" ? "run-tree" : "plain";
}

describe("the light run context", () => {
  // The runner installs it on construction; each test starts from the library's own path.
  beforeEach(() => uninstallLightRunContext());
  afterAll(() => installLightRunContext());

  it("is not installed while tracing is on", () => {
    expect(installLightRunContext({ LANGSMITH_TRACING: "true" })).toBe(false);
    expect(lightRunContextInstalled()).toBe(false);
  });

  it("keeps getConfig and interrupt working in a node, with no RunTree stored", async () => {
    expect(installLightRunContext({})).toBe(true);
    const kinds: string[] = [];
    const graph = new StateGraph(State)
      .addNode("ask", () => {
        kinds.push(storedKind());
        const threadId = getConfig().configurable?.thread_id as string;
        const answer = interrupt({ question: "go?" }) as string;
        return { answer, seen: threadId };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "light-1" } };
    await graph.invoke({ answer: "", seen: "" }, config);
    const paused = await graph.getState(config);
    expect(paused.tasks.flatMap((task) => task.interrupts).map((entry) => entry.value)).toEqual([
      { question: "go?" },
    ]);
    const done = await graph.invoke(new Command({ resume: "yes" }), config);
    expect(done).toMatchObject({ answer: "yes", seen: "light-1" });
    expect(kinds).toEqual(["plain", "plain"]);
    // And the library's own path, for comparison, stores a RunTree.
    uninstallLightRunContext();
    kinds.length = 0;
    await graph.invoke({ answer: "", seen: "" }, { configurable: { thread_id: "light-2" } });
    expect(kinds).toEqual(["run-tree"]);
  });

  it("leaves a call with callbacks to the library's own path (a RunTree)", async () => {
    expect(installLightRunContext({})).toBe(true);
    const kinds: string[] = [];
    const graph = new StateGraph(State)
      .addNode("look", () => {
        kinds.push(storedKind());
        return { seen: "x" };
      })
      .addEdge(START, "look")
      .addEdge("look", END)
      .compile();
    await graph.invoke({ answer: "", seen: "" }, { callbacks: [{ handleChainStart() {} }] });
    expect(kinds).toEqual(["run-tree"]);
  });
});
