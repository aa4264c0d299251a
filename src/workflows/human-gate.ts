/**
 * Human approval: a node of its own that pauses the run (LangGraph `interrupt`) until a person
 * approves, rejects with a reason, or edits what they were shown. LangGraph runs a node again
 * from its start when the run resumes, so everything before the `interrupt()` here only reads —
 * the question is built from the state — and the decision is recorded after it, once.
 */
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { RunGate } from "../store/runs-store.js";
import type { RunContext, RunContexts } from "./run-context.js";

export const gateDecisionSchema = z.discriminatedUnion(
  "action",
  [
    z.object({ action: z.literal("approve"), note: z.string().optional() }),
    z.object({
      action: z.literal("reject"),
      reason: z.string().trim().min(1, { error: "a rejection needs a reason (--reason)" }),
    }),
    z.object({
      action: z.literal("edit"),
      text: z.string().trim().min(1, { error: "an edit needs the edited text" }),
      note: z.string().optional(),
    }),
  ],
  { error: 'the decision must be { action: "approve" | "reject" | "edit" }' },
);

export type GateDecision = z.output<typeof gateDecisionSchema>;

/** What the state keeps of a decision: the edited text is an artefact, referred to by id. */
export type RecordedDecision =
  | { action: "approve" }
  | { action: "reject"; reason: string }
  | { action: "edit"; artefactId: string };

export interface HumanGateOptions<State> {
  node: string;
  label: string;
  /** The question and what to show beside it; must only read (it runs again on resume). */
  ask(state: State, context: RunContext): Promise<Omit<RunGate, "step">>;
  /** Where an edit's text is kept: its artefact kind and name. */
  edited: { kind: string; name: string };
}

export function humanGateNode<State>(contexts: RunContexts, options: HumanGateOptions<State>) {
  return async (state: State, config: LangGraphRunnableConfig): Promise<{ decision: RecordedDecision }> => {
    const context = contexts.of(config);
    const asked: RunGate = { step: options.node, ...(await options.ask(state, context)) };
    const answer = interrupt<RunGate, unknown>(asked);
    const parsed = gateDecisionSchema.safeParse(answer);
    if (!parsed.success)
      throw new SwitchyardError(
        "invalid-request",
        `The decision for ${options.label}: ${parsed.error.issues[0]?.message}`,
      );
    const decision = parsed.data;
    const started = await context.journal.start({
      key: options.node,
      node: options.node,
      kind: "human",
      label: options.label,
    });
    if (decision.action === "edit") {
      const artefactId = await context.journal.putArtefact({
        stepKey: options.node,
        kind: options.edited.kind,
        name: options.edited.name,
        content: decision.text,
      });
      await context.journal.finish(started, { detail: "edited", artefactId });
      return { decision: { action: "edit", artefactId } };
    }
    if (decision.action === "reject") {
      await context.journal.finish(started, { detail: `rejected: ${decision.reason}` });
      return { decision: { action: "reject", reason: decision.reason } };
    }
    await context.journal.finish(started, { detail: "approved" });
    return { decision: { action: "approve" } };
  };
}
