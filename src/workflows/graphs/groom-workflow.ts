/**
 * `groom`: plan → groom ∥ groom ∥ … → aggregate → synthesise. The plan reads the backlog through
 * the run's hub (a Markdown or JSON file, or a folder of stories: backlog-stories.ts) and keeps
 * its stories as an artefact; one groomer per story (LangGraph `Send`, as wide as the fan-out
 * limiter allows) sizes it, rates it, names a duplicate and its open questions on the
 * backlog-grooming task's own rung, typed (an answer that does not fit climbs the ladder); the
 * answers are made into one ranked backlog without a model (backlog-ranking.ts); a gap analysis
 * of it (Sonnet by the routing table) closes the report. The backlog itself is only read.
 */
import { statSync } from "node:fs";
import { basename, dirname, extname } from "node:path";
import { END, type LangGraphRunnableConfig, Send, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { CancelSignal } from "../../protocol/cancel-signal.js";
import { fanOutSends } from "../fan-out-sends.js";
import { listFiles } from "../file-context.js";
import { runModelStep } from "../model-step.js";
import { runRecordedStep } from "../recorded-step.js";
import type { RunContexts } from "../run-context.js";
import type { RunTools } from "../run-tools.js";
import { groomedStoryOutput, plainTextParser } from "../step-outputs.js";
import { appended, lastValue, type RunResult, type WorkflowDefinition } from "../workflow-definition.js";
import { backlogReport, type GroomedBacklog, rankBacklog } from "./backlog-ranking.js";
import { BACKLOG_EXTENSIONS, type BacklogStory, backlogStories } from "./backlog-stories.js";
import { existingPath, invalidInput } from "./repository-input.js";
import { renderPrompt } from "./step-helpers.js";

/** Where the backlog is, as the run's fs server (rooted at `root`) sees it. */
interface BacklogSource {
  /** A display name: the file's or the folder's name. */
  name: string;
  /** The one file to read (relative to the root), or null for a folder of stories. */
  file: string | null;
}

const GroomState = {
  source: lastValue<BacklogSource>({ name: "", file: null }),
  storiesId: lastValue<string | null>(null),
  stories: lastValue<Array<{ index: number; id: string }>>([]),
  groomed: appended<{ index: number; artefactId: string }>(),
  backlogId: lastValue<string | null>(null),
  result: lastValue<RunResult | null>(null),
};

type GroomValues = { [Key in keyof typeof GroomState]: (typeof GroomState)[Key]["ValueType"] };

const groomInput = z.object({
  backlog: z
    .string({ error: "--backlog must name a Markdown or JSON file of stories, or a folder of them" })
    .trim()
    .min(1, { error: "--backlog must name a Markdown or JSON file of stories, or a folder of them" }),
});

const SKIPPED = /(^|\/)(\.[^/]+|node_modules)(\/|$)/;

/** The backlog's stories, read through the run's hub. */
export async function readBacklog(
  tools: RunTools,
  source: BacklogSource,
  signal?: CancelSignal,
): Promise<BacklogStory[]> {
  const names = source.file
    ? [source.file]
    : (await listFiles(tools, signal)).filter(
        (path) => BACKLOG_EXTENSIONS.has(extname(path).toLowerCase()) && !SKIPPED.test(path),
      );
  const files = [];
  for (const name of names)
    files.push({ name, content: await tools.call("fs.read", { path: name }, signal) });
  return backlogStories(files, source.file === null);
}

export const groomWorkflow: WorkflowDefinition = {
  name: "groom",
  description:
    "backlog grooming: each story sized, rated and questioned in parallel, then one ranked backlog",
  outline: [
    { id: "plan", label: "Read the backlog's stories", next: ["groom"] },
    { id: "groom", label: "Groom each story (in parallel)", next: ["aggregate"] },
    { id: "aggregate", label: "Rank the backlog, set duplicates aside", next: ["synthesise"] },
    { id: "synthesise", label: "Review the groomed backlog", next: [] },
  ],
  async prepare(input, environment) {
    const parsed = groomInput.safeParse(input);
    if (!parsed.success) throw invalidInput("groom", parsed.error);
    const path = existingPath(parsed.data.backlog, environment, "The backlog");
    const folder = statSync(path).isDirectory();
    if (!folder && !BACKLOG_EXTENSIONS.has(extname(path).toLowerCase()))
      throw new SwitchyardError(
        "invalid-request",
        `--backlog ${path} is not a Markdown (.md) or JSON (.json) file; name one, or a folder of them`,
      );
    const source: BacklogSource = { name: basename(path), file: folder ? null : basename(path) };
    return {
      input: { backlog: path },
      repository: null,
      tools: {
        fsRoot: { kind: "path", path: folder ? path : dirname(path) },
        fsWrites: false,
        fsMaxResults: 5_000,
      },
      state: { source },
    };
  },
  /** A backlog with no stories, a broken JSON file or a repeated id is one line before the run exists. */
  async verify(tools, prepared) {
    await readBacklog(tools, prepared.state.source as BacklogSource);
  },
  graph(contexts: RunContexts) {
    return new StateGraph(GroomState)
      .addNode("plan", async (state: GroomValues, config: LangGraphRunnableConfig) => {
        const context = contexts.of(config);
        const { value, artefactId } = await runRecordedStep(
          context,
          { key: "plan", node: "plan", label: "Read the backlog's stories", kind: "tool" },
          async () => {
            const stories = await readBacklog(context.tools, state.source, context.signal);
            return {
              value: stories.map((story, index) => ({ index, id: story.id })),
              detail: `${stories.length} stories in ${state.source.name}`,
              artefact: { kind: "stories", name: "stories", content: JSON.stringify(stories) },
            };
          },
        );
        return { stories: value, storiesId: artefactId };
      })
      .addNode(
        "groom",
        async (input: { index: number; storiesId: string }, config: LangGraphRunnableConfig) => {
          const context = contexts.of(config);
          const stories = JSON.parse(await context.journal.artefactText(input.storiesId)) as BacklogStory[];
          const story = stories[input.index]!;
          const others = stories
            .filter((other) => other !== story)
            .map((other) => `- ${other.id}: ${other.title}`)
            .join("\n");
          const limit = context.settings.max_context_chars;
          const { artefactId } = await runModelStep(context, {
            key: `groom:${story.id}`,
            node: "groom",
            label: `Groom ${story.id}`,
            task: "backlog-grooming",
            prompt: renderPrompt(context, "groom", {
              story: `${story.id}: ${story.title}\n\n${story.text}`.trim(),
              backlog:
                others.length > limit ? `${others.slice(0, limit)}\n… (cut)` : others || "(no other stories)",
            }),
            output: { type: "json", schema: groomedStoryOutput },
            artefact: { kind: "groomed-story", name: `${story.id} groomed` },
          });
          return { groomed: [{ index: input.index, artefactId }] };
        },
      )
      .addNode("aggregate", async (state: GroomValues, config: LangGraphRunnableConfig) => {
        const context = contexts.of(config);
        const { artefactId } = await runRecordedStep(
          context,
          {
            key: "aggregate",
            node: "aggregate",
            label: "Rank the backlog, set duplicates aside",
            kind: "logic",
          },
          async () => {
            const stories = JSON.parse(
              await context.journal.artefactText(state.storiesId!),
            ) as BacklogStory[];
            // Answers arrive in the order the groomers finished; the backlog's order decides.
            const groomed = [...state.groomed].sort((left, right) => left.index - right.index);
            const entries = await Promise.all(
              groomed.map(async (entry) => ({
                story: stories[entry.index]!,
                groomed: groomedStoryOutput.parse(
                  JSON.parse(await context.journal.artefactText(entry.artefactId)),
                ),
              })),
            );
            const backlog = rankBacklog(entries);
            return {
              value: backlog,
              detail: `${backlog.totals.ranked} ranked, ${backlog.duplicates.length} duplicates, ${backlog.totals.points} points`,
              artefact: {
                kind: "groomed-backlog",
                name: "groomed backlog",
                content: JSON.stringify(backlog),
              },
            };
          },
        );
        return { backlogId: artefactId };
      })
      .addNode("synthesise", async (state: GroomValues, config: LangGraphRunnableConfig) => {
        const context = contexts.of(config);
        const backlog = JSON.parse(await context.journal.artefactText(state.backlogId!)) as GroomedBacklog;
        const table = backlogReport(backlog, state.source.name);
        const { value: review } = await runModelStep(context, {
          key: "synthesise",
          node: "synthesise",
          label: "Review the groomed backlog",
          task: "gap-analysis",
          prompt: renderPrompt(context, "groom-synthesis", { backlog: table }),
          output: { type: "text", parse: plainTextParser },
          artefact: { kind: "backlog-review", name: "backlog review" },
        });
        const { artefactId: report } = await runRecordedStep(
          context,
          { key: "report", node: "synthesise", label: "Write the report", kind: "logic" },
          async () => ({
            value: null,
            artefact: {
              kind: "report",
              name: "groomed backlog report",
              content: `${table}\n\n## Review\n\n${review}\n`,
            },
          }),
        );
        const outcome = {
          report,
          backlog: state.backlogId,
          stories: backlog.totals.stories,
          ranked: backlog.totals.ranked,
          duplicates: backlog.duplicates.length,
          points: backlog.totals.points,
        };
        return { result: { status: "done", reason: null, outcome } as RunResult };
      })
      .addEdge(START, "plan")
      .addConditionalEdges(
        "plan",
        (state: GroomValues) =>
          fanOutSends(
            state.stories.map(
              (story) => new Send("groom", { index: story.index, storiesId: state.storiesId }),
            ),
          ),
        ["groom"],
      )
      .addEdge("groom", "aggregate")
      .addEdge("aggregate", "synthesise")
      .addEdge("synthesise", END);
  },
};
