/**
 * The classifier's reading of a conversation through both doors, end to end: the official
 * `openai` and `@anthropic-ai/sdk` clients → Switchyard on loopback (`switchyard/auto`) → fake
 * Ollama / fake OpenRouter. Weak follow-ups ("continue", "fix it") inherit the task of the turn
 * they follow, across assistant turns and tool results; persona and agent system prompts and
 * `<system-reminder>` blocks do not decide the task — the user's request does.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  harness = await startHarness();
  openai = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: harness.url, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => harness.close());
afterEach(() => {
  harness.ollama.enqueue();
});

const reviewRequest =
  "please review this diff before I merge it\n\ndiff --git a/src/session.ts b/src/session.ts\n" +
  "@@ -4,3 +4,6 @@\n+  if (request.cookies.sid) {\n+    request.session = await store.get(request.cookies.sid);\n+  }\n";
const reviewAnswer = "1. No expiry check on the loaded session.\n2. A missing session leaves it undefined.";
const bugReport = "the login test times out on CI but passes locally. find out why";
const architectPersona =
  "You are a senior software architect with 20 years of experience in distributed systems.";
const agentInstructions = [
  "You are a coding agent working in the user's repository with tools for files, search and a shell.",
  "Follow the architecture and conventions of the project. Run lint and the tests after every change.",
  "Never commit unless asked; when asked, write a concise commit message. Review your own diff first.",
  "When the user asks for a design decision, lay out the trade-offs and pick one.",
].join("\n");
const reminder =
  "<system-reminder>\nThe project's CLAUDE.md says: review every architecture decision, resolve merge " +
  "conflicts carefully, and keep the backlog groomed.\n</system-reminder>";

type Turn = { role: "user" | "assistant"; content: string };

async function openAiTask(messages: Turn[], system?: string) {
  const { response } = await openai.chat.completions
    .create({
      model: "switchyard/auto",
      messages: [...(system ? [{ role: "system" as const, content: system }] : []), ...messages],
    })
    .withResponse();
  return { task: response.headers.get("x-switchyard-task"), tier: response.headers.get("x-switchyard-tier") };
}

async function anthropicTask(messages: Anthropic.MessageParam[], system?: string) {
  const { response } = await anthropic.messages
    .create({ model: "switchyard/auto", max_tokens: 50, messages, ...(system ? { system } : {}) })
    .withResponse();
  return { task: response.headers.get("x-switchyard-task"), tier: response.headers.get("x-switchyard-tier") };
}

describe.each([
  ["OpenAI /v1/chat/completions", openAiTask],
  ["Anthropic /v1/messages", (turns: Turn[], system?: string) => anthropicTask(turns, system)],
] as const)("through %s", (_door, taskOf) => {
  it("a weak follow-up inherits the task of the turn it follows", async () => {
    const followingReview = await taskOf([
      { role: "user", content: reviewRequest },
      { role: "assistant", content: reviewAnswer },
      { role: "user", content: "continue" },
    ]);
    expect(followingReview).toEqual({ task: "code-review", tier: "2" });
    const followingBug = await taskOf([
      { role: "user", content: bugReport },
      { role: "assistant", content: "It may be the test database starting slowly on CI." },
      { role: "user", content: "fix it" },
    ]);
    expect(followingBug.task).toBe("bug-hunting");
  });

  it("a follow-up that names a task of its own is classified on its own words", async () => {
    const result = await taskOf([
      { role: "user", content: reviewRequest },
      { role: "assistant", content: reviewAnswer },
      { role: "user", content: "ok, now write the commit message for it" },
    ]);
    expect(result.task).toBe("commit-message");
  });

  it("a persona system prompt does not send a small edit to Opus", async () => {
    const result = await taskOf(
      [{ role: "user", content: "bump the limit to 20 in src/a.ts" }],
      architectPersona,
    );
    expect(result.tier).toBe("1");
  });

  it("an agent's standing instructions and reminder blocks do not decide the task", async () => {
    const explained = await taskOf(
      [{ role: "user", content: "explain how the retry logic in src/http works" }],
      agentInstructions.repeat(3),
    );
    expect(explained.task).toBe("elaboration");
    const committed = await taskOf([
      { role: "user", content: `${reminder}\nwrite a commit message for the staged changes` },
    ]);
    expect(committed.task).toBe("commit-message");
  });
});

describe("through Anthropic /v1/messages with tools", () => {
  const readFileTool: Anthropic.Tool = {
    name: "read_file",
    description: "Read a file",
    input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  };

  it("a follow-up after tool results inherits the task of the last user turn that carried one", async () => {
    const { response } = await anthropic.messages
      .create({
        model: "switchyard/auto",
        max_tokens: 50,
        tools: [readFileTool],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: reminder },
              { type: "text", text: bugReport },
            ],
          },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "toolu_1", name: "read_file", input: { path: "ci.yml" } }],
          },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "services: postgres" }],
          },
          {
            role: "assistant",
            content: "CI starts Postgres without a health check, so the first test races it.",
          },
          {
            role: "user",
            content: [
              { type: "text", text: reminder },
              { type: "text", text: "ok do that" },
            ],
          },
        ],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-task")).toBe("bug-hunting");
    const [row] = await harness.ledgerRows();
    expect(row).toMatchObject({ task: "bug-hunting", selector: "classifier", frontDoor: "anthropic" });
  });
});
