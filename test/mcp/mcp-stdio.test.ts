/**
 * `switchyard mcp` as a real process over stdio (the CLI from source through tsx), the way Claude
 * Code starts it. Against a Brain (named by `--url` or the client config; a harness gateway with a
 * token) driven by the MCP SDK's client: the tools call the Brain's API and answer what it
 * answers, and a missing token is a tool error that says what to set. On its own (no Brain: the tools run in the process, on a
 * config whose back ends are the fakes) driven by raw JSON-RPC lines: bad lines answered with
 * the errors that name them, the server still up, nothing written — and then a real answer, in
 * that config's ledger.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { openStores } from "../../src/store/open-stores.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenRouter, startFakeOpenRouter } from "../fakes/fake-openrouter.js";
import {
  type Harness,
  quietEngine,
  startHarness,
  TEST_OPENROUTER_KEY,
} from "../helpers/switchyard-harness.js";

const mainScript = join(import.meta.dirname, "../../src/cli/main.ts");
/** tsx's loader by absolute URL: the process runs in a temp directory, where `tsx` would not resolve. */
const tsxLoader = import.meta.resolve("tsx");
const token = "mcp-stdio-token";

/** The test's environment without any Switchyard settings of the machine running it. */
function cleanEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("SWITCHYARD_")) env[name] = value;
  return { ...env, ...extra };
}

type ToolResult = Awaited<ReturnType<Client["callTool"]>>;
const textOf = (result: ToolResult) => (result.content as Array<{ text: string }>)[0]!.text;

describe("switchyard mcp --url: the tools over the Brain's API", () => {
  let harness: Harness;
  let directory: string;
  const clients: Client[] = [];

  async function connect(args: string[], env: Record<string, string>) {
    const client = new Client({ name: "switchyard-stdio-test", version: "0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["--import", tsxLoader, mainScript, ...args],
        cwd: directory,
        env: cleanEnvironment({ SWITCHYARD_HOME: directory, ...env }),
      }),
    );
    clients.push(client);
    return client;
  }

  async function admin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${harness.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  beforeAll(async () => {
    harness = await startHarness({ authTokens: [token] });
    directory = mkdtempSync(join(tmpdir(), "switchyard-mcp-stdio-"));
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await harness?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it("lists the tools, asks the Brain, and reads cost, plan and reports from it", {
    timeout: 120_000,
  }, async () => {
    const client = await connect(["mcp", "--url", `${harness.url}/v1/`], { SWITCHYARD_TOKEN: token });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
      "ask",
      "route",
      "costs",
      "budget_status",
      "engine_status",
    ]);

    const asked = await client.callTool({
      name: "ask",
      arguments: {
        prompt: "Review this function for bugs: const add = (a, b) => a - b",
        task: "code-review",
      },
    });
    expect(asked.isError).toBeFalsy();
    await harness.runtime.switchyard.idle();
    const rows = await harness.ledgerRows();
    const structured = asked.structuredContent as Record<string, unknown>;
    const answering = rows.find((row) => row.id === structured.request_id)!;
    expect(answering).toMatchObject({ frontDoor: "openai", task: "code-review", alias: "cloud-sonnet" });
    expect(answering.costUsd).toBeGreaterThan(0);
    // Every row the ask made carries its tag as the caller (the OpenAI `user` it sent).
    expect(answering.caller).toMatch(/^mcp-ask:/);
    const chain = rows.filter((row) => row.caller === answering.caller);
    expect(structured).toEqual({
      answer: "Hello from anthropic/claude-sonnet-4.5",
      request_id: answering.id,
      task: "code-review",
      tier: 2,
      alias: "cloud-sonnet",
      model: "anthropic/claude-sonnet-4.5",
      input_tokens: answering.inputTokens,
      output_tokens: answering.outputTokens,
      cost_usd: chain.reduce((sum, row) => sum + row.costUsd, 0),
      cost_estimated: false,
      attempts: chain.length,
      escalations: 0,
    });
    expect(textOf(asked)).toContain("[switchyard: code-review · tier 2 · cloud-sonnet");
    // The task went as the task header: the Brain did not classify.
    expect(answering.selector).toBe("task-header");

    const prompt = "Write a commit message for: fix the typo in README";
    const planned = await client.callTool({ name: "route", arguments: { prompt } });
    expect(planned.structuredContent).toEqual(await admin("POST", "/admin/route", { prompt }));

    const reports = async (name: string) =>
      (await client.callTool({ name, arguments: {} })).structuredContent as Record<string, unknown>;
    const costs = await reports("costs");
    const adminCosts = await admin("GET", "/admin/costs");
    expect(costs.totalUsd).toBe(adminCosts.totalUsd);
    expect(costs.byAlias).toEqual(adminCosts.byAlias);
    expect(await reports("budget_status")).toEqual(await admin("GET", "/admin/budgets"));
    expect(await reports("engine_status")).toEqual(await admin("GET", "/admin/engines"));
  });

  it("finds the Brain in the client config; without the token a call is a tool error that says what to set, and the server stays up", {
    timeout: 120_000,
  }, async () => {
    writeFileSync(join(directory, "no-token.yaml"), "server:\n  host: 127.0.0.1\n  port: 8787\n");
    // What `switchyard setup workstation` writes, here without a token.
    writeFileSync(join(directory, "client.yaml"), `url: ${harness.url}\n`, { mode: 0o600 });
    const client = await connect(["--config", join(directory, "no-token.yaml"), "mcp"], {});
    const rowsBefore = (await harness.ledgerRows()).length;
    const refused = await client.callTool({ name: "ask", arguments: { prompt: "hello" } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(
      `The Brain at ${harness.url} refused the token (Missing API token: send Authorization: Bearer <token> (or x-api-key) with one of server.auth_tokens); set SWITCHYARD_TOKEN or pass --token with one of its server.auth_tokens`,
    );
    const costs = await client.callTool({ name: "costs", arguments: {} });
    expect(costs.isError).toBe(true);
    expect((await client.listTools()).tools).toHaveLength(5);
    expect(await harness.ledgerRows()).toHaveLength(rowsBefore);
  });
});

describe("switchyard mcp without a Brain: the tools in the process", () => {
  let ollama: FakeOllama;
  let openRouter: FakeOpenRouter;
  let directory: string;
  let configPath: string;
  let child: ChildProcess;
  const replies: Array<{
    id: unknown;
    result?: Record<string, unknown>;
    error?: { code: number; message: string };
  }> = [];
  let onReply: () => void = () => {};

  beforeAll(async () => {
    ollama = await startFakeOllama();
    openRouter = await startFakeOpenRouter({ apiKey: TEST_OPENROUTER_KEY });
    directory = mkdtempSync(join(tmpdir(), "switchyard-mcp-local-"));
    configPath = join(directory, "switchyard.yaml");
    writeFileSync(
      configPath,
      stringify({
        server: { host: "127.0.0.1", port: 8787 },
        backends: {
          engine: { base_url: ollama.url, ...quietEngine },
          openrouter: { base_url: openRouter.baseUrl, api_key: TEST_OPENROUTER_KEY },
        },
        database: { url: join(directory, "ledger.db") },
        budget: {
          key_check_interval_minutes: 0,
          catalog: { path: join(directory, "model-catalog.json"), sync_on_start: false },
        },
        logging: { level: "silent" },
      }),
    );
    child = spawn(process.execPath, ["--import", tsxLoader, mainScript, "--config", configPath, "mcp"], {
      cwd: directory,
      env: cleanEnvironment({ SWITCHYARD_HOME: directory }),
      stdio: ["pipe", "pipe", "inherit"],
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      replies.push(JSON.parse(line) as (typeof replies)[number]);
      onReply();
    });
  });
  afterAll(async () => {
    child?.kill();
    await Promise.all([ollama?.close(), openRouter?.close()]);
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const send = (message: unknown) =>
    child.stdin!.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`);
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      onReply = () => done() && resolve();
      onReply();
    });
  const reply = (id: number) => replies.find((entry) => entry.id === id);
  const call = (id: number, name: string, args: unknown) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args },
  });
  const chatRequests = () =>
    ollama.requests.filter((entry) => entry.path === "/api/chat").length +
    openRouter.requests.filter((entry) => entry.path.endsWith("/chat/completions")).length;

  it("answers every bad line with the error that names it, keeps serving, writes nothing — then answers for real", {
    timeout: 120_000,
  }, async () => {
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
    });
    await until(() => reply(1) !== undefined);
    expect(reply(1)!.result).toMatchObject({
      serverInfo: { name: "switchyard" },
      instructions: expect.stringMatching(/^Switchyard routes AI work .* under a hard budget\. Use ask /),
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send("{not json");
    send(call(3, "spend_everything", {}));
    send(call(4, "ask", { prompt: "" }));
    send(call(5, "ask", { prompt: "hi", max_tokens: -5 }));
    send(call(6, "ask", { prompt: "y".repeat(1_020_000) }));
    send(call(7, "ask", { prompt: "z".repeat(1_100_000) }));
    send({ jsonrpc: "2.0", id: 8, method: "tools/list" });
    const anonymous = () => replies.filter((entry) => entry.id === null);
    await until(() => [3, 4, 5, 6, 8].every((id) => reply(id)) && anonymous().length === 2);

    expect(anonymous().map((entry) => entry.error)).toEqual([
      { code: -32700, message: expect.stringMatching(/^Parse error: /) },
      {
        code: -32600,
        message: expect.stringMatching(
          /^Invalid Request: a message of \d+\+? bytes is over this server's limit of 1065536$/,
        ),
      },
    ]);
    expect(reply(3)!.error).toEqual({
      code: -32602,
      message:
        'Unknown tool "spend_everything"; switchyard has: ask, route, costs, budget_status, engine_status',
    });
    expect(reply(4)!.error).toEqual({
      code: -32602,
      message: 'Invalid arguments for "ask": prompt: must not be empty',
    });
    expect(reply(5)!.error).toEqual({
      code: -32602,
      message: 'Invalid arguments for "ask": max_tokens: must be a positive number of tokens',
    });
    expect(reply(6)!.error!.message).toMatch(/over this server's limit of 1000000 \(max_argument_bytes\)$/);
    expect((reply(8)!.result!.tools as unknown[]).length).toBe(5);
    expect(chatRequests()).toBe(0);

    send(
      call(9, "ask", {
        prompt: "Write a commit message for: fix the typo in README",
        task: "commit-message",
      }),
    );
    await until(() => reply(9) !== undefined);
    const answered = reply(9)!.result as { structuredContent: Record<string, unknown>; isError?: boolean };
    expect(answered.isError).toBeFalsy();
    expect(answered.structuredContent).toMatchObject({
      answer: "Hello from qwen2.5-coder:32b",
      task: "commit-message",
      tier: 1,
      alias: "local-coder",
      cost_usd: 0,
    });

    // Closing stdin stops the server; it closes its runtime, so the ledger is complete on disk.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin!.end();
    expect(await exited).toBe(0);
    const stores = await openStores(join(directory, "ledger.db"));
    try {
      const rows = await stores.ledger.recent(10);
      expect(rows.map((row) => [row.id, row.frontDoor, row.task, row.alias])).toEqual([
        [answered.structuredContent.request_id, "mcp", "commit-message", "local-coder"],
      ]);
    } finally {
      await stores.close();
    }
  });
});
