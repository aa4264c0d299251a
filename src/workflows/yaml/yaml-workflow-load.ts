/**
 * Reads a YAML workflow file into a checked workflow: YAML syntax, then the schema
 * (yaml-workflow-schema.ts), then how the pieces fit (yaml-workflow-checks.ts) — every problem
 * found at once, each one line naming the file and the line it is about
 * (`review.yaml:12: node "lint" names unknown task kind "linting"; use one of …`), kept by the
 * `yaml` package's positions. What is only known with the config (aliases, tool servers) is
 * checked when a run is prepared, with the same positions.
 */
import { createHash } from "node:crypto";
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { checkWorkflow, type Problem } from "./yaml-workflow-checks.js";
import {
  commandNodeSchema,
  edgeSchema,
  gateNodeSchema,
  modelNodeSchema,
  workflowFileSchema,
  type YamlEdge,
  type YamlNode,
  type YamlWorkflowSpec,
} from "./yaml-workflow-schema.js";

export interface LoadedYamlWorkflow {
  spec: YamlWorkflowSpec;
  /** The file's problems as lines (`file:line: …`), for checks made later. */
  positions: SourcePositions;
  /** sha-256 of the file's text: a run resumes only with the definition it started with. */
  digest: string;
}

/** Where things are in the file, by their path of keys and list indexes. */
export class SourcePositions {
  constructor(
    readonly file: string,
    private readonly source: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The line of the value at `path` (or of its nearest parent there is); `find`: of that text inside it. */
  line(path: ReadonlyArray<string | number>, find?: string): number {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      if (!isNode(node) || !node.range) continue;
      const [start, , end] = node.range;
      const inside = find === undefined ? -1 : this.source.slice(start, end).indexOf(find);
      return this.lineCounter.linePos(inside === -1 ? start : start + inside).line;
    }
    return 1;
  }

  /** The line of a key in the mapping at `path` (an unknown key points at itself). */
  keyLine(path: ReadonlyArray<string | number>, key: string): number {
    const map = path.length === 0 ? this.document.contents : this.document.getIn(path, true);
    const pair = isMap(map)
      ? map.items.find((item) => isScalar(item.key) && item.key.value === key)
      : undefined;
    const range = isScalar(pair?.key) ? pair.key.range : undefined;
    return range ? this.lineCounter.linePos(range[0]).line : this.line(path);
  }

  /** `file:line: message` lines, in the file's order, each once. */
  format(problems: ReadonlyArray<{ line: number; message: string }>): string {
    const lines = [...problems]
      .sort((left, right) => left.line - right.line)
      .map((problem) => `${this.file}:${problem.line}: ${problem.message}`);
    return [...new Set(lines)].join("\n");
  }

  at(problem: Problem): { line: number; message: string } {
    return { line: this.line(problem.path, problem.find), message: problem.message };
  }
}

/** `file`: the name messages give (the path as the user would write it). */
export function loadYamlWorkflow(source: string, file: string, fallbackName: string): LoadedYamlWorkflow {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  const positions = new SourcePositions(file, source, document, lineCounter);
  const fail = (problems: Array<{ line: number; message: string }>) => {
    throw new SwitchyardError("invalid-request", positions.format(problems));
  };
  if (document.errors.length > 0)
    fail(
      document.errors.map((error) => ({
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML syntax error: ${error.message.split("\n")[0]}`,
      })),
    );
  const raw: unknown = document.toJS() ?? null;
  if (raw === null) fail([{ line: 1, message: "the file is empty; a workflow needs nodes: and edges:" }]);
  const problems: Array<{ line: number; message: string }> = [];
  const top = workflowFileSchema.safeParse(raw);
  if (!top.success) fail(top.error.issues.map((issue) => describe(issue, [], raw, positions)));
  const file_ = top.data!;
  const nodes: YamlNode[] = [];
  file_.nodes.forEach((value, index) => {
    const node = parseNode(value, index, raw, positions, problems);
    if (node) nodes.push(node);
  });
  const edges: YamlEdge[] = [];
  file_.edges.forEach((value, index) => {
    const parsed = edgeSchema.safeParse(value);
    if (!parsed.success)
      problems.push(...parsed.error.issues.map((issue) => describe(issue, ["edges", index], raw, positions)));
    else edges.push({ index, from: parsed.data.from, to: parsed.data.to, when: parsed.data.when });
  });
  if (problems.length > 0) fail(problems);
  const spec: YamlWorkflowSpec = {
    name: file_.name ?? fallbackName,
    description: file_.description ?? `a workflow of ${nodes.length} steps from ${file}`,
    report: file_.report,
    inputs: Object.fromEntries(
      Object.entries(file_.inputs).map(([name, input]) => [
        name,
        { description: input.description, required: input.required, default: input.default },
      ]),
    ),
    nodes,
    edges,
  };
  const structural = checkWorkflow(spec);
  if (structural.length > 0) fail(structural.map((problem) => positions.at(problem)));
  return { spec, positions, digest: createHash("sha256").update(source).digest("hex") };
}

const KIND_KEYS = ["task", "command", "gate"] as const;

function parseNode(
  value: unknown,
  index: number,
  raw: unknown,
  positions: SourcePositions,
  problems: Array<{ line: number; message: string }>,
): YamlNode | undefined {
  const path = ["nodes", index];
  const object = typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  const kinds = KIND_KEYS.filter((key) => key in object);
  const subject = subjectOf(path, raw);
  if (kinds.length !== 1) {
    problems.push({
      line: positions.line(path),
      message:
        kinds.length === 0
          ? `${subject} needs one of task: (a model step), command: (a command in the worktree) or gate: (a person's approval)`
          : `${subject} has ${kinds.join(" and ")}; a node is one of task:, command: or gate:`,
    });
    return undefined;
  }
  const report = (error: z.ZodError) => {
    problems.push(...error.issues.map((issue) => describe(issue, path, raw, positions)));
    return undefined;
  };
  if (kinds[0] === "task") {
    const parsed = modelNodeSchema.safeParse(value);
    if (!parsed.success) return report(parsed.error);
    const node = parsed.data;
    return {
      kind: "model",
      index,
      id: node.id,
      label: node.label,
      maxRuns: node.max_runs,
      task: node.task,
      prompt: node.prompt,
      tools: (node.tools ?? [])
        .flatMap((entry) => entry.split(","))
        .map((entry) => entry.trim())
        .filter(Boolean),
      alias: node.alias,
      verdicts: node.verdicts,
      maxTokens: node.max_tokens,
      forEach: node.for_each,
    };
  }
  if (kinds[0] === "command") {
    const parsed = commandNodeSchema.safeParse(value);
    if (!parsed.success) return report(parsed.error);
    const node = parsed.data;
    return {
      kind: "command",
      index,
      id: node.id,
      label: node.label,
      maxRuns: node.max_runs,
      command: node.command,
      timeoutMs: node.timeout_ms,
    };
  }
  const parsed = gateNodeSchema.safeParse(value);
  if (!parsed.success) return report(parsed.error);
  const node = parsed.data;
  return {
    kind: "gate",
    index,
    id: node.id,
    label: node.label,
    maxRuns: node.max_runs,
    question: node.gate,
    show: node.show ?? [],
  };
}

/** Whose problem it is: `node "lint"`, `edge 3`, `input "focus"`, or the file's own. */
function subjectOf(path: ReadonlyArray<string | number>, raw: unknown): string {
  const [section, position] = path;
  if (section === "nodes" && typeof position === "number") {
    const id = (raw as { nodes?: Array<{ id?: unknown }> }).nodes?.[position]?.id;
    return typeof id === "string" && id !== "" ? `node "${id}"` : `node ${position + 1}`;
  }
  if (section === "edges" && typeof position === "number") return `edge ${position + 1}`;
  if (section === "inputs" && typeof position === "string") return `input "${position}"`;
  return "";
}

/** One zod issue as a line: its subject, and the message written to read after it. */
function describe(
  issue: z.core.$ZodIssue,
  prefix: ReadonlyArray<string | number>,
  raw: unknown,
  positions: SourcePositions,
): { line: number; message: string } {
  const path = [...prefix, ...issue.path.map((key) => (typeof key === "number" ? key : String(key)))];
  const owner = path.slice(0, path[0] === "inputs" ? 2 : path[0] === "nodes" || path[0] === "edges" ? 2 : 0);
  const subject = subjectOf(owner, raw);
  const lead = subject ? `${subject} ` : "";
  if (issue.code === "unrecognized_keys") {
    const [key] = issue.keys;
    return {
      line: positions.keyLine(path, key ?? ""),
      message: `${lead}has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((name) => `"${name}"`).join(", ")}; ${allowedKeys(path, raw)}`,
    };
  }
  const nested = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
  return { line: positions.line(path), message: `${lead}${nested ?? issue.message}` };
}

function allowedKeys(path: ReadonlyArray<string | number>, raw: unknown): string {
  const list = (shape: object) => Object.keys(shape).join(", ");
  if (path[0] === "edges") return `an edge takes ${list(edgeSchema.shape)}`;
  if (path[0] === "inputs") return "an input takes description, required, default";
  if (path[0] !== "nodes") return `a workflow takes ${list(workflowFileSchema.shape)}`;
  const node = (raw as { nodes: Array<Record<string, unknown>> }).nodes[path[1] as number] ?? {};
  if ("command" in node) return `a command node takes ${list(commandNodeSchema.shape)}`;
  if ("gate" in node) return `a gate node takes ${list(gateNodeSchema.shape)}`;
  return `a task node takes ${list(modelNodeSchema.shape)}`;
}
