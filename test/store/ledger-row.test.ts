/** The ledger row mapping's handling of the fallback detail column, the one JSON column it reads. */
import { describe, expect, it } from "vitest";
import { fromLedgerRow, toLedgerRow } from "../../src/store/ledger-row.js";
import { sampleRecord } from "./sample-record.js";

describe("ledger rows", () => {
  it("keeps a fallback chain through the row, and an empty one as no detail", () => {
    const hops = [{ fromAlias: "local-coder", toAlias: "cloud-sonnet", reason: "upstream-unreachable" }];
    const record = sampleRecord({ fallbackHops: hops });
    const row = toLedgerRow(record);
    expect(row.fallback_detail).toBe(JSON.stringify(hops));
    expect(fromLedgerRow(row)).toEqual(record);
    expect(toLedgerRow(sampleRecord()).fallback_detail).toBeNull();
  });

  it("reads a damaged detail column as no hops instead of failing the whole read", () => {
    const row = { ...toLedgerRow(sampleRecord()), fallback_hops: 1 };
    for (const damaged of ['[{"fromAlias":', "not json", '{"fromAlias":"a"}', "null"]) {
      expect(fromLedgerRow({ ...row, fallback_detail: damaged }).fallbackHops).toEqual([]);
    }
  });
});
