/**
 * The tool hub against real MCP servers: the built-in servers as child processes over stdio (this
 * program from its sources, as the hub starts them), a built-in server over Streamable HTTP, and
 * a command that dies at once. Lazy start, allow-lists and filters that fail loudly, every call
 * audited, time limits, cancellation, restart after a crash (with backoff, on an injected clock),
 * and a clean stop.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsSchema } from "../../src/config/tools-schema.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { Cancellation } from "../../src/protocol/cancel-signal.js";
import { McpToolHub } from "../../src/tools/mcp-tool-hub.js";
import { parseBuiltinSettings } from "../../src/tools/servers/builtin-tool-servers.js";
import { createFsTools } from "../../src/tools/servers/fs/fs-tools.js";
import { type RunningToolServer, serveToolsOverHttp } from "../../src/tools/servers/tool-server-serve.js";
import type { ToolAuditRecord } from "../../src/tools/tool-audit.js";
import type { ToolServerState } from "../../src/tools/tool-hub.js";
import type { ToolHubClock } from "../../src/tools/tool-server-connection.js";

const LAUNCHER = { command: process.execPath, args: ["--import", "tsx", resolve("src/cli/main.ts")] };
const base = mkdtempSync(join(tmpdir(), "switchyard-hub-"));
const root = join(base, "root");
const repository = join(base, "repo");
const databasePath = join(base, "app.db");

function makeFixtures(): void {
  mkdirSync(root);
  writeFileSync(join(root, "notes.txt"), "hello from the fs server\n");
  mkdirSync(repository);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repository });
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Hub Test");
  git("config", "user.email", "hub@switchyard.invalid");
  writeFileSync(join(repository, "a.txt"), "a\n");
  git("add", ".");
  git("commit", "-q", "-m", "Start");
  const database = new Database(databasePath);
  database.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);");
  database.close();
}

/** Records server states and lets a test wait for the next time one is reached. */
function stateWatcher() {
  const seen: Array<[string, ToolServerState]> = [];
  const waiters: Array<{ server: string; state: ToolServerState; resolve: () => void }> = [];
  return {
    seen,
    onServerState(server: string, state: ToolServerState) {
      seen.push([server, state]);
      for (const waiter of waiters.filter((entry) => entry.server === server && entry.state === state)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    next(server: string, state: ToolServerState): Promise<void> {
      return new Promise((resolve) => waiters.push({ server, state, resolve }));
    },
  };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("tool hub over stdio, with the built-in servers", () => {
  const audit: ToolAuditRecord[] = [];
  const states = stateWatcher();
  let hub: McpToolHub;

  beforeAll(() => {
    makeFixtures();
    hub = new McpToolHub({
      config: toolsSchema.parse({
        restart: { initial_delay_ms: 50 },
        servers: {
          fs: { builtin: "fs", roots: [root], allow: ["read", "list"] },
          git: { builtin: "git", repositories: { repo: repository }, allow: ["*"] },
          db: { builtin: "db", databases: { app: databasePath }, timeout_ms: 60_000, allow: ["query"] },
          idle: { command: process.execPath, args: ["-e", "process.exit(0)"], allow: [] },
        },
      }),
      launcher: LAUNCHER,
      audit: (record) => audit.push(record),
      onServerState: states.onServerState,
    });
  });
  afterAll(() => hub?.close());

  it("starts only the servers a request names, and lists their allowed tools as ToolDefinitions", async () => {
    expect((await hub.status()).map((status) => [status.name, status.state])).toEqual([
      ["fs", "idle"],
      ["git", "idle"],
      ["db", "idle"],
      ["idle", "idle"],
    ]);
    const tools = await hub.listTools({ filter: "fs.*" });
    expect(tools.map((tool) => tool.name)).toEqual(["fs.read", "fs.list"]);
    expect(tools[0]!.parameters).toMatchObject({
      type: "object",
      properties: { path: { type: "string" } },
      required: ["path"],
      additionalProperties: false,
    });
    expect(tools[0]!.parameters).not.toHaveProperty("$schema");
    expect((await hub.status()).find((status) => status.name === "git")!.state).toBe("idle");
  }, 120_000);

  it("lists every allowed tool without a filter, and narrows by patterns", async () => {
    // In config order, the same every time: fs, git, db (idle allows nothing and is not started).
    expect((await hub.listTools()).map((tool) => tool.name)).toEqual([
      "fs.read",
      "fs.list",
      "git.status",
      "git.diff",
      "git.log",
      "git.show",
      "git.branch",
      "git.worktree_list",
      "git.worktree_add",
      "git.worktree_remove",
      "db.query",
    ]);
    const some = await hub.listTools({ filter: ["git.worktree_*", "fs.read"] });
    expect(some.map((tool) => tool.name)).toEqual([
      "git.worktree_list",
      "git.worktree_add",
      "git.worktree_remove",
      "fs.read",
    ]);
  }, 120_000);

  it("fails loudly, naming each pattern that resolves to nothing", async () => {
    const failure = await hub
      .listTools({ filter: "fs.raed, git.commit, tickets.search, db.tables" })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(SwitchyardError);
    expect(failure.code).toBe("invalid-request");
    expect(failure.message).toContain(
      '"tickets.search": no MCP server is named "tickets" (configured: fs, git, db, idle)',
    );
    expect(failure.message).toContain('"fs.raed" matches no allowed tool (allowed: fs.read, fs.list)');
    expect(failure.message).toContain('"git.commit" matches no allowed tool');
    expect(failure.message).toContain('"db.tables" matches no allowed tool (allowed: db.query)');
    await expect(hub.listTools({ filter: " , " })).rejects.toThrow("The tool filter is empty");
  });

  it("calls a tool with JSON text from a model, and audits the call", async () => {
    audit.length = 0;
    const result = await hub.callTool({ name: "fs.read", arguments: '{ "path": "notes.txt" }' });
    expect(result).toEqual({ text: "hello from the fs server\n", isError: false });
    expect(audit).toEqual([
      {
        server: "fs",
        tool: "read",
        argumentsDigest: sha256('{"path":"notes.txt"}'),
        durationMs: expect.any(Number),
        resultBytes: 25,
        isError: false,
      },
    ]);
    const rows = await hub.callTool({
      name: "db.query",
      arguments: { sql: "SELECT x FROM t", database: "app" },
    });
    expect(JSON.parse(rows.text)).toMatchObject({ columns: ["x"], rows: [[1], [2]] });
    expect(audit[1]!.argumentsDigest).toBe(sha256('{"database":"app","sql":"SELECT x FROM t"}'));
  }, 120_000);

  it("refuses a tool off the allow-list, or outside the request's filter, with a clear error", async () => {
    audit.length = 0;
    expect(await hub.callTool({ name: "fs.stat", arguments: { path: "notes.txt" } })).toEqual({
      text: "fs.stat is not allowed: tools.servers.fs.allow lets through read, list",
      isError: true,
      failure: "not-allowed",
    });
    expect(await hub.callTool({ name: "fs.list", arguments: {}, filter: "fs.read,git.*" })).toMatchObject({
      text: "fs.list is not among this request's tools (fs.read, git.*)",
      failure: "not-allowed",
    });
    expect(await hub.callTool({ name: "idle.anything", arguments: {} })).toMatchObject({
      failure: "not-allowed",
    });
    expect(await hub.callTool({ name: "read", arguments: {} })).toMatchObject({
      text: 'There is no tool "read": tools are named <server>.<tool>, and the servers are fs, git, db, idle',
      failure: "unknown-tool",
    });
    expect(audit.map((record) => [record.server, record.tool, record.error?.failure])).toEqual([
      ["fs", "stat", "not-allowed"],
      ["fs", "list", "not-allowed"],
      ["idle", "anything", "not-allowed"],
      ["read", "", "unknown-tool"],
    ]);
    expect((await hub.status()).find((status) => status.name === "idle")!.state).toBe("idle");
  });

  it("turns bad arguments and unknown tools into errors a model can act on", async () => {
    expect(await hub.callTool({ name: "fs.read", arguments: "{not json" })).toMatchObject({
      text: expect.stringMatching(
        /^The arguments for fs\.read are not valid JSON \(.*\); send a JSON object$/,
      ),
      failure: "invalid-arguments",
    });
    expect(await hub.callTool({ name: "fs.read", arguments: "[1]" })).toMatchObject({
      failure: "invalid-arguments",
    });
    expect(await hub.callTool({ name: "fs.read", arguments: { path: 5 } })).toMatchObject({
      text: 'fs.read: Invalid arguments for "read": path: expected string, received number',
      failure: "invalid-arguments",
    });
    expect(await hub.callTool({ name: "git.rebase", arguments: {} })).toMatchObject({
      text: expect.stringContaining('Unknown tool "rebase"'),
      failure: "unknown-tool",
    });
    expect(await hub.callTool({ name: "fs.read", arguments: { path: "/etc/passwd" } })).toMatchObject({
      isError: true,
      failure: "tool-error",
      text: expect.stringContaining("outside the roots"),
    });
  }, 120_000);

  it("stops a call at its time limit and cancels one whose caller went away; the server stays up", async () => {
    const endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
    // Started first, so the time limit below counts only the query.
    await hub.callTool({ name: "db.query", arguments: { database: "app", sql: "SELECT 1" } });
    const timedOut = await hub.callTool({
      name: "db.query",
      arguments: { database: "app", sql: endless },
      timeoutMs: 1_500,
    });
    expect(timedOut).toEqual({
      text: "db.query took longer than its time limit of 1500 ms and was stopped",
      isError: true,
      failure: "timeout",
    });
    const cancellation = new Cancellation();
    const cancelled = hub.callTool({
      name: "db.query",
      arguments: { database: "app", sql: endless },
      signal: cancellation,
    });
    cancellation.abort();
    await expect(cancelled).rejects.toMatchObject({ code: "aborted" });
    const after = await hub.callTool({
      name: "db.query",
      arguments: { database: "app", sql: "SELECT 7 AS x" },
    });
    expect(JSON.parse(after.text).rows).toEqual([[7]]);
    expect((await hub.status()).find((status) => status.name === "db")!.restarts).toBe(0);
  }, 120_000);

  it("restarts a server that crashes", async () => {
    await hub.callTool({ name: "fs.read", arguments: { path: "notes.txt" } });
    const before = (await hub.status()).find((status) => status.name === "fs")!;
    expect(before.state).toBe("running");
    const backoff = states.next("fs", "backoff");
    const running = states.next("fs", "running");
    process.kill(before.pid!, "SIGKILL");
    await backoff;
    await running;
    const after = (await hub.status()).find((status) => status.name === "fs")!;
    expect(after).toMatchObject({
      state: "running",
      restarts: 1,
      lastError: expect.stringContaining("exited"),
    });
    expect(after.pid).not.toBe(before.pid);
    expect((await hub.callTool({ name: "fs.read", arguments: { path: "notes.txt" } })).isError).toBe(false);
  }, 120_000);

  it("stops every server on close, and refuses calls after", async () => {
    await hub.listTools();
    const pids = (await hub.status()).flatMap((status) => (status.pid ? [status.pid] : []));
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await hub.close();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(hub.callTool({ name: "fs.read", arguments: { path: "notes.txt" } })).rejects.toThrow(
      "The tool hub is closed",
    );
  }, 60_000);
});

describe("tool hub over Streamable HTTP", () => {
  let server: RunningToolServer & { url: string };
  let start: (port: number) => Promise<RunningToolServer & { url: string }>;
  let hub: McpToolHub;
  const states = stateWatcher();

  let gate: HttpServer;
  let gateUrl: string;

  beforeAll(async () => {
    const serveRoot = mkdtempSync(join(tmpdir(), "switchyard-hub-http-"));
    writeFileSync(join(serveRoot, "remote.txt"), "served over HTTP\n");
    const settings = parseBuiltinSettings("fs", { builtin: "fs", roots: [serveRoot] }) as never;
    start = async (port: number) =>
      serveToolsOverHttp(await createFsTools(settings), { host: "127.0.0.1", port, onError: () => {} });
    server = await start(0);
    // In front of it, a gate that lets through only requests carrying the configured header.
    gate = createServer((request, response) => {
      if (request.headers.authorization !== "Bearer gate-token") {
        response.writeHead(401, { "content-type": "text/plain" }).end("missing credentials\n");
        return;
      }
      const upstream = new URL(server.url);
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: upstream.pathname,
          method: request.method,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(response);
        },
      );
      forward.on("error", () => (response.headersSent ? response.destroy() : response.writeHead(502).end()));
      request.pipe(forward);
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/mcp`;
    hub = new McpToolHub({
      config: toolsSchema.parse({
        restart: { initial_delay_ms: 20, max_delay_ms: 100, max_attempts: 2 },
        servers: {
          remote: { url: gateUrl, headers: { Authorization: "Bearer gate-token" }, allow: ["read", "stat"] },
        },
      }),
      launcher: LAUNCHER,
      onServerState: states.onServerState,
    });
  });
  afterAll(async () => {
    await hub?.close();
    await server?.close();
    gate?.closeAllConnections();
    await new Promise((resolve) => gate?.close(resolve));
  });

  it("sends the configured headers, and says so when a server refuses the hub", async () => {
    const refused = new McpToolHub({
      config: toolsSchema.parse({ servers: { remote: { url: gateUrl, allow: ["read"] } } }),
      launcher: LAUNCHER,
    });
    try {
      const failure = await refused.listTools().catch((error) => error);
      expect(failure).toMatchObject({ code: "upstream-unreachable" });
      expect(failure.message).toBe(
        "MCP server remote could not be started: Error POSTing to endpoint: missing credentials (HTTP 401)",
      );
    } finally {
      await refused.close();
    }
  });

  it("lists and calls the allowed tools of a server at a URL", async () => {
    expect((await hub.listTools()).map((tool) => tool.name)).toEqual(["remote.read", "remote.stat"]);
    expect(await hub.callTool({ name: "remote.read", arguments: { path: "remote.txt" } })).toEqual({
      text: "served over HTTP\n",
      isError: false,
    });
    expect((await hub.callTool({ name: "remote.list", arguments: {} })).failure).toBe("not-allowed");
  });

  it("fails loudly when a server's allow-list lets none of its tools through", async () => {
    const typo = new McpToolHub({
      config: toolsSchema.parse({ servers: { remote: { url: server.url, allow: ["raed"] } } }),
      launcher: LAUNCHER,
    });
    try {
      await expect(typo.listTools()).rejects.toThrow(
        "tools.servers.remote.allow (raed) names no tool remote has; it has: read, list, search, stat",
      );
      expect((await typo.status())[0]!.unmatchedAllow).toEqual(["raed"]);
    } finally {
      await typo.close();
    }
  });

  it("reports a server that went away as unavailable, and reaches it again once it is back", async () => {
    // Its restarts fail while it is away (20 ms, then 40 ms apart) until the hub stops trying.
    const gaveUp = states.next("remote", "failed");
    await server.close();
    const down = await hub.callTool({ name: "remote.read", arguments: { path: "remote.txt" } });
    expect(down).toMatchObject({ isError: true, failure: "unavailable" });
    await gaveUp;
    server = await start(Number(new URL(server.url).port));
    const back = await hub.callTool({ name: "remote.read", arguments: { path: "remote.txt" } });
    expect(back).toEqual({ text: "served over HTTP\n", isError: false });
    expect((await hub.status())[0]!.restarts).toBe(1);
  });
});

describe("tool hub restart backoff", () => {
  it("doubles the wait after each failed start, gives up after max_attempts, and tries again on demand", async () => {
    const timers: Array<{ callback: () => void; delayMs: number }> = [];
    let now = 1_000_000;
    const clock: ToolHubClock = {
      now: () => now,
      setTimeout: (callback, delayMs) => timers.push({ callback, delayMs }),
      clearTimeout: () => {},
    };
    const states = stateWatcher();
    const hub = new McpToolHub({
      config: toolsSchema.parse({
        restart: { initial_delay_ms: 500, max_delay_ms: 1_500, max_attempts: 3 },
        servers: {
          broken: {
            command: process.execPath,
            args: ["-e", "console.error('missing API token'); process.exit(3)"],
            allow: ["*"],
          },
        },
      }),
      launcher: LAUNCHER,
      clock,
      onServerState: states.onServerState,
    });
    try {
      const first = await hub.listTools().catch((error) => error);
      expect(first.code).toBe("upstream-unreachable");
      expect(first.message).toMatch(
        /MCP server broken could not be started: .*\(stderr: missing API token\)/,
      );
      let status = (await hub.status())[0]!;
      expect(status).toMatchObject({ state: "backoff", retryAt: now + 500 });
      // A call during the backoff waits for the restart, but no longer than its own time limit.
      expect(await hub.callTool({ name: "broken.anything", arguments: {}, timeoutMs: 200 })).toMatchObject({
        failure: "timeout",
        text: expect.stringContaining(
          "is waiting to restart and was not ready within the call's time limit of 200 ms",
        ),
      });
      for (const expected of [1_000, 1_500]) {
        const next = states.next("broken", "backoff");
        now += 10_000;
        timers.at(-1)!.callback();
        await next;
        expect(timers.at(-1)!.delayMs).toBe(expected);
      }
      const failed = states.next("broken", "failed");
      timers.at(-1)!.callback();
      await failed;
      expect(timers).toHaveLength(3);
      status = (await hub.status())[0]!;
      expect(status.state).toBe("failed");
      expect(status.lastError).toContain("missing API token");
      // A call after giving up tries once more, at once, and says why it failed.
      const call = await hub.callTool({ name: "broken.anything", arguments: {} });
      expect(call).toMatchObject({ isError: true, failure: "unavailable" });
      expect(call.text).toContain("could not be started");
      expect(timers).toHaveLength(3);
      expect(states.seen.filter(([, state]) => state === "starting")).toHaveLength(5);
    } finally {
      await hub.close();
    }
  }, 120_000);
});
