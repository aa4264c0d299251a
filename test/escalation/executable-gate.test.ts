/**
 * The executable gate with real commands: the repo's own TypeScript compiler on a failing and a
 * passing snippet in a scratch directory, the time limit killing a whole process group, and code
 * extraction from fenced blocks.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { extractCodeFiles, safePath } from "../../src/escalation/code-blocks.js";
import { runCommand } from "../../src/escalation/command-runner.js";
import { runExecutableGate } from "../../src/escalation/executable-gate.js";
import { TSC, TSC_CHECK } from "./escalation-fixtures.js";

const failing =
  "Here you go:\n\n```ts\nexport function add(a: number, b: number): number {\n  return a + b + undefined;\n}\nconst total: string = add(1, 2);\n```\n";
const passing =
  "Here you go:\n\n```typescript\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```\n";

describe("executable gate", () => {
  it("fails a snippet tsc rejects, with the compiler's output as the finding", async () => {
    expect(existsSync(TSC)).toBe(true);
    const check = await runExecutableGate({
      answer: failing,
      commands: [{ command: TSC_CHECK, timeoutMs: 30_000 }],
    });
    expect(check.failed).toHaveLength(1);
    const [finding] = check.failed;
    expect(finding?.gate).toBe("executable");
    expect(finding?.message).toContain("failed (exit");
    expect(finding?.output).toMatch(/answer\.ts\(\d+,\d+\): error TS2322/);
    // The scratch path is replaced, so the next model reads relative file names.
    expect(finding?.output).not.toContain("switchyard-check-");
  }, 30_000);

  it("passes a snippet tsc accepts", async () => {
    const check = await runExecutableGate({
      answer: passing,
      commands: [{ command: TSC_CHECK, timeoutMs: 30_000 }],
    });
    expect(check.failed).toEqual([]);
  }, 30_000);

  it("fails an answer with no code to check", async () => {
    const check = await runExecutableGate({
      answer: "Just add the numbers.",
      commands: [{ command: "true", timeoutMs: 1_000 }],
    });
    expect(check.failed[0]?.check).toBe("no-code");
  });

  it("stops at the time limit and kills the whole process group", async () => {
    const started = performance.now();
    const run = await runCommand("sleep 20 & sleep 20; echo never", { cwd: process.cwd(), timeoutMs: 300 });
    expect(run.timedOut).toBe(true);
    expect(run.output).not.toContain("never");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("runs with a minimal environment, in the scratch directory", async () => {
    process.env.SWITCHYARD_SECRET_FOR_TEST = "do-not-leak";
    try {
      const check = await runExecutableGate({
        answer: "```sh\necho hi\n```",
        commands: [
          {
            command: 'test -f answer.sh && test -z "$SWITCHYARD_SECRET_FOR_TEST" && test "$HOME" = "$PWD"',
            timeoutMs: 5_000,
          },
        ],
      });
      expect(check.failed).toEqual([]);
    } finally {
      delete process.env.SWITCHYARD_SECRET_FOR_TEST;
    }
  });
});

describe("code extraction", () => {
  it("names unnamed blocks answer.<ext>, honours file names, keeps the last version of a file", () => {
    const files = extractCodeFiles(
      [
        "```ts",
        "export const a = 1;",
        "```",
        '```ts title="src/b.ts"',
        "export const b = 2;",
        "```",
        "**src/c.ts**",
        "```ts",
        "export const c = 3;",
        "```",
        "```python",
        "# file: tools/d.py",
        "print('d')",
        "```",
        "~~~ts:src/b.ts",
        "export const b = 22;",
        "~~~",
        "```ts",
        "a;",
        "```",
      ].join("\n"),
    );
    expect(files.map((file) => file.path)).toEqual([
      "answer.ts",
      "src/b.ts",
      "src/c.ts",
      "tools/d.py",
      "answer-2.ts",
    ]);
    expect(files.find((file) => file.path === "src/b.ts")?.content).toBe("export const b = 22;\n");
  });

  it("never names a path outside the scratch directory", () => {
    expect(safePath("../etc/passwd")).toBeUndefined();
    expect(safePath("/etc/passwd")).toBeUndefined();
    expect(safePath("src/../../x.ts")).toBeUndefined();
    expect(safePath("./src/x.ts")).toBe("src/x.ts");
    const [file] = extractCodeFiles('```ts title="../../evil.ts"\nx\n```');
    expect(file?.path).toBe("answer.ts");
  });
});
