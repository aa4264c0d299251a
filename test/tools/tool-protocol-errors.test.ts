/**
 * Bad input at the protocol level, sent raw to a built-in server: malformed JSON-RPC, unknown
 * tools, arguments that fail the schema, oversized arguments and messages. Each gets a JSON-RPC
 * error naming what is wrong, the server stays up (it answers the next request), and nothing is
 * written. Over stdio (`switchyard mcp-server fs` as a child process) and over Streamable HTTP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBuiltinSettings } from "../../src/tools/servers/builtin-tool-servers.js";
import { createFsTools } from "../../src/tools/servers/fs/fs-tools.js";
import { type RunningToolServer, serveToolsOverHttp } from "../../src/tools/servers/tool-server-serve.js";
import { BUILTIN_SETTINGS_VARIABLE } from "../../src/tools/tool-server-specs.js";

interface JsonRpcReply {
  id: string | number | null;
  result?: { tools?: unknown[]; content?: Array<{ text: string }>; isError?: boolean };
  error?: { code: number; message: string };
}

const settings = (root: string) => ({
  builtin: "fs",
  roots: [root],
  writes: true,
  max_argument_bytes: 2_000,
});
const call = (id: number, name: string, args: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

describe("bad input over stdio", () => {
  const root = mkdtempSync(join(tmpdir(), "switchyard-stdio-errors-"));
  let child: ChildProcess;
  const replies: JsonRpcReply[] = [];
  let onReply: () => void = () => {};

  beforeAll(() => {
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "mcp-server", "fs"], {
      env: { ...process.env, [BUILTIN_SETTINGS_VARIABLE]: JSON.stringify(settings(root)) },
      stdio: ["pipe", "pipe", "inherit"],
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      replies.push(JSON.parse(line) as JsonRpcReply);
      onReply();
    });
  });
  afterAll(() => {
    child?.kill();
  });

  const send = (line: string) => child.stdin!.write(`${line}\n`);
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      onReply = () => done() && resolve();
      onReply();
    });
  const reply = (id: number) => replies.find((entry) => entry.id === id);

  it("answers each bad line with the JSON-RPC error that names it, and keeps serving", async () => {
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "0" },
        },
      }),
    );
    await until(() => reply(1) !== undefined);
    expect(reply(1)!.result).toBeDefined();
    send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    send("{not json");
    send(JSON.stringify({ foo: 1 }));
    send(JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: "read" }));
    send(call(6, "delete_everything", {}));
    send(call(7, "write", { path: 7, content: "x" }));
    send(call(8, "write", { path: "big.txt", content: "y".repeat(3_000) }));
    send(call(9, "write", { path: "huge.txt", content: "z".repeat(100_000) }));
    send("[1, 2]");
    send(JSON.stringify({ jsonrpc: "2.0", id: 11, method: "tools/destroy" }));
    send(JSON.stringify({ jsonrpc: "2.0", id: 12, method: "tools/list" }));
    send(call(13, "write", { path: "ok.txt", content: "fine" }));
    const anonymous = () => replies.filter((entry) => entry.id === null);
    await until(() => [5, 6, 7, 8, 11, 12, 13].every((id) => reply(id)) && anonymous().length === 4);

    expect(anonymous().map((entry) => entry.error)).toEqual([
      { code: -32700, message: expect.stringMatching(/^Parse error: /) },
      { code: -32600, message: 'Invalid Request: jsonrpc must be "2.0"' },
      {
        code: -32600,
        message: expect.stringMatching(
          /^Invalid Request: a message of \d+\+? bytes is over this server's limit of 67536$/,
        ),
      },
      {
        code: -32600,
        message: "Invalid Request: a message must be a JSON object (batches are not supported)",
      },
    ]);
    expect(reply(5)!.error).toEqual({ code: -32600, message: "Invalid Request: params must be an object" });
    expect(reply(6)!.error).toEqual({
      code: -32602,
      message: 'Unknown tool "delete_everything"; switchyard-fs has: read, list, search, stat, write, edit',
    });
    expect(reply(7)!.error).toEqual({
      code: -32602,
      message: 'Invalid arguments for "write": path: expected string, received number',
    });
    expect(reply(8)!.error).toEqual({
      code: -32602,
      message: `The arguments for "write" are ${JSON.stringify({ path: "big.txt", content: "y".repeat(3_000) }).length} bytes, over this server's limit of 2000 (max_argument_bytes)`,
    });
    expect(reply(11)!.error).toMatchObject({ code: -32601 });
    expect(reply(12)!.result!.tools).toHaveLength(6);
    expect(reply(13)!.result!.content![0]!.text).toMatch(/Wrote 4 bytes/);
    expect(readdirSync(root)).toEqual(["ok.txt"]);
  }, 120_000);
});

describe("bad input over Streamable HTTP", () => {
  const root = mkdtempSync(join(tmpdir(), "switchyard-http-errors-"));
  let server: RunningToolServer & { url: string };

  beforeAll(async () => {
    const tools = await createFsTools(parseBuiltinSettings("fs", settings(root)) as never);
    server = await serveToolsOverHttp(tools, { host: "127.0.0.1", port: 0, onError: () => {} });
  });
  afterAll(() => server?.close());

  /** A raw POST; the answer's JSON-RPC message whether it came as JSON or as one SSE event. */
  function post(body: string, host?: string): Promise<{ status: number; reply: JsonRpcReply | undefined }> {
    const url = new URL(server.url);
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
            ...(host ? { host } : {}),
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
              reply: json ? (JSON.parse(json) as JsonRpcReply) : undefined,
            });
          });
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  it("answers malformed, invalid, unknown, oversized and foreign-host requests with errors, and keeps serving", async () => {
    expect(await post("{not json")).toEqual({
      status: 400,
      reply: { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: Invalid JSON" } },
    });
    expect(await post(JSON.stringify({ foo: 1 }))).toMatchObject({
      status: 400,
      reply: { error: { code: -32600 } },
    });
    expect((await post(call(3, "delete_everything", {}))).reply!.error).toEqual({
      code: -32602,
      message: 'Unknown tool "delete_everything"; switchyard-fs has: read, list, search, stat, write, edit',
    });
    expect((await post(call(4, "write", { path: "a.txt" }))).reply!.error).toEqual({
      code: -32602,
      message: 'Invalid arguments for "write": content: expected string, received undefined',
    });
    expect(
      (await post(call(5, "write", { path: "b.txt", content: "y".repeat(3_000) }))).reply!.error!.message,
    ).toContain("over this server's limit of 2000 (max_argument_bytes)");
    const tooLarge = await post(call(6, "write", { path: "c.txt", content: "z".repeat(100_000) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.reply!.error!.message).toContain("Payload Too Large");
    expect(
      (await post(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }), "attacker.example"))
        .status,
    ).toBe(403);
    const written = await post(call(8, "write", { path: "ok.txt", content: "fine" }));
    expect(written.reply!.result!.content![0]!.text).toMatch(/Wrote 4 bytes/);
    expect(readdirSync(root)).toEqual(["ok.txt"]);
    expect(readFileSync(join(root, "ok.txt"), "utf8")).toBe("fine");
  });

  it("listens on loopback only", async () => {
    const tools = await createFsTools(parseBuiltinSettings("fs", settings(root)) as never);
    await expect(serveToolsOverHttp(tools, { host: "0.0.0.0", port: 0, onError: () => {} })).rejects.toThrow(
      "A built-in tool server listens on loopback only",
    );
  });
});
