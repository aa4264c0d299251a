/**
 * `bughunt`: plan → explore ∥ explore ∥ … → aggregate → synthesise. The plan lists the
 * repository's source files through the hub and groups them into modules (`--modules` names
 * them; by default each folder under `src/`, or under the top when there is no `src/`); one
 * explorer per module (LangGraph `Send`) reads its files and reports findings on the task's own
 * rung, as wide as the fan-out limiter allows; the findings are deduplicated and ranked without a
 * model; the synthesis is a code review of the ranked list (Sonnet by the routing table).
 */

import { statSync } from "node:fs";
import { extname } from "node:path";
import { END, type LangGraphRunnableConfig, Send, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { fanOutSends } from "../fan-out-sends.js";
import { listFiles, readFilesBlock, SOURCE_EXTENSIONS } from "../file-context.js";
import { runModelStep } from "../model-step.js";
import { runRecordedStep } from "../recorded-step.js";
import type { RunContexts } from "../run-context.js";
import { findingsOutput, plainTextParser } from "../step-outputs.js";
import { appended, lastValue, type RunResult, type WorkflowDefinition } from "../workflow-definition.js";
import { findingsTable, rankFindings } from "./findings-ranking.js";
import { existingPath, invalidInput } from "./repository-input.js";
import { renderPrompt } from "./step-helpers.js";

export interface HuntModule {
  name: string;
  files: string[];
}

const BughuntState = {
  only: lastValue<string[]>([]),
  modules: lastValue<HuntModule[]>([]),
  findings: appended<{ module: string; artefactId: string; count: number }>(),
  rankedId: lastValue<string | null>(null),
  rankedCount: lastValue<number>(0),
  result: lastValue<RunResult | null>(null),
};

type BughuntValues = { [Key in keyof typeof BughuntState]: (typeof BughuntState)[Key]["ValueType"] };

const bughuntInput = z.object({
  repo: z.string().trim().min(1, { error: "--repo must name the folder to hunt in" }),
  modules: z.array(z.string().trim().min(1)).optional(),
});

/** Files per module the plan keeps (the explorer reads what fits `max_context_chars` of them). */
const MAX_FILES_PER_MODULE = 200;
const SKIPPED_FOLDERS = /(^|\/)(dist|build|coverage|vendor|\.[^/]+)\//;

/** Groups source files into modules: the named prefixes, else the folders under `src/` (or the top). */
export function planModules(files: readonly string[], only: readonly string[]): HuntModule[] {
  const sources = files.filter((file) => SOURCE_EXTENSIONS.has(extname(file)) && !SKIPPED_FOLDERS.test(file));
  const groups = new Map<string, string[]>();
  const add = (name: string, file: string) => {
    const group = groups.get(name) ?? [];
    group.push(file);
    groups.set(name, group);
  };
  if (only.length > 0) {
    for (const prefix of only) {
      const clean = prefix.replace(/^\.\//, "").replace(/\/$/, "");
      for (const file of sources) if (file === clean || file.startsWith(`${clean}/`)) add(clean, file);
    }
  } else {
    const base = sources.some((file) => file.startsWith("src/")) ? "src/" : "";
    for (const file of sources) {
      if (!file.startsWith(base)) continue;
      const rest = file.slice(base.length);
      const slash = rest.indexOf("/");
      add(slash === -1 ? base.replace(/\/$/, "") || "(top level)" : `${base}${rest.slice(0, slash)}`, file);
    }
  }
  return [...groups.entries()]
    .map(([name, group]) => ({ name, files: group.sort().slice(0, MAX_FILES_PER_MODULE) }))
    .sort((left, right) => left.name.localeCompare(right.name));
}

export const bughuntWorkflow: WorkflowDefinition = {
  name: "bughunt",
  description: "one explorer per module in parallel, findings deduplicated and ranked, a synthesis on Sonnet",
  outline: [
    { id: "plan", label: "Group the files into modules", next: ["explore"] },
    { id: "explore", label: "Explore each module (in parallel)", next: ["aggregate"] },
    { id: "aggregate", label: "Deduplicate and rank the findings", next: ["synthesise"] },
    { id: "synthesise", label: "Synthesise the report", next: [] },
  ],
  async prepare(input, environment) {
    const parsed = bughuntInput.safeParse(input);
    if (!parsed.success) throw invalidInput("bughunt", parsed.error);
    const root = existingPath(parsed.data.repo, environment, "The folder to hunt in");
    if (!statSync(root).isDirectory())
      throw new SwitchyardError("invalid-request", `--repo ${root} is a file; name the folder to hunt in`);
    const only = parsed.data.modules ?? [];
    return {
      input: { repo: root, modules: only },
      repository: root,
      tools: { fsRoot: { kind: "path", path: root }, fsWrites: false, fsMaxResults: 20_000 },
      state: { only },
    };
  },
  graph(contexts: RunContexts) {
    return new StateGraph(BughuntState)
      .addNode("plan", async (state: BughuntValues, config: LangGraphRunnableConfig) => {
        const context = contexts.of(config);
        const { value } = await runRecordedStep(
          context,
          { key: "plan", node: "plan", label: "Group the files into modules", kind: "tool" },
          async () => {
            const modules = planModules(await listFiles(context.tools, context.signal), state.only);
            if (modules.length === 0)
              throw new SwitchyardError(
                "invalid-request",
                state.only.length > 0
                  ? `No source files under ${state.only.join(", ")}`
                  : "No source files found to hunt in",
              );
            return { value: modules, detail: `${modules.length} modules` };
          },
        );
        return { modules: value };
      })
      .addNode(
        "explore",
        async (input: { module: HuntModule }, config: LangGraphRunnableConfig) => {
          const context = contexts.of(config);
          const { module } = input;
          const files = await readFilesBlock(
            context.tools,
            module.files,
            context.settings.max_context_chars,
            context.signal,
          );
          const { value, artefactId } = await runModelStep(context, {
            key: `explore:${module.name}`,
            node: "explore",
            label: `Explore ${module.name}`,
            task: "bug-hunting",
            prompt: renderPrompt(context, "explore", { module: module.name, files }),
            output: { type: "json", schema: findingsOutput },
            artefact: { kind: "findings", name: `findings in ${module.name}` },
          });
          return { findings: [{ module: module.name, artefactId, count: value.findings.length }] };
        },
        // The node's input is the Send's payload, not the workflow's state.
      )
      .addNode("aggregate", async (state: BughuntValues, config: LangGraphRunnableConfig) => {
        const context = contexts.of(config);
        const { value, artefactId } = await runRecordedStep(
          context,
          { key: "aggregate", node: "aggregate", label: "Deduplicate and rank the findings", kind: "logic" },
          async () => {
            const groups = await Promise.all(
              state.findings.map(async (entry) => ({
                module: entry.module,
                findings: findingsOutput.parse(
                  JSON.parse(await context.journal.artefactText(entry.artefactId)),
                ).findings,
              })),
            );
            const ranked = rankFindings(groups);
            const reported = groups.reduce((sum, group) => sum + group.findings.length, 0);
            return {
              value: ranked.length,
              detail: `${ranked.length} findings (${reported} reported by ${groups.length} explorers)`,
              artefact: { kind: "ranked-findings", name: "ranked findings", content: JSON.stringify(ranked) },
            };
          },
        );
        return { rankedId: artefactId, rankedCount: value };
      })
      .addNode("synthesise", async (state: BughuntValues, config: LangGraphRunnableConfig) => {
        const context = contexts.of(config);
        const ranked = JSON.parse(await context.journal.artefactText(state.rankedId!));
        const { artefactId } = await runModelStep(context, {
          key: "synthesise",
          node: "synthesise",
          label: "Synthesise the report",
          task: "code-review",
          prompt: renderPrompt(context, "bughunt-synthesis", {
            modules: state.modules.map((module) => module.name).join(", "),
            findings: findingsTable(ranked),
          }),
          output: { type: "text", parse: plainTextParser },
          artefact: { kind: "report", name: "bug hunt report" },
        });
        const outcome = { report: artefactId, findings: state.rankedCount, modules: state.modules.length };
        return { result: { status: "done", reason: null, outcome } as RunResult };
      })
      .addEdge(START, "plan")
      .addConditionalEdges(
        "plan",
        (state: BughuntValues) => fanOutSends(state.modules.map((module) => new Send("explore", { module }))),
        ["explore"],
      )
      .addEdge("explore", "aggregate")
      .addEdge("aggregate", "synthesise")
      .addEdge("synthesise", END);
  },
};
