/**
 * What the workflow tests share: scripted model answers by task kind (read from the step's system
 * prompt, as the demo's simulated models read it — JSON for the structured steps, fenced files for
 * code and tests, a score for a judge), a real git repository in a temporary folder whose tests run
 * with `node --test`, and the runs service opened over a spine or an HTTP harness's runtime with
 * the built-in MCP servers started from the sources (through tsx).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BackendCall } from "../../src/backends/backend.js";
import type { SwitchyardRuntime } from "../../src/core/switchyard-runtime.js";
import type { RunEvent } from "../../src/workflows/run-events.js";
import { RunsService } from "../../src/workflows/runs-service.js";
import type { ScriptedAnswer } from "./scripted-backend.js";

/** Starts built-in MCP servers from the sources, loading only the server's modules (fast under tsx). */
export const TSX_LAUNCHER = {
  command: process.execPath,
  args: ["--import", "tsx", resolve("test/helpers/mcp-server-entry.ts")],
};

/** The task kind a workflow step (or a judge) asks for, from its system prompt. */
export function taskOf(messages: ReadonlyArray<{ role: string; content: unknown }>): string {
  const system = String(messages.find((message) => message.role === "system")?.content ?? "");
  if (system.startsWith("You grade another")) return "judge";
  return /task: ([a-z-]+)/.exec(system)?.[1] ?? "unknown";
}

export const ADD_CODE = "export function add(a, b) {\n  return a + b;\n}\n";
export const ADD_TEST = `import { test } from "node:test";
import assert from "node:assert/strict";
import { add } from "../src/add.mjs";

test("adds", () => {
  assert.equal(add(2, 3), 5);
});
`;

/** A plausible answer for every task kind the built-in workflows ask for. */
export const DEFAULT_ANSWERS: Record<string, string> = {
  judge: '{"score": 9, "reasons": ["does what was asked"]}',
  "story-drafting": JSON.stringify({
    title: "Add two numbers",
    as_a: "a developer",
    i_want: "an add function",
    so_that: "I can sum values",
    acceptance_criteria: ["add(2, 3) is 5"],
  }),
  elaboration: JSON.stringify({
    details: ["add takes two numbers"],
    assumptions: ["inputs are finite"],
    open_questions: [],
    files: ["src/add.mjs"],
  }),
  "gap-analysis": JSON.stringify({
    gaps: [{ gap: "no test for negatives", impact: "low", remedy: "add one" }],
    ready: true,
  }),
  "decision-gate": JSON.stringify({ decision: "go", reasons: ["small and clear"] }),
  "code-generation": `Here is the code.\n\n\`\`\`js title="src/add.mjs"\n${ADD_CODE}\`\`\`\n`,
  "test-generation": `Tests:\n\n\`\`\`js title="test/add.test.mjs"\n${ADD_TEST}\`\`\`\n`,
  lint: "No problems found.",
  "code-review": JSON.stringify({ verdict: "pass", summary: "Small and correct.", blocking: [], notes: [] }),
  "qa-verification": JSON.stringify({
    verdict: "pass",
    criteria: [{ criterion: "add(2, 3) is 5", status: "pass", evidence: "the test passes" }],
    summary: "All criteria met.",
  }),
  "conflict-resolution": JSON.stringify({ decision: "accept", reason: "good enough", guidance: "" }),
  "commit-message": "feat(add): add two numbers\n\nAdds add(a, b) with a test.",
  "bug-hunting": JSON.stringify({
    findings: [
      {
        file: "src/a/index.mjs",
        line: 3,
        title: "Off by one",
        severity: "high",
        evidence: "i <= n",
        suggestion: "i < n",
      },
    ],
  }),
  "backlog-grooming": "{}",
};

/** Answers each call by its task kind from `answers` (then the defaults). */
export function answerByTask(answers: Record<string, string | ((call: BackendCall) => string)> = {}) {
  return (call: BackendCall): ScriptedAnswer => {
    const task = taskOf(call.request.messages);
    const answer = answers[task] ?? DEFAULT_ANSWERS[task] ?? `No script for ${task}`;
    return { kind: "reply", text: typeof answer === "function" ? answer(call) : answer };
  };
}

/** A git repository with one commit, a package.json whose tests run with `node --test`. */
export function makeRepository(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-repo-"));
  const repo = join(root, "app");
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  const all: Record<string, string> = {
    "package.json": JSON.stringify(
      { name: "app", type: "module", scripts: { test: "node --test" } },
      null,
      2,
    ),
    "README.md": "# app\n",
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    execFileSync("mkdir", ["-p", join(repo, path, "..")]);
    writeFileSync(join(repo, path), content);
  }
  git(repo, "add", ".");
  git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "initial");
  return repo;
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "t@e.x",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "t@e.x",
    },
  });
}

export async function openRuns(runtime: SwitchyardRuntime): Promise<RunsService & { events: RunEvent[] }> {
  const service = await RunsService.open({
    runtime,
    launcher: TSX_LAUNCHER,
    env: { SWITCHYARD_HOME: tmpdir() },
  });
  const events: RunEvent[] = [];
  service.subscribe((event) => events.push(event));
  return Object.assign(service, { events });
}

/** Config for workflow tests: the test command that the scripted tests pass. */
export const WORKFLOW_CONFIG = `
workflows:
  test_command: node --test
`;
