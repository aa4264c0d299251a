/**
 * Loading YAML workflows: each problem in a file is one line naming the file and the line it is
 * about — YAML syntax, the schema (unknown task kinds and keys, a node of no kind), and how the
 * pieces fit (unknown nodes, no entry, verdicts, loops with no way out, for_each misuse, a prompt
 * naming a value there is not) — and a good file becomes a typed workflow.
 */
import { describe, expect, it } from "vitest";
import { loadYamlWorkflow } from "../../src/workflows/yaml/yaml-workflow-load.js";

const load = (text: string) => loadYamlWorkflow(text, "flow.yaml", "flow");
const problems = (text: string) => {
  try {
    load(text);
  } catch (error) {
    return (error as Error).message.split("\n");
  }
  throw new Error("the workflow loaded");
};

const node = (id: string, extra = "") => `  - id: ${id}\n    task: lint\n    prompt: hi${extra}\n`;

describe("YAML workflow loading", () => {
  it("makes a typed workflow of a good file", () => {
    const { spec, digest } = load(
      `name: check\ninputs:\n  area: { required: true }\nnodes:\n${node("a")}  - id: t\n    command: npm test\n  - id: g\n    gate: Ship?\n    show: a\nedges:\n  - { from: start, to: [a, t] }\n  - { from: [a, t], to: g }\n`,
    );
    expect(spec.name).toBe("check");
    expect(spec.inputs).toEqual({ area: { description: undefined, required: true, default: undefined } });
    expect(spec.nodes.map((entry) => [entry.id, entry.kind, entry.maxRuns])).toEqual([
      ["a", "model", 3],
      ["t", "command", 3],
      ["g", "gate", 3],
    ]);
    expect(spec.edges[1]).toMatchObject({ from: ["a", "t"], to: ["g"] });
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names the line of syntax errors, unknown keys and nodes of no kind", () => {
    expect(problems("nodes:\n  - id: a\n   task: lint\n")[0]).toMatch(/^flow\.yaml:3: YAML syntax error: /);
    expect(problems("")).toEqual(["flow.yaml:1: the file is empty; a workflow needs nodes: and edges:"]);
    expect(
      problems(
        `nodes:\n${node("a", "\n    retries: 2")}  - id: b\n    label: B\nedges:\n  - { from: start, to: a }\n`,
      ),
    ).toEqual([
      'flow.yaml:5: node "a" has unknown key "retries"; a task node takes id, label, max_runs, task, prompt, tools, alias, verdicts, max_tokens, for_each',
      'flow.yaml:6: node "b" needs one of task: (a model step), command: (a command in the worktree) or gate: (a person\'s approval)',
    ]);
    expect(problems("nodes: []\nedges: []\nsteps: 3\n")).toEqual([
      "flow.yaml:1: nodes must list at least one step",
      "flow.yaml:2: edges must list at least one edge, starting with { from: start, to: … }",
      'flow.yaml:3: has unknown key "steps"; a workflow takes name, description, report, inputs, nodes, edges',
    ]);
  });

  it("names unknown nodes, a missing entry, duplicate ids and verdicts that do not fit", () => {
    expect(
      problems(
        `nodes:\n${node("a")}${node("a")}  - id: g\n    gate: Ok?\nedges:\n  - { from: a, to: g }\n  - from: g\n    when: { approved: end, maybe: a }\n  - from: a\n    when: { pass: end }\n`,
      ),
    ).toEqual([
      'flow.yaml:5: node id "a" is used twice (node 1 has it too); give each node its own id',
      "flow.yaml:11: no edge leaves start; add { from: start, to: a }",
      'flow.yaml:13: node "g" has no verdict "maybe"; its verdicts are approved, rejected',
      'flow.yaml:14: node "a" has a when: edge and other edges; give all of its ways out in that one when:',
      'flow.yaml:15: node "a" gives no verdict, so its edge cannot use when:; give it verdicts: [pass, fail], or use to:',
    ]);
    expect(
      problems(
        `nodes:\n${node("a", "\n    verdicts: [pass, fail]")}edges:\n  - { from: start, to: a }\n  - from: a\n    when: { pass: end }\n`,
      ),
    ).toEqual([
      'flow.yaml:9: the edge from "a" says nothing for its verdict "fail"; add fail: <node> (or fail: end)',
    ]);
  });

  it("refuses loops with no way out, nodes never reached, and for_each used where it cannot be", () => {
    expect(
      problems(
        `nodes:\n${node("a")}${node("b")}${node("c")}edges:\n  - { from: start, to: a }\n  - { from: a, to: b }\n  - { from: b, to: a }\n`,
      ),
    ).toEqual(
      [
        'flow.yaml:8: node "c" is never reached from start; add an edge that leads to it',
        'flow.yaml:2: nodes "a", "b" loop with no way out; give one of them an edge that leaves the loop (a when: verdict leading elsewhere, or to: end)',
      ].sort((left, right) => Number(left.split(":")[1]) - Number(right.split(":")[1])),
    );
    expect(
      problems(
        `nodes:\n${node("a")}${node("b")}edges:\n  - { from: start, to: a }\n  - { from: a, to: b }\n  - { from: b, to: [a, end] }\n`,
      ),
    ).toEqual([
      'flow.yaml:2: nodes "a", "b" loop with no verdict that leaves the loop, so it would only stop at max_runs; give one of them a when: edge with a way out',
    ]);
    expect(
      problems(
        `inputs:\n  files: {}\nnodes:\n${node("a", "\n    for_each: modules")}${node("b", "\n    for_each: files")}${node("c")}edges:\n  - { from: start, to: [b, c] }\n  - { from: [b, c], to: a }\n`,
      ),
    ).toEqual([
      'flow.yaml:7: node "a" runs for_each of input "modules", which inputs: does not declare',
      'flow.yaml:17: edge 2 joins into "a", which runs for_each; lead to it from one node',
    ]);
  });

  it("points at the line of a placeholder in a long prompt that names nothing there is", () => {
    expect(
      problems(
        `nodes:\n  - id: a\n    task: lint\n    prompt: |\n      Look at this.\n      And at {{reveiw}} too.\nedges:\n  - { from: start, to: a }\n`,
      ),
    ).toEqual([
      'flow.yaml:6: node "a"\'s prompt uses {{reveiw}}, which is no node, input or item here; it may use {{a}}',
    ]);
  });
});
