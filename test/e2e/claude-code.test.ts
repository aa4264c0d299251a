/**
 * The real Claude Code against Switchyard: `switchyard claude -p …` (the CLI from source) starts
 * the Claude Code binary pointed at a harness gateway, whose fake back ends play the model — first
 * a Read tool call on a file in a temp directory, then, once the tool result comes back, the final
 * answer. Every request Claude Code makes must reach the ledger with its task and tier.
 *
 * Runs only where Claude Code is installed: CLAUDE_CODE_BIN, `claude` on PATH, or
 * /tmp/claude-code (`npm install --prefix /tmp/claude-code @anthropic-ai/claude-code`).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findClaudeBinary } from "../../src/cli/claude-command.js";
import type { FakeOllamaBehaviour } from "../fakes/fake-ollama.js";
import type { FakeOpenRouterBehaviour } from "../fakes/fake-openrouter.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const run = promisify(execFile);
const fallbackBinary = "/tmp/claude-code/node_modules/.bin/claude";
const binary =
  findClaudeBinary(process.env, process.cwd()) ?? (existsSync(fallbackBinary) ? fallbackBinary : undefined);
const mainScript = join(import.meta.dirname, "../../src/cli/main.ts");
const tsxLoader = import.meta.resolve("tsx");
const token = "e2e-brain-token";
const finalText = "The note says the secret word is periwinkle.";

interface ScriptedTurn {
  content?: string;
  toolCall?: { name: string; input: Record<string, unknown> };
}

/**
 * The model's side of the conversation, whichever back end the router picks: the agent turn with
 * tools gets a Read call, the turn carrying the tool result gets the answer, and anything else
 * (Claude Code's background work: titles, labels) gets a short JSON title.
 */
function scriptedTurn(
  body: { messages?: Array<{ role: string }>; tools?: unknown[] },
  notePath: string,
): ScriptedTurn {
  if (body.messages?.some((message) => message.role === "tool")) return { content: finalText };
  if ((body.tools?.length ?? 0) > 0) return { toolCall: { name: "Read", input: { file_path: notePath } } };
  return { content: '{"title": "Read the note"}' };
}

const describeWithClaude = binary ? describe : describe.skip;
const title = binary
  ? `Claude Code (${binary}) through switchyard claude`
  : "Claude Code end to end — skipped: Claude Code not found (set CLAUDE_CODE_BIN, put claude on PATH, or npm install --prefix /tmp/claude-code @anthropic-ai/claude-code)";

describeWithClaude(title, () => {
  let harness: Harness;
  let directory: string;
  let notePath: string;

  beforeAll(async () => {
    harness = await startHarness({ authTokens: [token] });
    directory = mkdtempSync(join(tmpdir(), "switchyard-claude-e2e-"));
    notePath = join(directory, "note.txt");
    writeFileSync(notePath, "the secret word is periwinkle\n");
    harness.ollama.setDefault((body): FakeOllamaBehaviour => {
      const turn = scriptedTurn(body, notePath);
      return turn.toolCall
        ? {
            kind: "reply",
            reply: { toolCalls: [{ name: turn.toolCall.name, arguments: turn.toolCall.input }] },
          }
        : { kind: "reply", reply: { content: turn.content ?? "" } };
    });
    harness.openRouter.setDefault((body): FakeOpenRouterBehaviour => {
      const turn = scriptedTurn(body, notePath);
      return turn.toolCall
        ? {
            kind: "reply",
            reply: {
              toolCalls: [{ name: turn.toolCall.name, arguments: JSON.stringify(turn.toolCall.input) }],
            },
          }
        : { kind: "reply", reply: { content: turn.content ?? "" } };
    });
  });
  afterAll(async () => {
    await harness?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it("runs a tool-using task on the tiers and records every request", { timeout: 180_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        tsxLoader,
        mainScript,
        "claude",
        "--url",
        harness.url,
        "-p",
        "Read note.txt and tell me the secret word.",
        "--allowedTools",
        "Read",
      ],
      {
        cwd: directory,
        timeout: 170_000,
        env: {
          ...process.env,
          // A clean Claude Code home: no user settings, no login, no cached state.
          HOME: directory,
          SWITCHYARD_HOME: directory,
          SWITCHYARD_TOKEN: token,
          CLAUDE_CODE_BIN: binary,
        },
      },
    );
    expect(stdout).toContain(finalText);

    const chatCalls = [
      ...harness.ollama.requests.filter((request) => request.path === "/api/chat"),
      ...harness.openRouter.requests.filter((request) => request.path === "/api/v1/chat/completions"),
    ];
    // The tool really ran: Claude Code read the file and sent its content back.
    const toolResults = chatCalls.flatMap((request) =>
      ((request.body as { messages?: Array<{ role: string; content?: unknown }> }).messages ?? []).filter(
        (message) => message.role === "tool",
      ),
    );
    expect(JSON.stringify(toolResults)).toContain("periwinkle");

    const rows = await harness.ledgerRows();
    expect(rows).toHaveLength(chatCalls.length);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row).toMatchObject({ frontDoor: "anthropic", status: "ok", stream: true });
      expect(row.task).toMatch(/^[a-z-]+$/);
      expect([1, 2, 3]).toContain(row.tier);
    }
  });
});
