/**
 * The `feature` workflow's planning steps, up to the human approval: the story, its elaboration,
 * the gap analysis, the specification they make together, and the model's go/no-go that the
 * person decides on. Each node is one model step (model-step.ts) on its own task kind.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { RunGate } from "../../store/runs-store.js";
import { runModelStep } from "../model-step.js";
import type { RunContext, RunContexts } from "../run-context.js";
import {
  elaborationOutput,
  type Gaps,
  gapsOutput,
  type Recommendation,
  recommendationOutput,
  type Story,
  storyOutput,
} from "../step-outputs.js";
import type { FeatureValues } from "./feature-state.js";
import { artefactOr, jsonAsMarkdown, renderPrompt } from "./step-helpers.js";

type Node = (state: FeatureValues, config: LangGraphRunnableConfig) => Promise<Partial<FeatureValues>>;

export function storyMarkdown(story: Story): string {
  return [
    `# ${story.title}`,
    "",
    `As ${story.as_a}, I want ${story.i_want}, so that ${story.so_that}.`,
    "",
    "Acceptance criteria:",
    ...story.acceptance_criteria.map((criterion) => `- ${criterion}`),
  ].join("\n");
}

async function storyText(context: RunContext, state: FeatureValues): Promise<string> {
  const text = await artefactOr(context, state.storyId);
  try {
    return storyMarkdown(storyOutput.parse(JSON.parse(text)));
  } catch {
    return text;
  }
}

export function storyNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { value, artefactId } = await runModelStep(context, {
      key: "story-drafting",
      node: "story-drafting",
      label: "Draft the story",
      task: "story-drafting",
      prompt: renderPrompt(context, "story-drafting", { request: state.request }),
      output: { type: "json", schema: storyOutput },
      artefact: { kind: "story", name: "story" },
    });
    return { storyId: artefactId, title: value.title };
  };
}

export function elaborationNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { artefactId } = await runModelStep(context, {
      key: "elaboration",
      node: "elaboration",
      label: "Elaborate the story",
      task: "elaboration",
      prompt: renderPrompt(context, "elaboration", {
        request: state.request,
        story: await storyText(context, state),
      }),
      output: { type: "json", schema: elaborationOutput },
      artefact: { kind: "elaboration", name: "elaboration" },
    });
    return { elaborationId: artefactId };
  };
}

export function gapAnalysisNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const { artefactId } = await runModelStep(context, {
      key: "gap-analysis",
      node: "gap-analysis",
      label: "Find the gaps",
      task: "gap-analysis",
      prompt: renderPrompt(context, "gap-analysis", {
        story: await storyText(context, state),
        elaboration: jsonAsMarkdown(await artefactOr(context, state.elaborationId)),
      }),
      output: { type: "json", schema: gapsOutput },
      artefact: { kind: "gaps", name: "gap analysis" },
    });
    return { gapsId: artefactId };
  };
}

/** The specification the code and tests are written from: the story, its elaboration, its gaps. */
async function specification(context: RunContext, state: FeatureValues): Promise<string> {
  return [
    await storyText(context, state),
    "",
    "## Elaboration",
    jsonAsMarkdown(await artefactOr(context, state.elaborationId)),
    "",
    "## Gaps to cover",
    gapLines(await artefactOr(context, state.gapsId)).join("\n") || "(none found)",
  ].join("\n");
}

function gapLines(text: string): string[] {
  try {
    const gaps = gapsOutput.parse(JSON.parse(text)) as Gaps;
    const order = { high: 0, medium: 1, low: 2 } as const;
    return [...gaps.gaps]
      .sort((left, right) => order[left.impact] - order[right.impact])
      .map((gap) => `- ${gap.gap} (${gap.impact} impact): ${gap.remedy}`);
  } catch {
    return text ? [text] : [];
  }
}

export function decisionGateNode(contexts: RunContexts): Node {
  return async (state, config) => {
    const context = contexts.of(config);
    const spec = await specification(context, state);
    const specId =
      state.specId ??
      (await context.journal.putArtefact({
        stepKey: "decision-gate",
        kind: "spec",
        name: "specification",
        content: spec,
      }));
    const { artefactId } = await runModelStep(context, {
      key: "decision-gate",
      node: "decision-gate",
      label: "Recommend go or no-go",
      task: "decision-gate",
      prompt: renderPrompt(context, "decision-gate", {
        spec,
        gaps: gapLines(await artefactOr(context, state.gapsId)).join("\n") || "(none found)",
      }),
      output: { type: "json", schema: recommendationOutput },
      artefact: { kind: "recommendation", name: "go / no-go" },
    });
    return { specId, recommendationId: artefactId };
  };
}

/** The question the approval shows; it only reads (it runs again when the run resumes). */
export async function approvalAsk(state: FeatureValues, context: RunContext): Promise<Omit<RunGate, "step">> {
  let recommendation: Recommendation | undefined;
  try {
    recommendation = recommendationOutput.parse(
      JSON.parse(await artefactOr(context, state.recommendationId)),
    );
  } catch {
    recommendation = undefined;
  }
  const advice = recommendation
    ? `The decision gate says ${recommendation.decision}: ${recommendation.reasons.join("; ")}`
    : "The decision gate gave no recommendation";
  return {
    question: `Build "${state.title || state.request}" as specified? Approve, reject with a reason, or edit the specification.`,
    // Each finding is shown as an item of its own: the gaps without their Markdown bullets.
    findings: [
      advice,
      ...gapLines(await artefactOr(context, state.gapsId)).map((line) => line.replace(/^- /, "")),
    ],
    ...(state.specId ? { editable: state.specId } : {}),
  };
}
