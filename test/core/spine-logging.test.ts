/**
 * What the spine logs: one concise line per request at info level (task, tier, alias, status,
 * tokens, cost, time, and how it moved), never a prompt or a key; and a reported cost that
 * disagrees with the catalog (prompt caching does that on every request) at most hourly per model.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split("\n")) if (text.trim()) lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}

const requestLines = (lines: Array<Record<string, unknown>>) =>
  lines.filter((line) => line.msg === "request");

describe("one line per request", () => {
  it("names the task, tier, alias, tokens, cost and time; an escalated request is still one line", async () => {
    const { logger, lines } = capturingLogger();
    spine = await startSpine("", { logger });
    await spine.ask({ model: "switchyard/commit-message", content: "secret prompt text" });
    spine.engine.enqueue({ kind: "reply", text: "" });
    await spine.ask({ model: "switchyard/code-generation" });
    await spine.rows();
    const [plain, escalated] = requestLines(lines);
    expect(plain).toMatchObject({
      door: "test",
      task: "commit-message",
      tier: 1,
      alias: "local-coder",
      status: "ok",
    });
    expect(plain).toHaveProperty("tokensIn", 12);
    expect(plain).toHaveProperty("costUsd", 0);
    expect(typeof plain?.ms).toBe("number");
    expect(escalated).toMatchObject({
      task: "code-generation",
      alias: "cloud-sonnet",
      escalations: 1,
      gate: "pass",
    });
    expect(requestLines(lines)).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain("secret prompt text");
  });

  it("a request nothing answered is one line with its error code", async () => {
    const { logger, lines } = capturingLogger();
    spine = await startSpine("routing:\n  fallback: false\n", { logger });
    spine.engine.enqueue({
      kind: "fail",
      error: new SwitchyardError("upstream-unreachable", "down", { backend: "engine" }),
    });
    const call = spine.call({ model: "switchyard/lint" });
    await expect(call.answer).rejects.toThrow();
    await spine.rows();
    expect(requestLines(lines)).toEqual([
      expect.objectContaining({
        requestId: call.id,
        task: "lint",
        status: "error",
        code: "upstream-unreachable",
      }),
    ]);
  });
});

describe("a reported cost below the catalog's", () => {
  it("is logged once per model per hour, not once per request", async () => {
    const { logger, lines } = capturingLogger();
    let now = Date.UTC(2026, 11, 5, 12);
    spine = await startSpine("", {
      logger,
      now: () => now,
      openRouter: () => ({
        kind: "reply",
        text: "ok",
        usage: { inputTokens: 10_000, outputTokens: 10, costUsd: 0.001 },
      }),
    });
    for (let index = 0; index < 5; index++) await spine.ask({ model: "cloud-sonnet", content: "hi" });
    const warnings = () => lines.filter((line) => String(line.msg).includes("the reported cost was used"));
    expect(warnings()).toHaveLength(1);
    now += 3_600_001;
    await spine.ask({ model: "cloud-sonnet", content: "hi" });
    expect(warnings()).toHaveLength(2);
  });
});
