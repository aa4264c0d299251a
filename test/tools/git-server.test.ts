/**
 * The built-in git server through a real MCP client, on real repositories in temp directories
 * (user name and email set in each repository's own config; the global config is not touched):
 * reading tools, flag injection and path escapes refused, writes only when enabled and without
 * hooks, worktrees made, used and removed, and a repository that is itself a linked worktree.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitServerSettings } from "../../src/config/tools-schema.js";
import { parseBuiltinSettings } from "../../src/tools/servers/builtin-tool-servers.js";
import { createGitTools } from "../../src/tools/servers/git/git-tools.js";
import { connectToolServer, type ToolServerClient } from "./tool-server-client.js";

const base = mkdtempSync(join(tmpdir(), "switchyard-git-"));
const repository = join(base, "app");
const outside = join(base, "outside");
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" });

function makeRepository(path: string): void {
  mkdirSync(path, { recursive: true });
  git(path, "init", "-q", "-b", "main");
  git(path, "config", "user.name", "Switchyard Test");
  git(path, "config", "user.email", "test@switchyard.invalid");
  writeFileSync(join(path, "README.md"), "# app\n");
  mkdirSync(join(path, "src"));
  writeFileSync(join(path, "src", "main.ts"), "export const version = 1;\n");
  git(path, "add", ".");
  git(path, "commit", "-q", "-m", "First commit");
}

const settings = (overrides: Partial<GitServerSettings>) =>
  parseBuiltinSettings("git", {
    builtin: "git",
    repositories: { app: repository },
    ...overrides,
  }) as GitServerSettings;

let reader: ToolServerClient;
let writer: ToolServerClient;

beforeAll(async () => {
  makeRepository(repository);
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "top secret\n");
  symlinkSync(outside, join(repository, "linked-out"));
  // A hook a model could have planted: it must never run.
  writeFileSync(
    join(repository, ".git", "hooks", "pre-commit"),
    `#!/bin/sh\ntouch ${join(base, "hook-ran")}\n`,
  );
  chmodSync(join(repository, ".git", "hooks", "pre-commit"), 0o755);
  reader = await connectToolServer(await createGitTools(settings({})));
  writer = await connectToolServer(await createGitTools(settings({ writes: true })));
});

afterAll(async () => {
  await reader?.close();
  await writer?.close();
});

describe("git server: reading", () => {
  it("shows status, diff, log, show and branches", async () => {
    writeFileSync(join(repository, "src", "main.ts"), "export const version = 2;\n");
    expect((await reader.call("status")).text).toContain(" M src/main.ts");
    expect((await reader.call("status")).text).toContain("## main");
    const diff = await reader.call("diff", { paths: ["src"] });
    expect(diff.text).toContain("-export const version = 1;");
    expect(diff.text).toContain("+export const version = 2;");
    expect((await reader.call("diff", { staged: true })).text).toBe("No differences.");
    expect((await reader.call("log")).text).toMatch(
      /^[0-9a-f]{7,} Switchyard Test \d{4}-\d\d-\d\d First commit\n$/,
    );
    expect((await reader.call("show", { revision: "HEAD" })).text).toContain("First commit");
    expect((await reader.call("show", { revision: "HEAD", path: "src/main.ts" })).text).toBe(
      "export const version = 1;\n",
    );
    expect((await reader.call("branch")).text).toMatch(/^\* main [0-9a-f]+/);
    git(repository, "checkout", "-q", "--", "src/main.ts");
  });

  it("refuses arguments that git would read as options, and leaves no file behind", async () => {
    const attempts: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        "diff",
        { paths: ["--output=/tmp/switchyard-injected"] },
        /starts with "-" and would be read as an option/,
      ],
      ["status", { paths: ["-uall"] }, /starts with "-"/],
      ["log", { paths: ["--output=/tmp/switchyard-injected"] }, /starts with "-"/],
      ["diff", { base: "--output=/tmp/switchyard-injected" }, /The base "--output=.*" starts with "-"/],
      ["log", { revision: "--all" }, /starts with "-"/],
      ["show", { revision: "--output=/tmp/switchyard-injected" }, /starts with "-"/],
      ["worktree_add", { name: "x", base: "--detach" }, /starts with "-"/],
      ["worktree_add", { name: "--force" }, /not a usable worktree name/],
    ];
    for (const [tool, args, message] of attempts) {
      const result = await reader.call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(result.text).toMatch(message);
    }
    expect(existsSync("/tmp/switchyard-injected")).toBe(false);
  });

  it("keeps paths inside the repository, symlinks included", async () => {
    const outsidePath = await reader.call("diff", { paths: ["../outside/secret.txt"] });
    expect(outsidePath.text).toMatch(/is outside the repository/);
    const absolute = await reader.call("status", { paths: [join(outside, "secret.txt")] });
    expect(absolute.text).toMatch(/is outside the repository/);
    const throughLink = await reader.call("show", { revision: "HEAD", path: "linked-out/secret.txt" });
    expect(throughLink.isError).toBe(true);
    expect(throughLink.text).toMatch(
      /resolves \(through a symlink\) to .*outside\/secret\.txt, outside the repository/,
    );
    expect((await reader.call("status", { repository: "other" })).text).toBe(
      'No repository is named "other"; use one of: app',
    );
  });
});

describe("git server: writes", () => {
  it("offers add and commit only when writes is on", async () => {
    expect(await reader.toolNames()).not.toContain("commit");
    await expect(reader.call("commit", { message: "x" })).rejects.toThrow('Unknown tool "commit"');
    expect(await writer.toolNames()).toEqual(expect.arrayContaining(["add", "commit"]));
  });

  it("stages and commits, with no hook run, a message starting with '-' staying a message", async () => {
    writeFileSync(join(repository, "CHANGELOG.md"), "- first\n");
    expect((await writer.call("add", { paths: ["CHANGELOG.md"] })).text).toContain("A  CHANGELOG.md");
    const committed = await writer.call("commit", { message: "--amend is not an option here" });
    expect(committed.isError).toBe(false);
    expect(git(repository, "log", "-1", "--format=%s")).toBe("--amend is not an option here\n");
    expect(git(repository, "rev-list", "--count", "HEAD")).toBe("2\n");
    expect(existsSync(join(base, "hook-ran"))).toBe(false);
    const nothing = await writer.call("commit", { message: "empty" });
    expect(nothing.isError).toBe(true);
    expect(nothing.text).toMatch(/git commit failed/);
  });
});

describe("git server: worktrees", () => {
  it("makes a worktree on a prefixed branch, works and commits in it, and removes it", async () => {
    const made = await writer.call("worktree_add", { name: "feature-1" });
    expect(made.text).toContain("on new branch switchyard/feature-1 from HEAD");
    const path = join(`${repository}.worktrees`, "feature-1");
    expect((await writer.call("worktree_list")).text).toContain(path);
    writeFileSync(join(path, "feature.ts"), "export {};\n");
    expect((await writer.call("status", { worktree: "feature-1" })).text).toContain("?? feature.ts");
    await writer.call("add", { worktree: "feature-1", paths: ["feature.ts"] });
    expect((await writer.call("commit", { worktree: "feature-1", message: "Add feature" })).isError).toBe(
      false,
    );
    expect(git(repository, "log", "-1", "--format=%s", "switchyard/feature-1")).toBe("Add feature\n");
    expect(git(repository, "status", "--short")).toBe("?? linked-out\n");
    expect((await writer.call("status", { worktree: "nope" })).text).toContain('No worktree "nope" in app');
    writeFileSync(join(path, "dirty.txt"), "uncommitted\n");
    const refused = await writer.call("worktree_remove", { name: "feature-1" });
    expect(refused.isError).toBe(true);
    expect(existsSync(join(path, "dirty.txt"))).toBe(true);
    git(path, "clean", "-fq");
    expect((await writer.call("worktree_remove", { name: "feature-1" })).text).toContain(
      "its branch switchyard/feature-1 is kept",
    );
    expect(existsSync(path)).toBe(false);
  });

  it("works when the configured repository is itself a linked worktree", async () => {
    const linked = join(base, "linked");
    git(repository, "worktree", "add", "-q", "-b", "linked", linked);
    const client = await connectToolServer(
      await createGitTools(
        parseBuiltinSettings("git", {
          builtin: "git",
          repositories: { linked },
          writes: true,
        }) as GitServerSettings,
      ),
    );
    try {
      expect((await client.call("status")).text).toContain("## linked");
      writeFileSync(join(linked, "in-linked.txt"), "x\n");
      await client.call("add", { paths: ["in-linked.txt"] });
      expect((await client.call("commit", { message: "From the linked worktree" })).isError).toBe(false);
      expect(git(repository, "log", "-1", "--format=%s", "linked")).toBe("From the linked worktree\n");
      expect(readFileSync(join(linked, "in-linked.txt"), "utf8")).toBe("x\n");
    } finally {
      await client.close();
    }
  });
});
