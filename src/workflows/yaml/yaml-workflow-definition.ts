/**
 * A loaded YAML workflow as a workflow like the built-ins: its outline, its input checked against
 * the inputs it declares (and, with the config, its aliases and tool servers, naming the line),
 * a repository and a clean working tree when it runs commands, and its LangGraph graph. Every
 * edge is a routing function that first ends the run once a node has set its result (a rejection,
 * a loop past `max_runs`); `when:` follows the node's verdict; edges into a `for_each` node send
 * one worker per item (`Send`, bounded by the fan-out limiter like any model step); a join
 * (`from: [a, b]`) waits for all its nodes.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, Send, START, StateGraph } from "@langchain/langgraph";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { parsePatterns } from "../../tools/tool-patterns.js";
import { fanOutSends } from "../fan-out-sends.js";
import { prepareRepositoryRun, verifyCleanRepository, worktreeNameFor } from "../graphs/repository-input.js";
import type { RunContexts } from "../run-context.js";
import type { WorkflowDefinition } from "../workflow-definition.js";
import type { LoadedYamlWorkflow } from "./yaml-workflow-load.js";
import {
  commandNode,
  forEachNode,
  gateNode,
  listItems,
  modelNode,
  type NodeEnvironment,
  YamlState,
  type YamlValues,
} from "./yaml-workflow-nodes.js";
import type { YamlNode, YamlWorkflowSpec } from "./yaml-workflow-schema.js";

export interface YamlWorkflowDefinition extends WorkflowDefinition {
  /** The file it was loaded from (a run keeps it, to resume with the same definition). */
  path: string;
  digest: string;
}

/** The graph as built here: node names are only known at run time. */
interface LooseGraph {
  addNode(
    name: string,
    action: (input: never, config: LangGraphRunnableConfig) => Promise<unknown>,
  ): LooseGraph;
  addEdge(from: string | string[], to: string): LooseGraph;
  addConditionalEdges(from: string, route: (state: YamlValues) => unknown, ends: string[]): LooseGraph;
}

export function yamlWorkflowDefinition(loaded: LoadedYamlWorkflow, path: string): YamlWorkflowDefinition {
  const { spec, positions, digest } = loaded;
  const file = positions.file;
  const needsRepository = spec.nodes.some((node) => node.kind === "command");
  return {
    name: spec.name,
    description: spec.description,
    path,
    digest,
    outline: spec.nodes.map((node) => ({
      id: node.id,
      label: node.label ?? defaultLabel(node),
      next: [...new Set(targetsFrom(spec, node.id))].filter((target) => target !== "end"),
    })),
    async prepare(input, environment) {
      const { repo, ...given } = input;
      const declared = Object.keys(spec.inputs);
      const unknown = Object.keys(given).filter((key) => !declared.includes(key));
      if (unknown.length > 0)
        throw new SwitchyardError(
          "invalid-request",
          `${file} ${declared.length > 0 ? `takes the inputs ${declared.join(", ")}` : "takes no inputs"} (--input key=value); ${unknown.map((key) => `"${key}"`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not one of them`,
        );
      const inputs: Record<string, string> = {};
      for (const [name, declaration] of Object.entries(spec.inputs)) {
        const value = inputText(given[name], file, name) ?? declaration.default;
        if (declaration.required && (value === undefined || value.trim() === ""))
          throw new SwitchyardError(
            "invalid-request",
            `${file}: input "${name}" is required: --input ${name}=…`,
          );
        inputs[name] = value ?? "";
      }
      for (const node of spec.nodes)
        if (node.kind === "model" && node.forEach && listItems(inputs[node.forEach]).length === 0)
          throw new SwitchyardError(
            "invalid-request",
            `${file}: node "${node.id}" runs once per item of input "${node.forEach}", which is empty; give --input ${node.forEach}=a,b`,
          );
      const problems = configProblems(spec, environment.config);
      if (problems.length > 0)
        throw new SwitchyardError(
          "invalid-request",
          positions.format(problems.map((problem) => positions.at(problem))),
        );
      const state = { inputs, worktreeName: worktreeNameFor(spec.name, environment.runId) };
      const base = { definition: path, definitionDigest: digest, inputs };
      if (!needsRepository)
        return { input: base, repository: null, tools: { fsRoot: { kind: "none" }, fsWrites: false }, state };
      if (typeof repo !== "string" || repo.trim() === "")
        throw new SwitchyardError(
          "invalid-request",
          `${file} runs commands in a worktree of a repository; give --repo`,
        );
      const prepared = await prepareRepositoryRun(repo, environment, spec.name);
      return {
        input: { ...base, repo: prepared.repository },
        repository: prepared.repository,
        tools: { ...prepared.tools, fsRoot: { kind: "none" }, fsWrites: false },
        state,
      };
    },
    ...(needsRepository ? { verify: (tools) => verifyCleanRepository(tools) } : {}),
    outcome(values) {
      const outputs = (values as Partial<YamlValues>).outputs ?? {};
      const candidates = spec.report
        ? [spec.report]
        : spec.nodes
            .filter((node) => node.kind === "model" && !node.forEach)
            .map((node) => node.id)
            .reverse();
      const report = candidates.map((id) => outputs[id]?.artefactId).find((id) => id);
      const verdicts = Object.fromEntries(
        Object.entries(outputs).flatMap(([id, output]) => (output.verdict ? [[id, output.verdict]] : [])),
      );
      return { ...(report ? { report } : {}), verdicts };
    },
    graph(contexts: RunContexts) {
      return buildGraph({ spec, file, contexts }) as unknown as ReturnType<WorkflowDefinition["graph"]>;
    },
  };
}

function buildGraph(environment: NodeEnvironment): LooseGraph {
  const { spec } = environment;
  const graph = new StateGraph(YamlState) as unknown as LooseGraph;
  const forEach = new Map(
    spec.nodes.flatMap((node) =>
      node.kind === "model" && node.forEach ? [[node.id, node.forEach] as const] : [],
    ),
  );
  for (const node of spec.nodes) {
    if (node.kind === "command") graph.addNode(node.id, commandNode(environment, node));
    else if (node.kind === "gate") graph.addNode(node.id, gateNode(environment, node));
    else if (node.forEach) graph.addNode(node.id, forEachNode(environment, node));
    else graph.addNode(node.id, modelNode(environment, node));
  }
  /** Where a list of targets goes: END, a node, or one Send per item to a `for_each` node. */
  const route = (state: YamlValues, targets: readonly string[]) => {
    if (state.result) return END;
    return fanOutSends(
      targets.flatMap<string | Send>((target) => {
        if (target === "end") return [END];
        const input = forEach.get(target);
        if (input === undefined) return [target];
        return listItems(state.inputs[input]).map((item) => new Send(target, { state, item }));
      }),
    );
  };
  const ends = (targets: readonly string[]) => [
    ...new Set([...targets.map((target) => (target === "end" ? END : target)), END]),
  ];
  const startTargets = spec.edges.filter((edge) => edge.from[0] === "start").flatMap((edge) => edge.to ?? []);
  graph.addConditionalEdges(START, (state) => route(state, startTargets), ends(startTargets));
  for (const node of spec.nodes) {
    const leaving = spec.edges.filter((edge) => edge.from.length === 1 && edge.from[0] === node.id);
    const joined = spec.edges.some((edge) => edge.from.length > 1 && edge.from.includes(node.id));
    const targets = leaving.flatMap((edge) => edge.to ?? []);
    const when = leaving.find((edge) => edge.when)?.when;
    if (leaving.length === 0) {
      if (!joined) graph.addEdge(node.id, END);
    } else if (forEach.has(node.id)) {
      // Each worker's end triggers these once, together: plain edges join the workers.
      for (const target of targets) graph.addEdge(node.id, target === "end" ? END : target);
    } else if (when) {
      graph.addConditionalEdges(
        node.id,
        (state) => route(state, when[state.outputs[node.id]?.verdict ?? ""] ?? ["end"]),
        ends(Object.values(when).flat()),
      );
    } else graph.addConditionalEdges(node.id, (state) => route(state, targets), ends(targets));
  }
  for (const edge of spec.edges)
    if (edge.from.length > 1)
      for (const target of edge.to ?? []) graph.addEdge(edge.from, target === "end" ? END : target);
  return graph;
}

function targetsFrom(spec: YamlWorkflowSpec, id: string): string[] {
  return spec.edges
    .filter((edge) => edge.from.includes(id))
    .flatMap((edge) => [...(edge.to ?? []), ...Object.values(edge.when ?? {}).flat()]);
}

function defaultLabel(node: YamlNode): string {
  if (node.kind === "command") return `Run ${node.command}`;
  if (node.kind === "gate") return node.question;
  return `${node.task} (${node.id})`;
}

/** An input's value as text: what `--input key=value` gives, or a JSON value sent over HTTP. */
function inputText(value: unknown, file: string, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === "string" || typeof item === "number"))
    return value.join(", ");
  throw new SwitchyardError("invalid-request", `${file}: input "${name}" must be text, a number or a list`);
}

/** Aliases and tool servers the nodes name that this config does not have, each at its line. */
function configProblems(spec: YamlWorkflowSpec, config: SwitchyardConfig) {
  const problems: Array<{ path: Array<string | number>; message: string; find?: string }> = [];
  const aliases = Object.keys(config.aliases);
  const servers = Object.keys(config.tools.servers);
  for (const node of spec.nodes) {
    if (node.kind !== "model") continue;
    if (node.alias && !aliases.includes(node.alias))
      problems.push({
        path: ["nodes", node.index, "alias"],
        message: `node "${node.id}" names alias "${node.alias}", which the config does not have; the aliases are ${aliases.join(", ")}`,
      });
    for (const pattern of parsePatterns(node.tools))
      if (pattern.server !== undefined && !servers.includes(pattern.server))
        problems.push({
          path: ["nodes", node.index, "tools"],
          find: pattern.text,
          message: `node "${node.id}" may use tool "${pattern.text}", but tools.servers has no "${pattern.server}" server; ${
            servers.length > 0
              ? `it has ${servers.join(", ")}`
              : "no MCP servers are configured (tools.servers)"
          }`,
        });
  }
  return problems;
}
