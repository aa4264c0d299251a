/**
 * How a YAML workflow's pieces fit together, checked before it runs: node ids unique; every edge
 * naming nodes that exist (with the nearest name when one is misspelt); an entry from `start`;
 * `when:` only on a node that gives verdicts, naming only those and covering each (a gate's
 * "rejected" may be left out: it ends the run); every node reached from start and able to reach
 * the end; a loop only where a verdict can lead out of it (or it would never end on its own);
 * `for_each` on a declared input, entered by plain edges; prompts naming only values there are.
 * Each problem points at the place in the file it is about.
 */
import { placeholdersOf } from "../prompt-template.js";
import { verdictsOf, type YamlEdge, type YamlNode, type YamlWorkflowSpec } from "./yaml-workflow-schema.js";

export interface Problem {
  /** Where in the file: a path of keys and list indexes. */
  path: Array<string | number>;
  message: string;
  /** Text to point at inside that place (a placeholder in a long prompt). */
  find?: string;
}

export function checkWorkflow(spec: YamlWorkflowSpec): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, YamlNode>();
  for (const node of spec.nodes) {
    const first = byId.get(node.id);
    if (first)
      problems.push({
        path: ["nodes", node.index, "id"],
        message: `node id "${node.id}" is used twice (node ${first.index + 1} has it too); give each node its own id`,
      });
    else byId.set(node.id, node);
  }
  const ids = [...byId.keys()];
  for (const edge of spec.edges) problems.push(...checkEdge(edge, byId, ids));
  if (!spec.edges.some((edge) => edge.from.includes("start")))
    problems.push({
      path: ["edges"],
      message: `no edge leaves start; add { from: start, to: ${ids[0] ?? "<first node>"} }`,
    });
  for (const node of spec.nodes) problems.push(...checkNode(node, spec, byId, ids));
  const reported = spec.report === undefined ? undefined : byId.get(spec.report);
  if (spec.report !== undefined && (!reported || reported.kind === "gate" || isForEach(reported)))
    problems.push({
      path: ["report"],
      message: reported
        ? `report names "${spec.report}", which gives no single answer; name a task or command node`
        : `report ${unknownNode(spec.report, ids)}`,
    });
  // The shape of the graph only means something once its names do.
  if (problems.length === 0) problems.push(...checkShape(spec, byId));
  return problems;
}

function checkEdge(edge: YamlEdge, byId: ReadonlyMap<string, YamlNode>, ids: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const at = (key: string, list: readonly string[], position: number) =>
    list.length > 1 ? ["edges", edge.index, key, position] : ["edges", edge.index, key];
  edge.from.forEach((name, position) => {
    if (name === "end")
      problems.push({
        path: at("from", edge.from, position),
        message: `edge ${edge.index + 1} leaves end; nothing may, it is where a run stops`,
      });
    else if (name === "start" && edge.from.length > 1)
      problems.push({
        path: at("from", edge.from, position),
        message: `edge ${edge.index + 1} joins start; a join (from: [a, b]) waits for nodes`,
      });
    else if (name !== "start" && !byId.has(name))
      problems.push({
        path: at("from", edge.from, position),
        message: `edge ${edge.index + 1} ${unknownNode(name, ids)}`,
      });
  });
  const checkTargets = (targets: readonly string[], key: Array<string | number>) =>
    targets.forEach((name, position) => {
      const path = targets.length > 1 ? [...key, position] : key;
      if (name === "start")
        problems.push({
          path,
          message: `edge ${edge.index + 1} leads to start; nothing may (name the node instead)`,
        });
      else if (name !== "end" && !byId.has(name))
        problems.push({ path, message: `edge ${edge.index + 1} ${unknownNode(name, ids)}` });
      else if (edge.from.length > 1 && isForEach(byId.get(name)))
        problems.push({
          path,
          message: `edge ${edge.index + 1} joins into "${name}", which runs for_each; lead to it from one node`,
        });
    });
  if (edge.to) checkTargets(edge.to, ["edges", edge.index, "to"]);
  if (!edge.when) return problems;
  for (const [verdict, targets] of Object.entries(edge.when))
    checkTargets(targets, ["edges", edge.index, "when", verdict]);
  const [from] = edge.from;
  if (edge.from.length > 1)
    return [
      ...problems,
      {
        path: ["edges", edge.index, "from"],
        message: `edge ${edge.index + 1} is a join (from: [a, b]) with when:; a join takes to:`,
      },
    ];
  if (from === "start")
    return [
      ...problems,
      {
        path: ["edges", edge.index, "when"],
        message: `edge ${edge.index + 1} leaves start with when:; start gives no verdict, use to:`,
      },
    ];
  const node = from === undefined ? undefined : byId.get(from);
  if (!node) return problems;
  const verdicts = verdictsOf(node);
  if (!verdicts || isForEach(node))
    return [
      ...problems,
      {
        path: ["edges", edge.index, "when"],
        message: isForEach(node)
          ? `node "${node.id}" runs for_each and gives no single verdict; use to:`
          : `node "${node.id}" gives no verdict, so its edge cannot use when:; give it verdicts: [pass, fail], or use to:`,
      },
    ];
  for (const verdict of Object.keys(edge.when))
    if (!verdicts.includes(verdict))
      problems.push({
        path: ["edges", edge.index, "when", verdict],
        message: `node "${node.id}" has no verdict "${verdict}"; its verdicts are ${verdicts.join(", ")}`,
      });
  for (const verdict of verdicts)
    if (!(verdict in edge.when) && !(node.kind === "gate" && verdict === "rejected"))
      problems.push({
        path: ["edges", edge.index, "when"],
        message: `the edge from "${node.id}" says nothing for its verdict "${verdict}"; add ${verdict}: <node> (or ${verdict}: end)`,
      });
  return problems;
}

function checkNode(
  node: YamlNode,
  spec: YamlWorkflowSpec,
  byId: ReadonlyMap<string, YamlNode>,
  ids: readonly string[],
): Problem[] {
  const problems: Problem[] = [];
  const leaving = spec.edges.filter((edge) => edge.from.length === 1 && edge.from[0] === node.id);
  const conditional = leaving.filter((edge) => edge.when);
  if (conditional.length > 1 || (conditional.length === 1 && leaving.length > 1))
    problems.push({
      path: ["edges", conditional[conditional.length > 1 ? 1 : 0]!.index],
      message: `node "${node.id}" has a when: edge and other edges; give all of its ways out in that one when:`,
    });
  if (node.kind === "gate")
    node.show.forEach((shown, position) => {
      if (!byId.has(shown))
        problems.push({
          path: ["nodes", node.index, "show", ...(node.show.length > 1 ? [position] : [])],
          message: `node "${node.id}" shows ${unknownNode(shown, ids).replace(/^names /, "")}`,
        });
    });
  if (node.kind !== "model") return problems;
  if (node.forEach !== undefined && !(node.forEach in spec.inputs))
    problems.push({
      path: ["nodes", node.index, "for_each"],
      message: `node "${node.id}" runs for_each of input "${node.forEach}", which inputs: does not declare`,
    });
  if (node.forEach !== undefined && node.verdicts)
    problems.push({
      path: ["nodes", node.index, "verdicts"],
      message: `node "${node.id}" runs for_each and gives no single verdict; drop verdicts:`,
    });
  const known = [
    ...ids,
    ...Object.keys(spec.inputs).map((name) => `input.${name}`),
    ...(node.forEach ? ["item"] : []),
  ];
  for (const name of placeholdersOf(node.prompt))
    if (!known.includes(name))
      problems.push({
        path: ["nodes", node.index, "prompt"],
        find: name,
        message: `node "${node.id}"'s prompt uses {{${name}}}, which is no node, input or item here; it may use ${known.map((value) => `{{${value}}}`).join(", ")}`,
      });
  return problems;
}

/** Reachability both ways, loops that can end, and for_each nodes entered one way only. */
function checkShape(spec: YamlWorkflowSpec, byId: ReadonlyMap<string, YamlNode>): Problem[] {
  const problems: Problem[] = [];
  const next = successors(spec);
  const reached = new Set<string>();
  const visit = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const target of next.get(id) ?? []) visit(target);
  };
  visit("start");
  for (const node of spec.nodes)
    if (!reached.has(node.id))
      problems.push({
        path: ["nodes", node.index, "id"],
        message: `node "${node.id}" is never reached from start; add an edge that leads to it`,
      });
  const ending = new Set<string>(["end"]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, targets] of next)
      if (!ending.has(id) && targets.some((target) => ending.has(target))) {
        ending.add(id);
        grew = true;
      }
  }
  const stuck = spec.nodes.filter((node) => reached.has(node.id) && !ending.has(node.id));
  if (stuck.length > 0)
    problems.push({
      path: ["nodes", stuck[0]!.index, "id"],
      message: `nodes ${stuck.map((node) => `"${node.id}"`).join(", ")} loop with no way out; give one of them an edge that leaves the loop (a when: verdict leading elsewhere, or to: end)`,
    });
  for (const loop of loops(
    spec.nodes.map((node) => node.id),
    next,
  )) {
    const exits = spec.edges.some(
      (edge) =>
        edge.when &&
        loop.includes(edge.from[0]!) &&
        Object.values(edge.when).some((targets) => targets.some((target) => !loop.includes(target))),
    );
    if (!exits && stuck.length === 0)
      problems.push({
        path: ["nodes", byId.get(loop[0]!)!.index, "id"],
        message: `nodes ${loop.map((id) => `"${id}"`).join(", ")} loop with no verdict that leaves the loop, so it would only stop at max_runs; give one of them a when: edge with a way out`,
      });
  }
  for (const node of spec.nodes) {
    if (!isForEach(node)) continue;
    for (const edge of spec.edges)
      if (edge.from.length === 1 && isForEach(byId.get(edge.from[0]!)) && (edge.to ?? []).includes(node.id))
        problems.push({
          path: ["edges", edge.index, "to"],
          message: `"${edge.from[0]}" and "${node.id}" both run for_each; put a node between them to gather the first`,
        });
  }
  return problems;
}

/** Where each node (and start) may lead: `to:` and `when:` targets, join targets, and end when nothing leaves it. */
export function successors(spec: YamlWorkflowSpec): Map<string, string[]> {
  const next = new Map<string, string[]>([
    ["start", []],
    ...spec.nodes.map((node): [string, string[]] => [node.id, []]),
  ]);
  for (const edge of spec.edges) {
    const targets = [...(edge.to ?? []), ...Object.values(edge.when ?? {}).flat()];
    for (const from of edge.from) next.get(from)?.push(...targets);
  }
  for (const [id, targets] of next) if (id !== "start" && targets.length === 0) targets.push("end");
  return next;
}

/** The loops of the graph: its strongly connected parts with a cycle (Tarjan), each in node order. */
function loops(ids: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  const connect = (id: string) => {
    index.set(id, counter);
    low.set(id, counter++);
    stack.push(id);
    for (const target of next.get(id) ?? []) {
      if (!ids.includes(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(id, Math.min(low.get(id)!, low.get(target)!));
      } else if (stack.includes(target)) low.set(id, Math.min(low.get(id)!, index.get(target)!));
    }
    if (low.get(id) !== index.get(id)) return;
    const part: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = member === id ? undefined : stack.pop())
      part.push(member);
    if (part.length > 1 || next.get(id)?.includes(id))
      found.push(ids.filter((candidate) => part.includes(candidate)));
  };
  for (const id of ids) if (!index.has(id)) connect(id);
  return found;
}

function isForEach(node: YamlNode | undefined): boolean {
  return node?.kind === "model" && node.forEach !== undefined;
}

function unknownNode(name: string, ids: readonly string[]): string {
  const near = ids.find((id) => editDistance(id, name) <= 2);
  return `names unknown node "${name}"${near ? ` (did you mean "${near}"?)` : ""}; the nodes are ${ids.join(", ")} (and start, end)`;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, position) => position);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++)
      current.push(
        Math.min(
          previous[column]! + 1,
          current[column - 1]! + 1,
          previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1),
        ),
      );
    previous = current;
  }
  return previous[right.length]!;
}
