/**
 * One ledger test suite, run against every LedgerStore implementation (SQLite today; PostgreSQL
 * joins by calling this with its own factory).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LedgerStore, ToolCallRecord } from "../../src/store/ledger-store.js";
import { sampleRecord } from "./sample-record.js";

export { sampleRecord };

export function describeLedgerStore(
  name: string,
  open: () => Promise<{ store: LedgerStore; reopen: () => Promise<LedgerStore> }>,
) {
  describe(`ledger store: ${name}`, () => {
    let store: LedgerStore;
    let reopen: () => Promise<LedgerStore>;

    beforeEach(async () => {
      ({ store, reopen } = await open());
    });
    afterEach(async () => {
      await store.close();
    });

    it("keeps every field of a row", async () => {
      const record = sampleRecord({
        stream: true,
        costUsd: 0.01234,
        status: "error",
        errorCode: "upstream-busy",
        errorMessage: "server busy",
        fallbackHops: [
          { fromAlias: "local-coder", toAlias: "cloud-sonnet", reason: "upstream-busy: server busy" },
        ],
        caller: "ide",
        ttftMs: null,
        tokensPerSecond: null,
        catalogCostUsd: 0.0119,
        reportedCostUsd: 0.01234,
        reservedUsd: 0.5,
        budgetAction: "downgraded",
        loadMs: 812.5,
        parentId: "first-attempt",
        attempt: 2,
        gateVerdict: "fail",
        gateDetail: '[{"gate":"structural","reason":"empty answer"}]',
        queueMs: 12.5,
      });
      store.record(record);
      await store.flush();
      expect(await store.recent(10)).toEqual([record]);
    });

    it("returns the newest rows first, limited", async () => {
      const base = Date.now();
      for (let index = 0; index < 5; index++)
        store.record(sampleRecord({ id: `r${index}`, startedAt: base + index }));
      const rows = await store.recent(3);
      expect(rows.map((row) => row.id)).toEqual(["r4", "r3", "r2"]);
    });

    it("returns the rows of a period, oldest first", async () => {
      const base = Date.UTC(2026, 10, 1);
      for (const [index, offset] of [0, 5, 10, 15].entries()) {
        store.record(sampleRecord({ id: `p${index}`, startedAt: base + offset }));
      }
      const rows = await store.between(base + 5, base + 15);
      expect(rows.map((row) => row.id)).toEqual(["p1", "p2"]);
    });

    it("finds a row by id, its last version, and nothing for an unknown id", async () => {
      store.record(sampleRecord({ id: "found", costUsd: 0.5 }));
      expect(await store.find("found")).toMatchObject({ id: "found", costUsd: 0.5 });
      store.record(sampleRecord({ id: "found", costUsd: 0.5, gateVerdict: "pass" }));
      expect((await store.find("found"))?.gateVerdict).toBe("pass");
      expect(await store.find("missing")).toBeUndefined();
    });

    it("sums a caller's rows since a time, by a fragment of the caller, with the newest", async () => {
      const base = Date.UTC(2026, 10, 2);
      const session = '{"device_id":"d1","session_id":"5f0c_%"}';
      const rows = [
        sampleRecord({ id: "s-old", startedAt: base - 1, caller: session, costUsd: 9 }),
        sampleRecord({ id: "s1", startedAt: base, caller: session, costUsd: 0.25, inputTokens: 100 }),
        sampleRecord({ id: "other", startedAt: base + 1, caller: "ide", costUsd: 7 }),
        sampleRecord({ id: "anon", startedAt: base + 1, caller: null, costUsd: 7 }),
        sampleRecord({ id: "s2", startedAt: base + 2, caller: session, costUsd: 0.5, inputTokens: 20 }),
      ];
      for (const row of rows) store.record(row);
      const summary = await store.callerSummary("5f0c_%", base);
      expect(summary).toMatchObject({ requests: 2, inputTokens: 120, outputTokens: 96 });
      expect(summary.costUsd).toBeCloseTo(0.75, 9);
      expect(summary.last?.id).toBe("s2");
      // `%` and `_` are matched as written, not as wildcards.
      expect((await store.callerSummary("5f0cx%", base)).requests).toBe(0);
      expect(await store.callerSummary("nobody", base)).toEqual({
        requests: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        last: null,
      });
    });

    it("batches a burst of writes and loses none", async () => {
      for (let index = 0; index < 2_000; index++) store.record(sampleRecord({ id: `burst-${index}` }));
      await store.flush();
      expect(await store.recent(5_000)).toHaveLength(2_000);
    });

    it("keeps tool-call audit rows, by the attempt that asked, and never the arguments", async () => {
      const base = Date.UTC(2026, 11, 5, 10);
      const call = (id: string, offset: number, overrides: Partial<ToolCallRecord> = {}): ToolCallRecord => ({
        id,
        requestId: "attempt-1",
        startedAt: base + offset,
        server: "fs",
        tool: "read",
        argumentsDigest: "a".repeat(64),
        durationMs: 12.5,
        resultBytes: 2048,
        isError: false,
        failure: null,
        errorMessage: null,
        ...overrides,
      });
      store.record(sampleRecord({ id: "attempt-1" }));
      store.recordToolCall(call("t1", 0));
      store.recordToolCall(
        call("t2", 5, {
          tool: "write",
          isError: true,
          failure: "not-allowed",
          errorMessage: "fs.write is off",
        }),
      );
      store.recordToolCall(call("t3", 1, { requestId: "attempt-2" }));
      expect(await store.toolCalls("attempt-1")).toEqual([
        call("t1", 0),
        call("t2", 5, {
          tool: "write",
          isError: true,
          failure: "not-allowed",
          errorMessage: "fs.write is off",
        }),
      ]);
      expect(await store.toolCalls("none")).toEqual([]);
    });

    it("rows committed before a close are there after reopening", async () => {
      store.record(sampleRecord({ id: "durable" }));
      await store.close();
      store = await reopen();
      expect((await store.recent(10)).map((row) => row.id)).toContain("durable");
    });
  });
}
