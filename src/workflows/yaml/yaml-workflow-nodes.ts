/**
 * The node kinds a YAML workflow is made of, each the same kind of step the built-in workflows
 * use: a model step (model-step.ts: through the spine, typed — a node with `verdicts:` answers
 * JSON whose verdict its `when:` edge follows, and an answer that does not fit climbs the ladder),
 * the same step once per item of a list (`for_each`, sent in parallel), a command in the run's
 * worktree (worktree-command.ts; its verdict is pass or fail), and a person's approval
 * (human-gate.ts; approved or rejected). Each node's output is an artefact; the state keeps its
 * id, verdict and how many times the node ran, so a node in a loop stops at `max_runs`.
 */
import { Annotation, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import type { RunGate } from "../../store/runs-store.js";
import { jsonAsMarkdown } from "../graphs/step-helpers.js";
import { humanGateNode } from "../human-gate.js";
import { runModelStep } from "../model-step.js";
import { placeholdersOf, renderTemplate } from "../prompt-template.js";
import { runRecordedStep } from "../recorded-step.js";
import type { RunContext, RunContexts } from "../run-context.js";
import { openWorktree, type Worktree } from "../run-worktree.js";
import { plainTextParser } from "../step-outputs.js";
import { appended, lastValue, type RunResult } from "../workflow-definition.js";
import { commandReport, commandSummary, runInWorktree } from "../worktree-command.js";
import type { YamlNode, YamlWorkflowSpec } from "./yaml-workflow-schema.js";

export interface NodeOutput {
  /** How many times the node has run (its steps' keys are `<id>#<visit>`). */
  visit: number;
  artefactId: string | null;
  verdict: string | null;
  /** A gate's decision in words (`rejected: too risky`). */
  note: string | null;
}

export interface ItemOutput {
  node: string;
  visit: number;
  item: string;
  artefactId: string;
}

export const YamlState = {
  inputs: lastValue<Record<string, string>>({}),
  worktreeName: lastValue<string>(""),
  outputs: Annotation<Record<string, NodeOutput>>({
    reducer: (previous, next) => ({ ...previous, ...next }),
    default: () => ({}),
  }),
  items: appended<ItemOutput>(),
  worktree: lastValue<Worktree | null>(null),
  result: lastValue<RunResult | null>(null),
};

export type YamlValues = { [Key in keyof typeof YamlState]: (typeof YamlState)[Key]["ValueType"] };
type Update = Partial<YamlValues>;

/** What every node of one workflow shares. */
export interface NodeEnvironment {
  spec: YamlWorkflowSpec;
  /** The file's name as messages give it. */
  file: string;
  contexts: RunContexts;
}

/** A `for_each` input's items: its value split at commas and new lines. */
export function listItems(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

const verdictSchema = (verdicts: readonly string[]) =>
  z.object({
    verdict: z.enum(verdicts as [string, ...string[]]),
    summary: z.string().min(1),
    notes: z.array(z.string()),
  });

/** The run ends when a node would run once more than its `max_runs`. */
function overRun(node: YamlNode, visit: number): Update | undefined {
  if (visit <= node.maxRuns) return undefined;
  const reason = `node "${node.id}" would run a ${ordinal(visit)} time (max_runs ${node.maxRuns}): its loop did not settle`;
  return { result: { status: "rejected", reason, outcome: null } };
}

function ordinal(count: number): string {
  const suffix =
    count % 10 === 1 && count !== 11
      ? "st"
      : count % 10 === 2 && count !== 12
        ? "nd"
        : count % 10 === 3 && count !== 13
          ? "rd"
          : "th";
  return `${count}${suffix}`;
}

export function modelNode(environment: NodeEnvironment, node: Extract<YamlNode, { kind: "model" }>) {
  const schema = node.verdicts ? verdictSchema(node.verdicts) : undefined;
  return async (state: YamlValues, config: LangGraphRunnableConfig): Promise<Update> => {
    if (state.result) return {};
    const visit = (state.outputs[node.id]?.visit ?? 0) + 1;
    const over = overRun(node, visit);
    if (over) return over;
    const context = environment.contexts.of(config);
    const { value, artefactId } = await askModel(environment, node, context, state, {
      key: `${node.id}#${visit}`,
      item: undefined,
      schema,
    });
    const verdict = schema ? (value as { verdict: string }).verdict : null;
    return { outputs: { [node.id]: { visit, artefactId, verdict, note: null } } };
  };
}

/** One worker of a `for_each` node: its input is the Send's payload (the state and its item). */
export function forEachNode(environment: NodeEnvironment, node: Extract<YamlNode, { kind: "model" }>) {
  return async (
    payload: { state: YamlValues; item: string },
    config: LangGraphRunnableConfig,
  ): Promise<Update> => {
    const { state, item } = payload;
    if (state.result) return {};
    const visit = (state.outputs[node.id]?.visit ?? 0) + 1;
    const over = overRun(node, visit);
    if (over) return over;
    const context = environment.contexts.of(config);
    const { artefactId } = await askModel(environment, node, context, state, {
      key: `${node.id}#${visit}:${item}`,
      item,
      schema: undefined,
    });
    return {
      outputs: { [node.id]: { visit, artefactId: null, verdict: null, note: null } },
      items: [{ node: node.id, visit, item, artefactId }],
    };
  };
}

async function askModel(
  environment: NodeEnvironment,
  node: Extract<YamlNode, { kind: "model" }>,
  context: RunContext,
  state: YamlValues,
  step: { key: string; item: string | undefined; schema: z.ZodType | undefined },
) {
  const values = await promptValues(environment, context, state, node.prompt, step.item);
  const prompt = renderTemplate(node.prompt, values, `${environment.file}: node "${node.id}"`);
  const verdictNote = node.verdicts
    ? `\n\nAnswer with one JSON object: "verdict" (one of ${node.verdicts.join(", ")}), "summary" (a sentence or two) and "notes" (a list of strings), and nothing else.`
    : "";
  return runModelStep(context, {
    key: step.key,
    node: node.id,
    label: `${node.label ?? node.id}${step.item ? `: ${step.item}` : ""}`,
    task: node.task,
    ...(node.alias ? { alias: node.alias } : {}),
    prompt: `${prompt}${verdictNote}`,
    output: step.schema ? { type: "json", schema: step.schema } : { type: "text", parse: plainTextParser },
    ...(node.maxTokens ? { maxTokens: node.maxTokens } : {}),
    ...(node.tools.length > 0 ? { tools: node.tools } : {}),
    artefact: { kind: node.task, name: `${node.id}${step.item ? ` (${step.item})` : ""}` },
  });
}

/** The values a template uses: `{{input.x}}`, `{{item}}`, and `{{node}}` for a node's output. */
async function promptValues(
  environment: NodeEnvironment,
  context: RunContext,
  state: YamlValues,
  template: string,
  item: string | undefined,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of placeholdersOf(template)) {
    if (name === "item") values[name] = item ?? "";
    else if (name.startsWith("input.")) values[name] = state.inputs[name.slice("input.".length)] ?? "";
    else values[name] = await outputText(environment, context, state, name);
  }
  return values;
}

/** A node's output as the next prompt reads it, cut at `workflows.max_context_chars`. */
export async function outputText(
  environment: NodeEnvironment,
  context: RunContext,
  state: YamlValues,
  id: string,
): Promise<string> {
  const node = environment.spec.nodes.find((candidate) => candidate.id === id);
  const output = state.outputs[id];
  if (!node || !output) return "(not run yet)";
  let text: string;
  if (node.kind === "gate") text = output.note ?? output.verdict ?? "";
  else if (node.kind === "model" && node.forEach) {
    const items = state.items.filter((entry) => entry.node === id && entry.visit === output.visit);
    const parts = await Promise.all(
      items.map(
        async (entry) => `### ${entry.item}\n${await context.journal.artefactText(entry.artefactId)}`,
      ),
    );
    text = parts.sort().join("\n\n");
  } else {
    const raw = output.artefactId ? await context.journal.artefactText(output.artefactId) : "";
    text = node.kind === "model" && node.verdicts ? jsonAsMarkdown(raw) : raw;
  }
  const limit = context.settings.max_context_chars;
  return text.length > limit ? `${text.slice(0, limit)}\n… (cut)` : text;
}

export function commandNode(environment: NodeEnvironment, node: Extract<YamlNode, { kind: "command" }>) {
  /** Worktrees being made, by run: two commands in parallel make one worktree. */
  const making = new Map<string, Promise<Worktree>>();
  const ensureWorktree = (context: RunContext, state: YamlValues): Promise<Worktree> => {
    if (state.worktree) return Promise.resolve(state.worktree);
    let made = making.get(context.run.id);
    if (!made) {
      made = runRecordedStep(
        context,
        { key: "make-worktree", node: node.id, label: "Make the run's worktree", kind: "tool" },
        async () => {
          const worktree = await openWorktree(context.tools, {
            name: state.worktreeName,
            branchPrefix: context.settings.branch_prefix,
            signal: context.signal,
          });
          await context.journal.recordWorktree(worktree.path, worktree.branch);
          return { value: worktree, detail: `${worktree.branch} at ${worktree.path}` };
        },
      )
        .then(({ value }) => value)
        .finally(() => making.delete(context.run.id));
      making.set(context.run.id, made);
    }
    return made;
  };
  return async (state: YamlValues, config: LangGraphRunnableConfig): Promise<Update> => {
    if (state.result) return {};
    const visit = (state.outputs[node.id]?.visit ?? 0) + 1;
    const over = overRun(node, visit);
    if (over) return over;
    const context = environment.contexts.of(config);
    const worktree = await ensureWorktree(context, state);
    const { value: passed, artefactId } = await runRecordedStep(
      context,
      { key: `${node.id}#${visit}`, node: node.id, label: node.label ?? node.command, kind: "command" },
      async () => {
        const run = await runInWorktree(node.command, worktree.path, {
          timeoutMs: node.timeoutMs ?? context.settings.command_timeout_ms,
          signal: context.signal,
        });
        return {
          value: run.passed,
          detail: commandSummary(run),
          artefact: { kind: "command-output", name: node.command, content: commandReport(run) },
        };
      },
    );
    return {
      worktree,
      outputs: { [node.id]: { visit, artefactId, verdict: passed ? "pass" : "fail", note: null } },
    };
  };
}

export function gateNode(environment: NodeEnvironment, node: Extract<YamlNode, { kind: "gate" }>) {
  const label = node.label ?? node.question;
  const shown = node.show[0];
  const gate = humanGateNode<YamlValues>(environment.contexts, {
    node: node.id,
    label,
    ask: async (state, context): Promise<Omit<RunGate, "step">> => {
      const findings = await Promise.all(
        node.show.map(
          async (id) => `${id}: ${cut(await outputText(environment, context, state, id), 2_000)}`,
        ),
      );
      const editable = shown ? state.outputs[shown]?.artefactId : undefined;
      return { question: node.question, findings, ...(editable ? { editable } : {}) };
    },
    edited: { kind: "edited", name: `${shown ?? node.id} (edited at ${node.id})` },
  });
  // A rejection nobody routes ends the run with its reason.
  const routed = environment.spec.edges.some(
    (edge) => edge.from[0] === node.id && edge.when !== undefined && "rejected" in edge.when,
  );
  return async (state: YamlValues, config: LangGraphRunnableConfig): Promise<Update> => {
    // Only reads before the gate's interrupt: this runs again from here when the run resumes.
    if (state.result) return {};
    const visit = (state.outputs[node.id]?.visit ?? 0) + 1;
    const over = overRun(node, visit);
    if (over) return over;
    const { decision } = await gate(state, config);
    if (decision.action === "reject") {
      const output = { visit, artefactId: null, verdict: "rejected", note: `rejected: ${decision.reason}` };
      return {
        outputs: { [node.id]: output },
        ...(routed ? {} : { result: { status: "rejected", reason: decision.reason, outcome: null } }),
      };
    }
    const output = {
      visit,
      artefactId: null,
      verdict: "approved",
      note: decision.action === "edit" ? "approved, edited" : "approved",
    };
    if (decision.action === "edit" && shown) {
      const previous = state.outputs[shown] ?? { visit: 0, verdict: null, note: null };
      return { outputs: { [node.id]: output, [shown]: { ...previous, artefactId: decision.artefactId } } };
    }
    return { outputs: { [node.id]: output } };
  };
}

function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (cut)` : text;
}
