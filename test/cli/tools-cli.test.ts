/**
 * `switchyard tools` and `switchyard mcp-server` as a user runs them: real child processes, their
 * output and exit codes, and a built-in server on Streamable HTTP reached by the SDK client.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "switchyard-tools-cli-"));
const root = join(directory, "root");
mkdirSync(root);
writeFileSync(join(root, "hello.txt"), "hello\n");

async function switchyard(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, SWITCHYARD_HOME: directory },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

function configFile(name: string, yaml: string): string {
  const path = join(directory, name);
  writeFileSync(path, yaml);
  return path;
}

describe("switchyard tools", () => {
  it("starts each server and lists its state and tools, allowed or not", async () => {
    const config = configFile(
      "tools.yaml",
      `tools:\n  servers:\n    files: { builtin: fs, roots: [${root}], allow: [read, list] }\n`,
    );
    const result = await switchyard(["--config", config, "tools"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^files \(built-in fs, stdio\): running, pid \d+\n/);
    expect(result.stdout).toMatch(/\n {2}files\.read +allowed +Read a text file/);
    expect(result.stdout).toMatch(/\n {2}files\.stat +not allowed +Type, size/);
    expect(result.stdout).not.toContain("files.write");

    const filtered = await switchyard(["--config", config, "tools", "--filter", "files.raed"]);
    expect(filtered.code).toBe(1);
    expect(filtered.stderr).toContain(
      'switchyard tools: "files.raed" matches no allowed tool (allowed: files.read, files.list)',
    );
  }, 120_000);

  it("says how to add servers when there are none", async () => {
    const result = await switchyard(["--config", configFile("empty.yaml", "tools: {}\n"), "tools"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No MCP servers are configured. Add them under tools.servers");
  }, 120_000);
});

describe("switchyard mcp-server", () => {
  it("refuses an unknown kind, or a kind with no settings, saying what to do", async () => {
    const unknown = await switchyard(["mcp-server", "shell"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no built-in MCP server "shell"; use one of: git, fs, db');
    const unset = await switchyard(["--config", configFile("none.yaml", "tools: {}\n"), "mcp-server", "git"]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("no git server in tools.servers; add one, or pass --repo <dir>");
  }, 120_000);

  it("starts without the rest of the CLI, as bin/switchyard.js starts it for a workflow's hub", async () => {
    // mcp-server-main.ts: the command alone, over stdio, as the hub's launcher runs it.
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", "src/cli/mcp-server-main.ts", "mcp-server", "fs", "--root", root],
      env: { ...(process.env as Record<string, string>), SWITCHYARD_HOME: directory },
    });
    const client = new Client({ name: "cli-test", version: "0" });
    await client.connect(transport);
    const result = await client.callTool({ name: "read", arguments: { path: "hello.txt" } });
    expect(result.content).toEqual([{ type: "text", text: "hello\n" }]);
    await client.close();
    const unknown = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/mcp-server-main.ts", "mcp-server", "shell"],
      {
        env: { ...process.env, SWITCHYARD_HOME: directory },
        timeout: 90_000,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('there is no built-in MCP server "shell"'),
    });
  }, 120_000);

  it("serves Streamable HTTP on loopback with --http, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "mcp-server", "fs", "--root", root, "--http", "0"],
      { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SWITCHYARD_HOME: directory } },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once("line", resolve),
    );
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)$/.exec(line)?.[1];
    expect(url, line).toBeDefined();
    const client = new Client({ name: "cli-test", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url!)));
    const result = await client.callTool({ name: "read", arguments: { path: "hello.txt" } });
    expect(result.content).toEqual([{ type: "text", text: "hello\n" }]);
    await client.close();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 120_000);
});
