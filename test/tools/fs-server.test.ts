/**
 * The built-in fs server through a real MCP client: confinement (every way out of the roots is
 * refused, and nothing outside is touched), special files, size limits, writes only where and
 * when enabled, exact-match edits, search and listing.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBuiltinSettings } from "../../src/tools/servers/builtin-tool-servers.js";
import { globToRegExp } from "../../src/tools/servers/fs/fs-search.js";
import { createFsTools } from "../../src/tools/servers/fs/fs-tools.js";
import { connectToolServer, type ToolServerClient } from "./tool-server-client.js";

const base = mkdtempSync(join(tmpdir(), "switchyard-fs-"));
const root = join(base, "root");
const readOnlyRoot = join(base, "reference");
const outside = join(base, "outside");
for (const directory of [root, readOnlyRoot, outside, join(root, "src"), join(root, ".git")])
  mkdirSync(directory, { recursive: true });
writeFileSync(join(root, "notes.txt"), "first line\nsecond line\n");
writeFileSync(join(root, "src", "app.ts"), "export const answer = 42;\n");
writeFileSync(join(root, "src", "app.test.ts"), "import { answer } from './app';\n");
writeFileSync(join(root, "big.log"), "x".repeat(5_000));
writeFileSync(join(root, "image.bin"), Buffer.from([0x89, 0x50, 0x00, 0x01]));
writeFileSync(join(readOnlyRoot, "spec.md"), "# spec\n");
writeFileSync(join(outside, "secret.txt"), "top secret\n");
symlinkSync(join(outside, "secret.txt"), join(root, "link-out.txt"));
symlinkSync(outside, join(root, "dir-out"));
symlinkSync("/dev/zero", join(root, "zero"));
symlinkSync(join(root, "notes.txt"), join(root, "link-in.txt"));
execFileSync("mkfifo", [join(root, "pipe")]);

let socketServer: Server;
let reader: ToolServerClient;
let writer: ToolServerClient;

beforeAll(async () => {
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(root, "socket"), resolve));
  reader = await connectToolServer(
    await createFsTools(
      parseBuiltinSettings("fs", { builtin: "fs", roots: [root], max_read_bytes: 1_000 }) as never,
    ),
  );
  writer = await connectToolServer(
    await createFsTools(
      parseBuiltinSettings("fs", {
        builtin: "fs",
        roots: [root, readOnlyRoot],
        write_roots: [root],
        writes: true,
        max_read_bytes: 1_000,
        max_write_bytes: 2_000,
      }) as never,
    ),
  );
});

afterAll(async () => {
  await reader?.close();
  await writer?.close();
  await new Promise((resolve) => socketServer?.close(resolve));
});

describe("fs server: reading inside the roots", () => {
  it("reads a file by relative or absolute path, and through a symlink that stays inside", async () => {
    expect(await reader.call("read", { path: "notes.txt" })).toEqual({
      text: "first line\nsecond line\n",
      isError: false,
    });
    expect((await reader.call("read", { path: join(root, "src/app.ts") })).text).toContain("answer = 42");
    expect((await reader.call("read", { path: "link-in.txt" })).text).toContain("second line");
  });

  it("refuses a file over the read limit unless a range is asked for, and binary files", async () => {
    const whole = await reader.call("read", { path: "big.log" });
    expect(whole.isError).toBe(true);
    expect(whole.text).toContain("5000 bytes, over the read limit of 1000 (max_read_bytes)");
    expect(await reader.call("read", { path: "big.log", offset: 4_990, length: 100 })).toEqual({
      text: "x".repeat(10),
      isError: false,
    });
    expect((await reader.call("read", { path: "image.bin" })).text).toContain("binary file");
  });

  it("lists, stats and searches by glob and by text, never following symlinks", async () => {
    const listing = (await reader.call("list", {})).text;
    expect(listing).toContain("notes.txt  (23 bytes)");
    expect(listing).toContain("src/");
    expect(listing).toContain("pipe  (special file)");
    expect(JSON.parse((await reader.call("stat", { path: "pipe" })).text)).toMatchObject({
      type: "FIFO (named pipe)",
    });
    expect((await reader.call("search", { glob: "**/*.test.ts" })).text).toBe("src/app.test.ts");
    expect((await reader.call("search", { glob: "*.ts" })).text.split("\n")).toEqual([
      "src/app.test.ts",
      "src/app.ts",
    ]);
    expect((await reader.call("search", { text: "answer" })).text.split("\n")).toEqual([
      "src/app.test.ts:1: import { answer } from './app';",
      "src/app.ts:1: export const answer = 42;",
      "(2 files too large or binary to search)",
    ]);
    // dir-out and link-out.txt lead outside: a search never goes there.
    expect((await reader.call("search", { text: "secret" })).text).toMatch(/^No matches\.\n/);
  });

  it("turns globs into anchored expressions", () => {
    expect(globToRegExp("*.{ts,js}").test("a.js")).toBe(true);
    expect(globToRegExp("*.ts").test("dir/a.ts")).toBe(false);
    expect(globToRegExp("src/**/*.ts").test("src/a/b/c.ts")).toBe(true);
    expect(globToRegExp("src/**/*.ts").test("src/c.ts")).toBe(true);
    expect(globToRegExp("a,b").test("a,b")).toBe(true);
  });
});

describe("fs server: every escape is refused", () => {
  const escapes: Array<[string, string, RegExp]> = [
    ["../ out of the root", "../outside/secret.txt", /outside the roots/],
    ["an absolute path outside the roots", join(outside, "secret.txt"), /outside the roots/],
    ["/etc/passwd", "/etc/passwd", /outside the roots/],
    ["a symlink to a file outside", "link-out.txt", /resolves \(through a symlink\) to .*outside the roots/],
    ["a symlinked directory leading outside", "dir-out/secret.txt", /resolves \(through a symlink\)/],
    ["/dev/zero", "/dev/zero", /outside the roots/],
    ["a symlink to /dev/zero", "zero", /resolves \(through a symlink\) to \/dev\/zero/],
    ["a FIFO inside the root", "pipe", /is a FIFO \(named pipe\); only regular files can be read/],
    ["a socket inside the root", "socket", /is a socket; only regular files can be read/],
    ["a directory", "src", /is a directory; only regular files can be read/],
    ["a NUL byte", "notes.txt\0.png", /contains a NUL byte/],
  ];
  for (const [what, path, message] of escapes) {
    it(`read: ${what}`, async () => {
      const result = await reader.call("read", { path });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(message);
      expect(result.text).not.toContain("top secret");
    });
  }

  it("refuses the same escapes for stat, list and search", async () => {
    for (const tool of ["stat", "list", "search"]) {
      const args = tool === "search" ? { path: "../outside", text: "secret" } : { path: "../outside" };
      const result = await reader.call(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(result.text).toMatch(/outside the roots/);
    }
  });
});

describe("fs server: writes", () => {
  it("offers no write tools unless writes is on, and answers a call to one with a JSON-RPC error", async () => {
    expect(await reader.toolNames()).toEqual(["read", "list", "search", "stat"]);
    expect(await writer.toolNames()).toEqual(["read", "list", "search", "stat", "write", "edit"]);
    await expect(reader.call("write", { path: "new.txt", content: "x" })).rejects.toThrow(
      'Unknown tool "write"; switchyard-fs has: read, list, search, stat',
    );
    expect(existsSync(join(root, "new.txt"))).toBe(false);
  });

  it("writes a new file inside a write root and replaces one, leaving no temporary file", async () => {
    expect(
      (await writer.call("write", { path: "out/new.txt", content: "made", create_directories: true })).text,
    ).toMatch(/Wrote 4 bytes to .*out\/new.txt \(new file\)/);
    expect(readFileSync(join(root, "out/new.txt"), "utf8")).toBe("made");
    await writer.call("write", { path: "out/new.txt", content: "replaced" });
    expect(readFileSync(join(root, "out/new.txt"), "utf8")).toBe("replaced");
    expect(readdirSync(join(root, "out"))).toEqual(["new.txt"]);
  });

  it("refuses writes outside the write roots, through symlinks, into .git, over the limit, or to special files", async () => {
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ path: join(readOnlyRoot, "spec.md"), content: "x" }, /outside the writable roots/],
      [{ path: "../outside/new.txt", content: "x" }, /outside the writable roots/],
      [{ path: join(outside, "secret.txt"), content: "x" }, /outside the writable roots/],
      [
        { path: "link-out.txt", content: "x" },
        /resolves \(through a symlink\) to .*outside the writable roots/,
      ],
      [{ path: "dir-out/new.txt", content: "x" }, /resolves \(through a symlink\)/],
      [{ path: ".git/hooks-pre-commit", content: "x" }, /inside a \.git directory/],
      [{ path: "missing/dir/file.txt", content: "x" }, /does not exist; set create_directories/],
      [{ path: "pipe", content: "x" }, /is a FIFO \(named pipe\); only regular files can be written/],
      [{ path: "huge.txt", content: "y".repeat(2_001) }, /over the write limit of 2000 \(max_write_bytes\)/],
    ];
    for (const [args, message] of refusals) {
      const result = await writer.call("write", args);
      expect(result.isError, JSON.stringify(args).slice(0, 60)).toBe(true);
      expect(result.text).toMatch(message);
    }
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("top secret\n");
    expect(readFileSync(join(readOnlyRoot, "spec.md"), "utf8")).toBe("# spec\n");
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
    expect(existsSync(join(root, "huge.txt"))).toBe(false);
    expect(readdirSync(join(root, ".git"))).toEqual([]);
  });

  it("edits by exact match: once, refused when missing or ambiguous, or all with replace_all", async () => {
    writeFileSync(join(root, "edit.txt"), "alpha beta\nalpha gamma\n");
    const missing = await writer.call("edit", { path: "edit.txt", old_text: "delta", new_text: "x" });
    expect(missing).toMatchObject({ isError: true });
    expect(missing.text).toContain("old_text was not found");
    const ambiguous = await writer.call("edit", { path: "edit.txt", old_text: "alpha", new_text: "x" });
    expect(ambiguous.text).toContain("old_text occurs 2 times");
    expect(readFileSync(join(root, "edit.txt"), "utf8")).toBe("alpha beta\nalpha gamma\n");
    await writer.call("edit", { path: "edit.txt", old_text: "alpha beta", new_text: "ALPHA BETA" });
    expect(readFileSync(join(root, "edit.txt"), "utf8")).toBe("ALPHA BETA\nalpha gamma\n");
    expect(
      (await writer.call("edit", { path: "edit.txt", old_text: "a", new_text: "4", replace_all: true })).text,
    ).toContain("Replaced 4 occurrences");
    expect(readFileSync(join(root, "edit.txt"), "utf8")).toBe("ALPHA BETA\n4lph4 g4mm4\n");
  });
});
