/**
 * What the classifier reads of a conversation (`classifier-conversation.ts`): weak follow-ups
 * inherit the task of the last user turn that carries one, agent blocks are dropped from user
 * turns, and system prompts — personas, agent instructions — weigh little or nothing against the
 * user's request. Through the real classifier; the gateway test runs the same cases through both
 * doors.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, type TaskKind } from "../../src/config/task-kinds.js";
import type { ChatMessage } from "../../src/protocol/chat-types.js";
import {
  isWeakFollowUp,
  readConversation,
  withoutAgentBlocks,
} from "../../src/routing/classifier-conversation.js";
import { SYSTEM_PROMPT } from "../../src/routing/classifier-rules.js";
import { classifyMessages } from "../../src/routing/task-classifier.js";

const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];

function conversation(...turns: string[]): ChatMessage[] {
  return turns.map((content, index) =>
    index % 2 === 0 ? { role: "user", content } : { role: "assistant", content },
  );
}

const reviewRequest =
  "please review this diff before I merge it\n\ndiff --git a/src/session.ts b/src/session.ts\n" +
  "@@ -4,3 +4,6 @@\n+  if (request.cookies.sid) {\n+    request.session = await store.get(request.cookies.sid);\n+  }\n";
const reviewAnswer = "1. No expiry check on the loaded session.\n2. A missing session leaves it undefined.";

describe("weak follow-ups", () => {
  it.each([
    "continue",
    "go on",
    "fix it",
    "ok do that",
    "yes",
    "Yes please!",
    "keep going",
    "sounds good, go ahead",
    "what else?",
    "ok and the rest?",
    "👍",
    "tell me more",
    "same for the other file",
    "ok, one more for the test changes that go with it",
    "it's WEAK_PASSWORD. go on",
    // Read with accents folded and other scripts as words (classifier-text.ts).
    "ja, mach weiter",
    "sí, continúa",
    "oui, vas-y",
    "继续",
    "계속",
    "да, продолжай",
  ])("%s is a weak follow-up", (text) => {
    expect(isWeakFollowUp(text)).toBe(true);
  });

  it.each([
    "now write the commit message for it",
    "great, add tests for it",
    "review it",
    "explain this code",
    "that didn't work, it still crashes with the same error",
    "refactor it to use a map instead of the switch",
    "generate the CRUD handlers for the /invoices resource, same shape as the /customers ones",
    "now add a loading spinner while the request is pending",
    "ok, write a user story for that",
    "```ts\nconst limit = 20;\n```",
    "and one more thing: when the cache is cold the first request after a deploy takes eight seconds",
    "schreib bitte noch Tests dafür",
    "ahora escribe el mensaje de commit",
  ])("%s carries a task of its own", (text) => {
    expect(isWeakFollowUp(text)).toBe(false);
  });

  it("inherits the task of the turn it follows, and says so first in the explanation", () => {
    const alone = classifyMessages(conversation("continue"));
    expect(alone.task).not.toBe("code-review");
    const followed = classifyMessages(conversation(reviewRequest, reviewAnswer, "continue"));
    expect(followed.task).toBe("code-review");
    expect(followed.signals[0]).toMatchObject({
      name: "follow-up:inherited",
      task: "code-review",
      weight: 0,
    });
    expect(followed.signals[0]!.evidence).toContain('"continue"');
    // The inherited turn counts as the request, named so.
    expect(followed.signals.some((signal) => signal.name.endsWith("(inherited)"))).toBe(true);
    // "fix it" is not lint work, "continue" is not a decision.
    const bug = "the login test times out on CI but passes locally, find out why";
    expect(classifyMessages(conversation(bug, "Probably the database starts slowly.", "fix it")).task).toBe(
      "bug-hunting",
    );
  });

  it("walks back over follow-ups of follow-ups, tool turns and image parts", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "write a user story for exporting the audit log as CSV" },
      { role: "assistant", content: null, toolCalls: [{ id: "call-1", name: "search", arguments: "{}" }] },
      { role: "tool", toolCallId: "call-1", content: "audit log: src/audit" },
      { role: "assistant", content: "As an admin, I want to export the audit log…" },
      { role: "user", content: "yes" },
      { role: "assistant", content: "Here are the acceptance criteria…" },
      {
        role: "user",
        content: [
          { type: "image", url: "https://example.com/screenshot.png" },
          { type: "text", text: "go on" },
        ],
      },
    ];
    const reading = readConversation(messages, undefined);
    expect(reading.followUp).toEqual({ text: "go on", turnsBack: 2 });
    expect(reading.request).toContain("user story");
    expect(classifyMessages(messages).task).toBe("story-drafting");
  });

  it("a follow-up with no earlier task, or one that names its own, is read on its own words", () => {
    expect(readConversation(conversation("yes"), undefined).followUp).toBeUndefined();
    const switched = classifyMessages(
      conversation(reviewRequest, reviewAnswer, "ok, now write the commit message for it"),
    );
    expect(switched.task).toBe("commit-message");
    expect(switched.signals[0]!.name).not.toBe("follow-up:inherited");
  });
});

describe("agent boilerplate", () => {
  it("drops <system-reminder> and <environment_details> blocks from user turns", () => {
    const reminder =
      "<system-reminder>\nCLAUDE.md: review every architecture decision, resolve merge conflicts carefully.\n</system-reminder>";
    const details = "<environment_details>\n# Open tabs\nsrc/a.ts\n</environment_details>";
    expect(withoutAgentBlocks(`${reminder}\nwrite a commit message for the staged changes\n${details}`)).toBe(
      "write a commit message for the staged changes",
    );
    expect(withoutAgentBlocks("plain text")).toBe("plain text");
    const result = classifyMessages(
      conversation(`${reminder}\nwrite a commit message for the staged changes`),
    );
    expect(result.task).toBe("commit-message");
    expect(result.signals.map((signal) => signal.evidence).join(" ")).not.toContain("architecture");
  });

  it("a persona system prompt does not decide: a small edit under an architect persona stays local", () => {
    const persona = "You are a senior software architect with 20 years of experience in distributed systems.";
    const result = classifyMessages([
      { role: "system", content: persona },
      { role: "user", content: "bump the limit to 20 in src/a.ts" },
    ]);
    expect(tierOf(result.task)).toBe(1);
    // What the persona still says is shown, marked as the system prompt's, and counts for little.
    const fromPersona = result.signals.filter((signal) => signal.name.endsWith("(system)"));
    expect(fromPersona.map((signal) => signal.evidence)).toContain("architect");
    // Ungated, "architect" and "distributed systems" alone gave architecture 5, and it won; now
    // the whole persona gives it about 1.8, and it stays well behind (3.1 against 5.6).
    const personaForArchitecture = fromPersona
      .filter((signal) => signal.task === "architecture")
      .reduce((sum, signal) => sum + signal.weight, 0);
    expect(personaForArchitecture).toBeLessThan(2.5);
    expect(result.scores.architecture ?? 0).toBeLessThan(result.scores[result.task]! * 0.6);
  });

  it("a system prompt still tips what the request leaves open", () => {
    const diff = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-Old title\n+New title\n";
    const asCommit = classifyMessages([
      { role: "system", content: "You generate git commit messages. Reply with the message only." },
      { role: "user", content: diff },
    ]);
    expect(asCommit.task).toBe("commit-message");
    const asReview = classifyMessages([
      { role: "system", content: "You are a meticulous code reviewer. Comment on correctness and tests." },
      { role: "user", content: diff },
    ]);
    expect(asReview.task).toBe("code-review");
  });

  it("weighs a system prompt less the longer it is, and not at all past the limit", () => {
    const short = "You are a helpful assistant.";
    const long = "Follow the project's conventions. ".repeat(30);
    const huge = "x ".repeat(SYSTEM_PROMPT.ignoredAfterCharacters);
    const reading = readConversation(
      [
        { role: "system", content: short },
        { role: "system", content: long },
        { role: "system", content: huge },
        { role: "user", content: "hi" },
      ],
      undefined,
    );
    expect(reading.systems.map((system) => system.factor)).toEqual([
      1,
      SYSTEM_PROMPT.fullWeightCharacters / long.length,
    ]);
  });
});
