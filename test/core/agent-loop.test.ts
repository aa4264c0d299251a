/**
 * The agent tool loop end to end: a request that names MCP tools is answered by a model (the fake
 * Engine, scripted to ask for a file) that reads it through the hub — the built-in fs server, a
 * real child process — and answers from it. Every turn is a ledger row, every tool call an audit
 * row linked to the turn that asked for it; the loop stops at its step limit; naming tools without
 * a server configured is refused before anything is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { AttemptThrottle } from "../../src/dispatch/attempt-dispatcher.js";
import { Cancellation } from "../../src/protocol/cancel-signal.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const LAUNCHER = { command: process.execPath, args: ["--import", "tsx", resolve("src/cli/main.ts")] };

let harness: Harness | undefined;
let directory: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
  harness = undefined;
  directory = undefined;
});

async function withFsServer(extraYaml = ""): Promise<{ running: Harness; client: OpenAI; file: string }> {
  directory = mkdtempSync(join(tmpdir(), "switchyard-loop-"));
  const file = join(directory, "NOTES.md");
  writeFileSync(file, "The pager bug: the loop stops one page short (off by one in lastPage).\n");
  const running = await startHarness({
    configYaml: `tools:\n  servers:\n    fs: { builtin: fs, roots: ["${directory}"], allow: [read, list] }\n${extraYaml}`,
    runtime: { toolLauncher: LAUNCHER },
  });
  harness = running;
  return {
    running,
    client: new OpenAI({ baseURL: `${running.url}/v1`, apiKey: "unused", maxRetries: 0 }),
    file,
  };
}

describe("an agent loop over MCP tools", () => {
  it("the model reads a file through the hub and answers from it; turns and calls are in the ledger", async () => {
    const { running, client, file } = await withFsServer();
    running.ollama.enqueue(
      { kind: "reply", reply: { toolCalls: [{ name: "fs__read", arguments: { path: file } }] } },
      { kind: "reply", reply: { content: "The bug is an off-by-one in lastPage." } },
    );
    const { data, response } = await client.chat.completions
      .create(
        {
          model: "switchyard/bug-hunting",
          messages: [{ role: "user", content: "What is the pager bug? See NOTES.md." }],
        },
        { headers: { "x-switchyard-tools": "fs.read" } },
      )
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("The bug is an off-by-one in lastPage.");

    const chats = running.ollama.requests.filter((request) => request.path === "/api/chat");
    // The tools went to the model under names it accepts, and on a model that can call them.
    // biome-ignore lint/suspicious/noExplicitAny: the fake records raw bodies
    const first = chats[0]!.body as any;
    expect(first.model).toBe("qwen2.5-coder:32b");
    expect(first.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual([
      "fs__read",
    ]);
    // biome-ignore lint/suspicious/noExplicitAny: the fake records raw bodies
    const second = chats[1]!.body as any;
    const toolMessage = second.messages.find((message: { role: string }) => message.role === "tool");
    expect(toolMessage.content).toContain("off by one in lastPage");

    await running.runtime.switchyard.idle();
    const rows = (await running.ledgerRows()).filter((row) => row.frontDoor === "openai");
    expect(rows).toHaveLength(2);
    const asking = rows.find(
      (row) => row.outputTokens >= 0 && row.id !== response.headers.get("x-switchyard-request-id"),
    );
    const calls = await running.runtime.ledger.toolCalls(asking!.id);
    expect(calls).toEqual([
      expect.objectContaining({ server: "fs", tool: "read", isError: false, failure: null }),
    ]);
    expect(calls[0]!.argumentsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(calls[0]!.resultBytes).toBeGreaterThan(20);
    expect(JSON.stringify(calls)).not.toContain(file);
  }, 60_000);

  it("each turn is admitted by the caller's throttle and gives its place back before the tool runs", async () => {
    const { running, file } = await withFsServer();
    running.ollama.enqueue(
      { kind: "reply", reply: { toolCalls: [{ name: "fs__read", arguments: { path: file } }] } },
      { kind: "reply", reply: { content: "The bug is an off-by-one in lastPage." } },
    );
    const log: string[] = [];
    const chats = () => running.ollama.requests.filter((request) => request.path === "/api/chat").length;
    const throttle: AttemptThrottle = async (step) => {
      log.push(`admit ${step.alias} (${chats()} asked)`);
      return () => log.push(`release ${step.alias} (${chats()} asked)`);
    };
    const answer = await running.runtime.switchyard.chat(
      {
        model: "switchyard/bug-hunting",
        messages: [{ role: "user", content: "What is the pager bug? See NOTES.md." }],
        stream: false,
      },
      { frontDoor: "workflow", signal: new Cancellation(), tools: ["fs.read"], throttle },
    ).answer;
    expect(answer.gated?.result.text).toBe("The bug is an off-by-one in lastPage.");
    expect(log).toEqual([
      "admit local-coder (0 asked)",
      "release local-coder (1 asked)",
      "admit local-coder (1 asked)",
      "release local-coder (2 asked)",
    ]);
    // The tool ran between the two turns, audited against the first.
    await running.runtime.switchyard.idle();
    const turns = (await running.ledgerRows()).filter((row) => row.frontDoor === "workflow");
    const audited = await Promise.all(turns.map((turn) => running.runtime.ledger.toolCalls(turn.id)));
    expect(audited.map((calls) => calls.length).sort()).toEqual([0, 1]);
  }, 60_000);

  it("a call to a tool the request did not offer fails the structural gate: the turn climbs, nothing runs", async () => {
    const { running, client } = await withFsServer();
    running.ollama.enqueue({
      kind: "reply",
      reply: { toolCalls: [{ name: "fs__list", arguments: { path: "." } }] },
    });
    // fs.list is allowed on the server but not offered to this request: the model asked anyway.
    const { data, response } = await client.chat.completions
      .create(
        { model: "switchyard/bug-hunting", messages: [{ role: "user", content: "list the files" }] },
        { headers: { "x-switchyard-tools": "fs.read" } },
      )
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from anthropic/claude-sonnet-4.5");
    expect(response.headers.get("x-switchyard-escalation-path")).toBe("local-coder->cloud-sonnet");
    await running.runtime.switchyard.idle();
    const rows = await running.ledgerRows();
    for (const row of rows) expect(await running.runtime.ledger.toolCalls(row.id)).toEqual([]);
    expect(
      JSON.parse(rows.find((row) => row.alias === "local-coder")!.gateDetail!).findings[0],
    ).toMatchObject({
      gate: "structural",
      check: "tool-call",
    });
  }, 60_000);

  it("stops at tools.loop.max_steps with one last turn with tools off", async () => {
    const { running, client, file } = await withFsServer("  loop: { max_steps: 2 }\n");
    const readAgain = {
      kind: "reply" as const,
      reply: { toolCalls: [{ name: "fs__read", arguments: { path: file } }] },
    };
    running.ollama.enqueue(readAgain, readAgain, {
      kind: "reply",
      reply: { content: "Enough reading: off by one." },
    });
    const data = await client.chat.completions.create(
      { model: "switchyard/bug-hunting", messages: [{ role: "user", content: "keep reading" }] },
      { headers: { "x-switchyard-tools": "fs.*" } },
    );
    expect(data.choices[0]?.message.content).toBe("Enough reading: off by one.");
    await running.runtime.switchyard.idle();
    const turns = (await running.ledgerRows()).filter((row) => row.frontDoor === "openai");
    expect(turns).toHaveLength(3);
    // The last turn went out with tools off.
    const chats = running.ollama.requests.filter((request) => request.path === "/api/chat");
    const last = chats.findLast((request) =>
      (request.body as { messages: Array<{ role: string }> }).messages.some((m) => m.role === "tool"),
    );
    // biome-ignore lint/suspicious/noExplicitAny: the fake records raw bodies
    expect((last!.body as any).tools ?? []).toEqual([]);
  }, 60_000);

  it("naming tools with no MCP server configured is a 400 that says where to add one", async () => {
    harness = await startHarness();
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const error = (await client.chat.completions
      .create(
        { model: "switchyard/lint", messages: [{ role: "user", content: "x" }] },
        { headers: { "x-switchyard-tools": "git.*" } },
      )
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain("tools.servers");
    expect(harness.ollama.requests.filter((request) => request.path === "/api/chat")).toHaveLength(0);
  });

  it("a pattern that matches no allowed tool fails loudly, never a model call with zero tools", async () => {
    const { running, client } = await withFsServer();
    const error = (await client.chat.completions
      .create(
        { model: "switchyard/lint", messages: [{ role: "user", content: "x" }] },
        { headers: { "x-switchyard-tools": "fs.write" } },
      )
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain("fs.write");
    expect(running.ollama.requests.filter((request) => request.path === "/api/chat")).toHaveLength(0);
  }, 60_000);
});
