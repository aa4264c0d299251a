/**
 * The real Claude Code with Switchyard's MCP server, added as the README says — `switchyard mcp
 * --url <Brain>` over stdio (the CLI from source via tsx) and `/mcp` on the gateway over HTTP
 * with the bearer token — into a clean temporary HOME. `claude mcp list` and `claude mcp get`
 * health-check both and show them connected (and the HTTP entry without the token not). Then a
 * `switchyard claude -p` session, whose model the gateway's fake back ends play, is offered
 * Switchyard's tools and calls `route`: Claude Code runs it through `switchyard mcp`, which asks
 * the Brain, and the plan comes back to the model as the tool's result.
 *
 * Runs only where Claude Code is installed: CLAUDE_CODE_BIN, `claude` on PATH, or
 * /tmp/claude-code (`npm install --prefix /tmp/claude-code @anthropic-ai/claude-code`).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findClaudeBinary } from "../../src/cli/claude-command.js";
import { promptChatRequest } from "../../src/protocol/prompt-request.js";
import { explainRoute } from "../../src/routing/route-explanation.js";
import type { FakeOllamaBehaviour } from "../fakes/fake-ollama.js";
import type { FakeOpenRouterBehaviour } from "../fakes/fake-openrouter.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const run = promisify(execFile);
const fallbackBinary = "/tmp/claude-code/node_modules/.bin/claude";
const binary =
  findClaudeBinary(process.env, process.cwd()) ?? (existsSync(fallbackBinary) ? fallbackBinary : undefined);
const mainScript = join(import.meta.dirname, "../../src/cli/main.ts");
const tsxLoader = import.meta.resolve("tsx");
const token = "e2e-mcp-token";
const routeTool = "mcp__switchyard__route";
const routedPrompt = "Review this diff for bugs: - return a + b; + return a - b;";
const finalText = "Switchyard would send that review to the paid tier.";

interface ChatBody {
  messages?: Array<{ role: string; content?: unknown }>;
  tools?: Array<{ function?: { name?: string } }>;
}

type Turn = { content: string } | { toolCall: { name: string; input: Record<string, unknown> } };

/**
 * The model's side, whichever back end the router picks. The agent turn (it has tools) calls
 * Switchyard's route tool; while `switchyard mcp` is still starting (Claude Code does not wait for
 * a stdio server before the first turn, and tsx on a busy machine starts slowly) it first calls
 * Claude Code's WaitForMcpServers, a few times at most. The turn carrying the plan answers;
 * anything else (titles) gets a short JSON title.
 */
function scriptedTurn(body: ChatBody): Turn {
  const results = JSON.stringify((body.messages ?? []).filter((message) => message.role === "tool"));
  if (results.includes("selector")) return { content: finalText };
  const names = (body.tools ?? []).map((tool) => tool.function?.name);
  if (names.length === 0) return { content: '{"title": "Route a review"}' };
  if (names.includes(routeTool)) return { toolCall: { name: routeTool, input: { prompt: routedPrompt } } };
  const waits = results.split("ready: false").length - 1;
  if (names.includes("WaitForMcpServers") && waits < 6)
    return { toolCall: { name: "WaitForMcpServers", input: { servers: ["switchyard"] } } };
  return { content: `The route tool was never offered: ${results}` };
}

/** The JSON object a text starts with (Claude Code may append notes to a tool's result). */
function leadingJsonObject(text: string): unknown {
  const start = text.indexOf("{");
  for (let end = text.indexOf("}", start); end !== -1; end = text.indexOf("}", end + 1)) {
    try {
      return JSON.parse(text.slice(start, end + 1));
    } catch {
      // Not the object's end yet.
    }
  }
  throw new Error(`no JSON object in ${text}`);
}

const describeWithClaude = binary ? describe : describe.skip;
const title = binary
  ? `Claude Code (${binary}) with Switchyard's MCP server`
  : "Claude Code with Switchyard's MCP server — skipped: Claude Code not found (set CLAUDE_CODE_BIN, put claude on PATH, or npm install --prefix /tmp/claude-code @anthropic-ai/claude-code)";

describeWithClaude(title, () => {
  let harness: Harness;
  let home: string;

  /** The test's environment without Switchyard's or Anthropic's settings of the machine running it. */
  function cleanEnvironment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env))
      if (!name.startsWith("SWITCHYARD_") && !name.startsWith("ANTHROPIC_")) env[name] = value;
    return {
      ...env,
      // A clean Claude Code home: no user settings, no login, no cached state.
      HOME: home,
      SWITCHYARD_HOME: home,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      // A stdio server started through tsx on a busy machine takes seconds to answer.
      MCP_TIMEOUT: "60000",
    };
  }

  const claude = (args: string[]) =>
    run(binary!, args, { cwd: home, timeout: 110_000, env: cleanEnvironment() });

  beforeAll(async () => {
    harness = await startHarness({ authTokens: [token] });
    home = mkdtempSync(join(tmpdir(), "switchyard-claude-mcp-"));
    harness.ollama.setDefault((body: ChatBody): FakeOllamaBehaviour => {
      const turn = scriptedTurn(body);
      return "toolCall" in turn
        ? {
            kind: "reply",
            reply: { toolCalls: [{ name: turn.toolCall.name, arguments: turn.toolCall.input }] },
          }
        : { kind: "reply", reply: { content: turn.content } };
    });
    harness.openRouter.setDefault((body: ChatBody): FakeOpenRouterBehaviour => {
      const turn = scriptedTurn(body);
      return "toolCall" in turn
        ? {
            kind: "reply",
            reply: {
              toolCalls: [{ name: turn.toolCall.name, arguments: JSON.stringify(turn.toolCall.input) }],
            },
          }
        : { kind: "reply", reply: { content: turn.content } };
    });
    await claude([
      "mcp",
      "add",
      "switchyard",
      "-e",
      `SWITCHYARD_TOKEN=${token}`,
      "--",
      process.execPath,
      "--import",
      tsxLoader,
      mainScript,
      "mcp",
      "--url",
      harness.url,
    ]);
    await claude([
      "mcp",
      "add",
      "--transport",
      "http",
      "switchyard-brain",
      `${harness.url}/mcp`,
      "--header",
      `Authorization: Bearer ${token}`,
    ]);
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("claude mcp list and get show both connected; without the token it does not connect", {
    timeout: 240_000,
  }, async () => {
    await claude(["mcp", "add", "--transport", "http", "switchyard-no-token", `${harness.url}/mcp`]);
    const { stdout: listed } = await claude(["mcp", "list"]);
    await claude(["mcp", "remove", "switchyard-no-token"]);
    const line = (name: string) => listed.split("\n").find((entry) => entry.startsWith(`${name}:`)) ?? "";
    expect(line("switchyard"), listed).toMatch(/ mcp --url .* - [✓✔] Connected$/);
    expect(line("switchyard-brain"), listed).toMatch(/\/mcp \(HTTP\) - [✓✔] Connected$/);
    expect(line("switchyard-no-token"), listed).toMatch(/\/mcp \(HTTP\) - (?![✓✔] Connected)/);

    const { stdout: details } = await claude(["mcp", "get", "switchyard"]);
    expect(details).toMatch(/Status: [✓✔] Connected/);
    expect(details).toContain("Type: stdio");
  });

  it("a session is offered Switchyard's tools and runs route through switchyard mcp", {
    timeout: 240_000,
  }, async () => {
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
        "Where would Switchyard send a code review? Ask its route tool.",
        "--allowedTools",
        routeTool,
      ],
      {
        cwd: home,
        timeout: 230_000,
        env: { ...cleanEnvironment(), SWITCHYARD_TOKEN: token, CLAUDE_CODE_BIN: binary },
      },
    );
    expect(stdout.trim()).toBe(finalText);

    const bodies = [
      ...harness.ollama.requests.filter((request) => request.path === "/api/chat"),
      ...harness.openRouter.requests.filter((request) => request.path === "/api/v1/chat/completions"),
    ].map((request) => request.body as ChatBody);
    // Claude Code listed both servers' tools and offered them to the model.
    const offered = new Set(bodies.flatMap((body) => (body.tools ?? []).map((tool) => tool.function?.name)));
    for (const server of ["switchyard", "switchyard-brain"])
      for (const tool of ["ask", "route", "costs", "budget_status", "engine_status"])
        expect(offered, `mcp__${server}__${tool}`).toContain(`mcp__${server}__${tool}`);
    // The route tool ran: its plan, made by the Brain, came back as the tool's result.
    const resultTexts = bodies
      .flatMap((body) => (body.messages ?? []).filter((message) => message.role === "tool"))
      .flatMap((message) =>
        typeof message.content === "string"
          ? [message.content]
          : ((message.content ?? []) as Array<{ text?: string }>).map((part) => part.text ?? ""),
      );
    const planText = resultTexts.find((text) => text.includes('"selector"'));
    expect(planText, JSON.stringify(resultTexts)).toBeDefined();
    expect(leadingJsonObject(planText!)).toEqual(
      explainRoute(
        harness.runtime.switchyard.planner.plan({ request: promptChatRequest({ prompt: routedPrompt }) }),
      ),
    );
  });
});
