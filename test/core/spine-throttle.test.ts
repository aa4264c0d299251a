/**
 * A caller's throttle (`ChatCaller.throttle`, what a workflow's fan-out hands the spine) admits
 * each attempt on the rung it runs on and gets its place back exactly once, when that rung is
 * done: after a failure before the first event (before the next rung is admitted), at a budget
 * refusal, when an answer's stream ends however it ends — and not at all when the caller went away
 * while it waited, which ends the attempt as aborted. A judge's grading call and an escalation are
 * admitted on their own rungs, after the graded answer gave its place back; the budget reserves a
 * rung only once it is admitted.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AttemptThrottle } from "../../src/dispatch/attempt-dispatcher.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import { Cancellation } from "../../src/protocol/cancel-signal.js";
import { collectChatEvents } from "../../src/protocol/chat-types.js";
import { FanOutLimiter } from "../../src/workflows/fan-out-limiter.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";

let spine: Spine | undefined;
afterEach(async () => {
  await spine?.close();
  spine = undefined;
});

/** A throttle that admits at once and writes down every admission and every release. */
function recordingThrottle(onAdmit?: (alias: string) => Promise<void>): {
  log: string[];
  throttle: AttemptThrottle;
} {
  const log: string[] = [];
  const throttle: AttemptThrottle = async (step) => {
    log.push(`admit ${step.alias}`);
    await onAdmit?.(step.alias);
    return () => log.push(`release ${step.alias}`);
  };
  return { log, throttle };
}

const review = { model: "switchyard/code-review", content: "Review this diff" };

describe("a caller's throttle", () => {
  it("a rung that fails before its first event gives its place back before the next is admitted", async () => {
    spine = await startSpine();
    spine.engine.enqueue({
      kind: "fail",
      error: new SwitchyardError("upstream-unreachable", "engine is down", { backend: "engine" }),
    });
    const { log, throttle } = recordingThrottle();
    const { answer } = await spine.ask({ model: "switchyard/code-generation" }, { throttle });
    expect(answer.step.alias).toBe("cloud-sonnet");
    expect(log).toEqual([
      "admit local-coder",
      "release local-coder",
      "admit cloud-sonnet",
      "release cloud-sonnet",
    ]);
  });

  it("a rung the budget refuses gives its place back, whether a stand-in answers or nobody does", async () => {
    spine = await startSpine("budget:\n  aliases:\n    cloud-sonnet: 0\n");
    const downgraded = recordingThrottle();
    const { answer } = await spine.ask(review, { throttle: downgraded.throttle });
    expect(answer.downgrade).toMatchObject({ fromAlias: "cloud-sonnet", toAlias: "local-coder" });
    expect(downgraded.log).toEqual([
      "admit cloud-sonnet",
      "release cloud-sonnet",
      "admit local-coder",
      "release local-coder",
    ]);

    const refused = recordingThrottle();
    await expect(
      spine.ask(review, { throttle: refused.throttle, forbidDowngrade: true }),
    ).rejects.toMatchObject({ code: "budget-exceeded" });
    expect(refused.log).toEqual(["admit cloud-sonnet", "release cloud-sonnet"]);
  });

  it("admits a paid rung before the budget reserves it, so the room it sees is without its own reservation", async () => {
    spine = await startSpine("budget:\n  monthly_usd: 50\n");
    const budget = spine.runtime.budget;
    const reservedAtAdmission: number[] = [];
    const { log, throttle } = recordingThrottle(async () => {
      reservedAtAdmission.push((await budget.status()).lines[0]?.reservedUsd ?? -1);
    });
    let answerNow: () => void = () => {};
    spine.openRouter.enqueue({
      kind: "reply",
      text: "Looks fine.",
      after: new Promise<void>((resolve) => {
        answerNow = resolve;
      }),
    });
    const answering = spine.ask(review, { throttle });
    await spine.openRouter.called(1);
    // While the rung is asked its worst case is held; when it was admitted, nothing was.
    expect((await budget.status()).lines[0]?.reservedUsd).toBeGreaterThan(0);
    answerNow();
    await answering;
    expect(reservedAtAdmission).toEqual([0]);
    expect(log).toEqual(["admit cloud-sonnet", "release cloud-sonnet"]);
  });

  it("holds a streamed answer's place until its stream ends, however it ends", async () => {
    spine = await startSpine();
    const read = recordingThrottle();
    const answer = await spine.call({ model: "switchyard/code-generation", stream: true }, read).answer;
    // The first event is in: the rung answers, and its place is still held.
    expect(read.log).toEqual(["admit local-coder"]);
    expect((await collectChatEvents(answer.events)).text).toBe("Hello from qwen2.5-coder:32b");
    expect(read.log).toEqual(["admit local-coder", "release local-coder"]);

    const abandoned = recordingThrottle();
    const left = await spine.call({ model: "switchyard/code-generation", stream: true }, abandoned).answer;
    const iterator = left.events[Symbol.asyncIterator]();
    await iterator.next();
    expect(abandoned.log).toEqual(["admit local-coder"]);
    await iterator.return?.();
    expect(abandoned.log).toEqual(["admit local-coder", "release local-coder"]);
    const rows = await spine.rows();
    expect(rows.map((row) => row.status)).toEqual(["ok", "aborted"]);
  });

  it("a caller that goes away while it waits ends the attempt as aborted, and holds no place", async () => {
    spine = await startSpine();
    // A real fan-out limiter one attempt wide, its one place taken.
    const limiter = new FanOutLimiter({
      capacity: { engineSlots: () => 1, budgetRoomUsd: async () => undefined },
      reserveInteractiveSlots: 0,
      maxParallel: 1,
    });
    const taken = await limiter.acquire("local-coder", 0);
    let waiting: () => void = () => {};
    const waits = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const throttle: AttemptThrottle = (step, _request, signal) => {
      waiting();
      return limiter.acquire(step.alias, 0, signal);
    };
    const cancellation = new Cancellation();
    const answering = spine.call({ model: "switchyard/code-generation" }, { throttle, signal: cancellation });
    await waits;
    cancellation.abort();
    await expect(answering.answer).rejects.toMatchObject({ code: "aborted" });
    expect(spine.engine.calls).toHaveLength(0);
    const [row] = await spine.rows();
    expect(row).toMatchObject({ status: "aborted", alias: "local-coder", attempt: 1 });
    expect(spine.runtime.switchyard.inFlight).toBe(0);
    // The place it waited for was never taken: once given back, the next one gets it.
    taken();
    const next = await limiter.acquire("local-coder", 0);
    next();
    expect(limiter.peaks.get("local-coder")).toBe(1);
  });

  it("admits a judge on the judge's rung and an escalation on its own, each after the answer before it is done", async () => {
    spine = await startSpine("gates:\n  gap-analysis:\n    judge: { threshold: 7 }\n");
    spine.openRouter.enqueue(
      { kind: "reply", text: "Gap analysis v1: looks complete." },
      { kind: "reply", text: '{"score": 3, "reasons": ["misses the missing auth on /admin"]}' },
      { kind: "reply", text: "Gap analysis v2: /admin has no auth check." },
    );
    const { log, throttle } = recordingThrottle();
    const { answer } = await spine.ask(
      { model: "switchyard/gap-analysis", content: "What is missing before we ship the admin panel?" },
      { throttle },
    );
    expect(answer.gated?.path).toEqual(["cloud-sonnet", "cloud-opus"]);
    expect(log).toEqual([
      "admit cloud-sonnet",
      "release cloud-sonnet",
      // The judge (the rung above) grades the answer,
      "admit cloud-opus",
      "release cloud-opus",
      // and the escalation answers on that rung.
      "admit cloud-opus",
      "release cloud-opus",
    ]);
    const rows = await spine.rows();
    expect(rows.map((row) => `${row.frontDoor} ${row.alias}`)).toEqual([
      "test cloud-sonnet",
      "judge cloud-opus",
      "test cloud-opus",
    ]);
  });
});
