import { describe, expect, it } from "vitest";
import { newRequestId } from "../../src/store/request-id.js";

describe("request ids", () => {
  it("are RFC 9562 version 7 UUIDs carrying the time", () => {
    const now = Date.UTC(2026, 11, 1, 5, 30);
    const id = newRequestId(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it("sort by time and do not repeat", () => {
    const ids = Array.from({ length: 5_000 }, (_, index) => newRequestId(1_700_000_000_000 + index));
    expect([...ids].sort()).toEqual(ids);
    const sameMillisecond = Array.from({ length: 5_000 }, () => newRequestId(1_700_000_000_000));
    expect(new Set(sameMillisecond).size).toBe(sameMillisecond.length);
  });
});
