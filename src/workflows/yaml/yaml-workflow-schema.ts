/**
 * What a YAML workflow file may say, as zod schemas whose messages read after the thing they are
 * about (`node "lint" names unknown task kind "linting"; use one of …`), and the typed workflow
 * they make. Three kinds of node — a model step (`task:`), a command in the run's worktree
 * (`command:`) and a person's approval (`gate:`) — and edges: plain (`to:`, several targets run
 * in parallel), joins (`from: [a, b]` waits for both) and conditional (`when:` on the node's
 * verdict). How the pieces fit together is checked in yaml-workflow-checks.ts.
 */
import { z } from "zod";
import { TASK_KINDS, type TaskKind } from "../../config/task-kinds.js";

/** Names that mean something in edges and prompts, so no node may take them. */
export const RESERVED_IDS = ["start", "end", "input", "item"] as const;
const NAME = /^[a-z][a-z0-9-]*$/;
const INPUT_NAME = /^[a-z][a-z0-9_-]*$/;

const nodeId = z
  .string({ error: 'needs an id: lowercase letters, digits and "-" (id: lint)' })
  .regex(NAME, { error: 'id must be lowercase letters, digits and "-", starting with a letter (id: lint)' })
  .refine((id) => !(RESERVED_IDS as readonly string[]).includes(id), {
    error: (issue) =>
      `id "${String(issue.input)}" is reserved (${RESERVED_IDS.join(", ")}); name the node otherwise`,
  });

const common = {
  id: nodeId,
  label: z
    .string({ error: "label must be text" })
    .trim()
    .min(1, { error: "label must not be empty" })
    .optional(),
  max_runs: z
    .number({ error: "max_runs must be a whole number from 1 to 50" })
    .int({ error: "max_runs must be a whole number from 1 to 50" })
    .min(1, { error: "max_runs must be a whole number from 1 to 50" })
    .max(50, { error: "max_runs must be a whole number from 1 to 50" })
    .default(3),
};

/** One or several names: `to: review` or `to: [lint, tests]`. */
const names = (what: string) =>
  z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: `${what} must name a node, or a list of them ([lint, tests])`,
    })
    .transform((value) => (typeof value === "string" ? [value] : value));

const verdictWord = z
  .string({ error: "each verdict must be a word" })
  .regex(/^[a-z][a-z0-9-]*$/, { error: "each verdict must be a lowercase word (pass, fail, needs-work)" });

export const modelNodeSchema = z.strictObject({
  ...common,
  task: z.enum(TASK_KINDS, {
    error: (issue) =>
      `names unknown task kind ${JSON.stringify(issue.input)}; use one of ${TASK_KINDS.join(", ")}`,
  }),
  prompt: z
    .string({ error: "needs a prompt (prompt: |, then the text, with {{…}} for values)" })
    .trim()
    .min(1, { error: "has an empty prompt" }),
  tools: names("tools").optional().describe("MCP tool patterns the model may call: git.*, fs.read"),
  alias: z.string({ error: "alias must name a configured alias" }).min(1).optional(),
  verdicts: z
    .array(verdictWord, { error: "verdicts must be a list of words ([pass, fail])" })
    .min(2, { error: "verdicts must list at least two ([pass, fail])" })
    .max(10, { error: "verdicts may list at most ten" })
    .refine((list) => new Set(list).size === list.length, { error: "verdicts lists a word twice" })
    .optional(),
  max_tokens: z
    .number({ error: "max_tokens must be a whole number" })
    .int({ error: "max_tokens must be a whole number" })
    .positive({ error: "max_tokens must be positive" })
    .optional(),
  for_each: z
    .string({ error: "for_each must name an input whose value is a comma-separated list" })
    .min(1)
    .optional(),
});

export const commandNodeSchema = z.strictObject({
  ...common,
  command: z
    .string({ error: "command must be a shell command (command: npm test)" })
    .trim()
    .min(1, { error: "has an empty command" }),
  timeout_ms: z
    .number({ error: "timeout_ms must be a whole number of milliseconds" })
    .int({ error: "timeout_ms must be a whole number of milliseconds" })
    .positive({ error: "timeout_ms must be positive" })
    .optional(),
});

export const gateNodeSchema = z.strictObject({
  ...common,
  gate: z
    .string({ error: "gate must be the question a person answers (gate: Merge this?)" })
    .trim()
    .min(1, { error: "has an empty gate question" }),
  show: names("show").optional(),
});

export const edgeSchema = z
  .strictObject({
    from: names("from"),
    to: names("to").optional(),
    when: z
      .record(z.string(), names("each verdict's target"), {
        error: "when must map each verdict to a node (when: { pass: ship, fail: fix })",
      })
      .optional(),
  })
  .refine((edge) => (edge.to === undefined) !== (edge.when === undefined), {
    error: "needs to: (where it goes) or when: (where each verdict goes), one of them",
  });

const inputSchema = z.strictObject(
  {
    description: z.string({ error: "description must be text" }).optional(),
    required: z.boolean({ error: "required must be true or false" }).default(false),
    default: z
      .union([z.string(), z.number(), z.boolean()], { error: "default must be text or a number" })
      .transform(String)
      .optional(),
  },
  { error: "must be a mapping ({ required: true, description: … })" },
);

export const workflowFileSchema = z.strictObject(
  {
    name: z
      .string({ error: "name must be a word" })
      .regex(NAME, { error: 'name must be lowercase letters, digits and "-" (name: triage)' })
      .optional(),
    description: z.string({ error: "description must be text" }).optional(),
    report: z.string({ error: "report must name the node whose answer is the run's report" }).optional(),
    inputs: z
      .record(
        z
          .string()
          .regex(INPUT_NAME, { error: 'must be named in lowercase letters, digits, "_" and "-"' })
          .refine((name) => name !== "repo", {
            error: "is the run's repository (--repo); it needs no declaring",
          }),
        inputSchema,
        { error: "inputs must map each input's name to { required, default, description }" },
      )
      .default({}),
    nodes: z
      .array(z.unknown(), { error: "nodes must be a list of steps (- id: lint …)" })
      .min(1, { error: "nodes must list at least one step" }),
    edges: z
      .array(z.unknown(), { error: "edges must be a list (- { from: start, to: lint })" })
      .min(1, { error: "edges must list at least one edge, starting with { from: start, to: … }" }),
  },
  { error: "a workflow file is a mapping with nodes: and edges:" },
);

type Common = { id: string; label: string | undefined; maxRuns: number };

/** A node of a loaded workflow. `index`: its place in `nodes:` (where its messages point). */
export type YamlNode = Common & { index: number } & (
    | {
        kind: "model";
        task: TaskKind;
        prompt: string;
        tools: string[];
        alias: string | undefined;
        verdicts: string[] | undefined;
        maxTokens: number | undefined;
        forEach: string | undefined;
      }
    | { kind: "command"; command: string; timeoutMs: number | undefined }
    | { kind: "gate"; question: string; show: string[] }
  );

export interface YamlEdge {
  index: number;
  from: string[];
  to: string[] | undefined;
  when: Record<string, string[]> | undefined;
}

export interface YamlInput {
  description: string | undefined;
  required: boolean;
  default: string | undefined;
}

export interface YamlWorkflowSpec {
  name: string;
  description: string;
  /** The node whose answer is the run's report (default: the last task node in the file that ran). */
  report: string | undefined;
  inputs: Record<string, YamlInput>;
  nodes: YamlNode[];
  edges: YamlEdge[];
}

/** The verdicts a node's `when:` may name: a model node's own, a command's, a gate's. */
export function verdictsOf(node: YamlNode): readonly string[] | undefined {
  if (node.kind === "command") return ["pass", "fail"];
  if (node.kind === "gate") return ["approved", "rejected"];
  return node.verdicts;
}
