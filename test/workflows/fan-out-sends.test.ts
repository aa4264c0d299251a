/**
 * Room for a fan-out's abort listeners (src/workflows/fan-out-sends.ts): the process's default
 * listener limit becomes at least the number of `Send`s plus Node's margin of 10, is never lowered,
 * and plain node names do not count; a signal made after it takes that many listeners quietly.
 */
import { EventEmitter } from "node:events";
import { Send } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import { fanOutSends } from "../../src/workflows/fan-out-sends.js";

const before = EventEmitter.defaultMaxListeners;
const sends = (count: number) => Array.from({ length: count }, (_, index) => new Send("explore", { index }));

describe("a fan-out's Sends", () => {
  afterEach(() => {
    EventEmitter.defaultMaxListeners = before;
  });

  it("raises the default listener limit to the fan-out's width plus 10, and returns the targets as given", () => {
    EventEmitter.defaultMaxListeners = 10;
    const targets = [...sends(25), "aggregate"];
    expect(fanOutSends(targets)).toBe(targets);
    expect(EventEmitter.defaultMaxListeners).toBe(35);
  });

  it("never lowers it, and counts no plain node names", () => {
    EventEmitter.defaultMaxListeners = 50;
    fanOutSends(sends(5));
    expect(EventEmitter.defaultMaxListeners).toBe(50);
    EventEmitter.defaultMaxListeners = 10;
    fanOutSends(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]);
    expect(EventEmitter.defaultMaxListeners).toBe(10);
  });

  it("lets a signal made afterwards carry one listener per task without Node's warning", async () => {
    EventEmitter.defaultMaxListeners = 10;
    fanOutSends(sends(30));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const listeners = Array.from({ length: 30 }, () => () => {});
    const { signal } = new AbortController();
    for (const listener of listeners) signal.addEventListener("abort", listener);
    for (const listener of listeners) signal.removeEventListener("abort", listener);
    // Node hands a warning to its listeners on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    expect(warnings).toEqual([]);
  });
});
