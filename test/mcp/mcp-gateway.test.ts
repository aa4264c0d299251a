/**
 * `/mcp` on the gateway, driven by the MCP SDK's own client over Streamable HTTP (and by raw
 * HTTP where the client would refuse to send what we test): the five tools listed and described,
 * `ask` through the one request path with its cost from the ledger, `route` without a model call,
 * the reports as the admin API serves them; behind the bearer token, against DNS rebinding, and
 * bad input answered in JSON-RPC with the server still up and nothing written.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { promptChatRequest } from "../../src/protocol/prompt-request.js";
import { explainRoute } from "../../src/routing/route-explanation.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const token = "mcp-gateway-token";
let harness: Harness;
const clients: Client[] = [];

beforeAll(async () => {
  harness = await startHarness({ authTokens: [token] });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => harness?.close());

async function connect(headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const client = new Client({ name: "switchyard-test", version: "0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${harness.url}/mcp`), { requestInit: { headers } }),
  );
  clients.push(client);
  return client;
}

async function admin(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${harness.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const chatRequestCount = () =>
  harness.ollama.requests.filter((entry) => entry.path === "/api/chat").length +
  harness.openRouter.requests.filter((entry) => entry.path.endsWith("/chat/completions")).length;

interface JsonRpcReply {
  jsonrpc: string;
  id: string | number | null;
  result?: { tools?: unknown[]; content?: Array<{ text: string }>; isError?: boolean };
  error?: { code: number; message: string };
}

/** A raw POST to /mcp; the JSON-RPC reply whether it came as JSON or as one SSE event. */
function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; reply: JsonRpcReply | undefined }> {
  const url = new URL(`${harness.url}/mcp`);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const json = text.startsWith("event:") ? /^data: (.*)$/m.exec(text)?.[1] : text;
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            reply: json ? (JSON.parse(json) as JsonRpcReply) : undefined,
          });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const call = (id: number, name: string, args: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

describe("the tools", () => {
  it("lists the five tools, each described for a model, every argument described", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      "ask",
      "route",
      "costs",
      "budget_status",
      "engine_status",
    ]);
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(150);
      expect(tool.description, tool.name).toMatch(/Use it /);
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [name, property] of Object.entries(properties))
        expect(property.description, `${tool.name}.${name}`).toBeTruthy();
      expect(tool.inputSchema.additionalProperties).toBe(false);
    }
    const ask = tools.find((tool) => tool.name === "ask")!;
    expect(ask.inputSchema.required).toEqual(["prompt"]);
    expect(Object.keys(ask.inputSchema.properties ?? {})).toEqual(["prompt", "task", "system", "max_tokens"]);
    expect(ask.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(ask.outputSchema?.properties).toHaveProperty("cost_usd");
    expect(tools.find((tool) => tool.name === "costs")!.annotations).toMatchObject({ readOnlyHint: true });
    expect(client.getInstructions()).toContain("cheapest model tier");
  });

  it("ask runs on its tier through the one request path and returns the answer with task, tier, model and cost", async () => {
    const client = await connect();
    // The local answer is empty: the gates fail it and the request climbs to Sonnet, which is paid.
    harness.ollama.enqueue({ kind: "reply", reply: { content: "   " } });
    const before = (await harness.ledgerRows()).length;
    const result = await client.callTool({
      name: "ask",
      arguments: { prompt: "Write add(a, b) in TypeScript", task: "code-generation", max_tokens: 400 },
    });
    expect(result.isError).toBeFalsy();
    await harness.runtime.switchyard.idle();
    const all = await harness.ledgerRows();
    const rows = all.slice(0, all.length - before);
    rows.sort((a, b) => a.attempt - b.attempt);
    expect(rows.map((row) => [row.frontDoor, row.alias, row.gateVerdict])).toEqual([
      ["mcp", "local-coder", "fail"],
      ["mcp", "cloud-sonnet", "pass"],
    ]);
    expect(rows[0]!.caller).toMatch(/^mcp-ask:/);
    expect(rows[1]!.caller).toBe(rows[0]!.caller);
    const answering = rows[1]!;
    expect(answering.costUsd).toBeGreaterThan(0);
    expect(result.structuredContent).toEqual({
      answer: "Hello from anthropic/claude-sonnet-4.5",
      request_id: answering.id,
      task: "code-generation",
      tier: 2,
      alias: "cloud-sonnet",
      model: "anthropic/claude-sonnet-4.5",
      input_tokens: answering.inputTokens,
      output_tokens: answering.outputTokens,
      cost_usd: rows[0]!.costUsd + answering.costUsd,
      cost_estimated: false,
      attempts: 2,
      escalations: 1,
    });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text).toMatch(
      /^Hello from anthropic\/claude-sonnet-4\.5\n\n\[switchyard: code-generation · tier 2 · cloud-sonnet/,
    );
    expect(text).toContain(`$${answering.costUsd.toFixed(6)}`);
    expect(text).toContain("escalated 1×");
    // The request carried what was asked: the token limit reached the model.
    const sonnetBody = harness.openRouter.requests.at(-1)!.body as { max_tokens?: number };
    expect(sonnetBody.max_tokens).toBe(400);
  });

  it("route explains the plan the running planner makes, and calls no model", async () => {
    const client = await connect();
    const calls = chatRequestCount();
    const rows = (await harness.ledgerRows()).length;
    const prompt = "Review this diff for bugs: - return a + b; + return a - b;";
    const result = await client.callTool({ name: "route", arguments: { prompt } });
    const expected = explainRoute(
      harness.runtime.switchyard.planner.plan({ request: promptChatRequest({ prompt }) }),
    );
    expect(result.structuredContent).toEqual({ ...expected });
    expect(JSON.parse((result.content as Array<{ text: string }>)[0]!.text)).toEqual({ ...expected });
    const named = await client.callTool({ name: "route", arguments: { prompt, task: "lint" } });
    expect(named.structuredContent).toMatchObject({ task: "lint", selector: "task-header", confidence: 1 });
    expect(chatRequestCount()).toBe(calls);
    expect(await harness.ledgerRows()).toHaveLength(rows);
  });

  it("costs, budget_status and engine_status answer what the admin API answers", async () => {
    const client = await connect();
    const structured = async (name: string) =>
      (await client.callTool({ name, arguments: {} })).structuredContent as Record<string, unknown>;
    // The two reports are a moment apart: the figures that run with the clock differ by that much.
    const withoutClock = ({
      asOf,
      elapsedDays,
      dailyRateUsd,
      forecastUsd,
      ...rest
    }: Record<string, unknown>) => {
      expect([asOf, elapsedDays, dailyRateUsd, forecastUsd]).not.toContain(undefined);
      return rest;
    };
    const costs = withoutClock(await structured("costs"));
    expect(costs).toEqual(withoutClock(await admin("/admin/costs")));
    expect(costs.requests).toBe((await harness.ledgerRows()).length);
    expect(await structured("budget_status")).toEqual(await admin("/admin/budgets"));
    const engines = await structured("engine_status");
    expect((engines.engines as Array<{ id: string }>).map((engine) => engine.id)).toEqual(["engine"]);
    expect(engines).toEqual(await admin("/admin/engines"));
  });
});

describe("the door", () => {
  it("without the token: the SDK client cannot connect, and the refusal is a JSON-RPC error", async () => {
    await expect(connect({})).rejects.toThrow(/Missing API token/);
    await expect(connect({ authorization: "Bearer wrong" })).rejects.toThrow(
      /Invalid API token: it matches none of server.auth_tokens/,
    );
    const refused = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), {
      authorization: "",
    });
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toBe('Bearer realm="switchyard"');
    expect(refused.reply).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32001,
        message:
          "Missing API token: send Authorization: Bearer <token> (or x-api-key) with one of server.auth_tokens",
      },
    });
  });

  it("refuses a Host or Origin that is not this machine's (DNS rebinding)", async () => {
    const list = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const foreignHost = await post(list, { host: "attacker.example:8787" });
    expect(foreignHost.status).toBe(403);
    expect(foreignHost.reply!.error).toEqual({
      code: -32000,
      message: expect.stringMatching(/^Invalid Host: attacker\.example: .*server\.allowed_hosts/),
    });
    const foreignOrigin = await post(list, { origin: "http://attacker.example" });
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.reply!.error!.message).toMatch(/Origin/);
    const local = await post(list, { origin: `http://localhost:${new URL(harness.url).port}` });
    expect(local.status).toBe(200);
    expect(local.reply!.result!.tools).toHaveLength(5);
  });

  it("answers malformed, unknown, invalid and oversized calls in JSON-RPC, keeps serving, and writes nothing", async () => {
    const calls = chatRequestCount();
    const rows = (await harness.ledgerRows()).length;
    expect(await post("{not json")).toMatchObject({
      status: 400,
      reply: { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: Invalid JSON" } },
    });
    expect(await post(JSON.stringify({ foo: 1 }))).toMatchObject({
      status: 400,
      reply: { error: { code: -32600 } },
    });
    expect((await post(call(3, "spend_everything", {}))).reply!.error).toEqual({
      code: -32602,
      message:
        'Unknown tool "spend_everything"; switchyard has: ask, route, costs, budget_status, engine_status',
    });
    expect((await post(call(4, "ask", { prompt: 7 }))).reply!.error).toEqual({
      code: -32602,
      message: 'Invalid arguments for "ask": prompt: expected string, received number',
    });
    expect((await post(call(5, "ask", { prompt: "hi", task: "poetry" }))).reply!.error!.message).toMatch(
      /^Invalid arguments for "ask": task: must be one of the 15 task kinds: code-generation, /,
    );
    expect((await post(call(6, "ask", { prompt: "hi", model: "cloud-opus" }))).reply!.error).toEqual({
      code: -32602,
      message: 'Invalid arguments for "ask": unknown argument "model"',
    });
    expect((await post(call(7, "costs", { since: "yesterday" }))).reply!.error!.code).toBe(-32602);
    const oversized = await post(call(8, "ask", { prompt: "x".repeat(1_010_000) }));
    expect(oversized.reply!.error).toEqual({
      code: -32602,
      message: expect.stringMatching(
        /^The arguments for "ask" are \d+ bytes, over this server's limit of 1000000 \(max_argument_bytes\)$/,
      ),
    });
    const tooLarge = await post(call(9, "ask", { prompt: "x".repeat(1_200_000) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.reply!.error!.message).toContain("Payload Too Large");

    const still = await post(JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/list" }));
    expect(still.reply!.result!.tools).toHaveLength(5);
    expect(chatRequestCount()).toBe(calls);
    expect(await harness.ledgerRows()).toHaveLength(rows);
  });
});

describe("ask on a task whose requests may call MCP tools", () => {
  let looping: Harness;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "switchyard-mcp-loop-"));
    writeFileSync(join(directory, "NOTES.md"), "The pager bug: lastPage is off by one.\n");
    looping = await startHarness({
      authTokens: [token],
      configYaml: `tools:\n  servers:\n    fs: { builtin: fs, roots: ["${directory}"], allow: [read] }\n  tasks:\n    bug-hunting: [fs.read]\ngates:\n  bug-hunting: { judge: { alias: local, threshold: 6, tiers: [1] } }\n`,
      runtime: {
        toolLauncher: { command: process.execPath, args: ["--import", "tsx", resolve("src/cli/main.ts")] },
      },
    });
  });
  afterAll(async () => {
    await looping?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it("counts every turn of the tool loop in the cost, not only the last", { timeout: 60_000 }, async () => {
    const client = new Client({ name: "switchyard-test", version: "0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${looping.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    clients.push(client);
    // The task's default tools are on: the model reads the notes, then answers from them.
    looping.ollama.enqueue(
      {
        kind: "reply",
        reply: { toolCalls: [{ name: "fs__read", arguments: { path: join(directory, "NOTES.md") } }] },
      },
      { kind: "reply", reply: { content: "lastPage is off by one." } },
    );
    const result = await client.callTool({
      name: "ask",
      arguments: { prompt: "What is the pager bug? See NOTES.md.", task: "bug-hunting" },
    });
    expect(result.isError).toBeFalsy();
    await looping.runtime.switchyard.idle();
    const all = await looping.ledgerRows();
    const turns = all.filter((row) => row.frontDoor === "mcp");
    expect(turns).toHaveLength(2);
    expect(new Set(turns.map((row) => row.caller)).size).toBe(1);
    // The local answers were graded by the other local model: those calls are the ask's too.
    const judged = all.filter(
      (row) => row.frontDoor === "judge" && turns.some((turn) => turn.id === row.parentId),
    );
    expect(judged.length).toBeGreaterThan(0);
    expect(all).toHaveLength(turns.length + judged.length);
    const rows = [...turns, ...judged];
    const structured = result.structuredContent as Record<string, unknown>;
    expect(structured).toMatchObject({
      answer: "lastPage is off by one.",
      task: "bug-hunting",
      attempts: rows.length,
      cost_usd: rows.reduce((sum, row) => sum + row.costUsd, 0),
    });
    // The answer is the last turn's; the first turn asked for the file.
    const lastTurn = turns.find((row) => row.id === structured.request_id)!;
    expect(lastTurn.outputTokens).toBe(structured.output_tokens);
  });
});
