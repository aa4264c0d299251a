import { describe, expect, it } from "vitest";
import { budgetPeriod, formatResetTime, localDate } from "../../src/budget/budget-period.js";

const at = (iso: string) => new Date(iso);
const period = (iso: string, resetDay: number, timeZone: string) => {
  const result = budgetPeriod(at(iso), resetDay, timeZone);
  return { key: result.key, start: result.start.toISOString(), end: result.end.toISOString() };
};

describe("budgetPeriod", () => {
  it("is the calendar month in UTC by default", () => {
    expect(period("2026-11-17T10:00:00Z", 1, "UTC")).toEqual({
      key: "2026-11-01",
      start: "2026-11-01T00:00:00.000Z",
      end: "2026-12-01T00:00:00.000Z",
    });
  });

  it("rolls over exactly at the reset instant", () => {
    expect(period("2026-11-30T23:59:59.999Z", 1, "UTC").key).toBe("2026-11-01");
    expect(period("2026-12-01T00:00:00.000Z", 1, "UTC").key).toBe("2026-12-01");
  });

  it("resets on day 15: before it, the period began last month; across a year boundary too", () => {
    expect(period("2026-03-14T12:00:00Z", 15, "UTC").key).toBe("2026-02-15");
    expect(period("2026-03-15T00:00:00Z", 15, "UTC").key).toBe("2026-03-15");
    expect(period("2027-01-10T00:00:00Z", 15, "UTC")).toEqual({
      key: "2026-12-15",
      start: "2026-12-15T00:00:00.000Z",
      end: "2027-01-15T00:00:00.000Z",
    });
  });

  it("spans a DST change with local midnights at both ends (New York, reset day 15)", () => {
    // DST began 2026-03-08: the period starts at 00:00 EST (UTC−5) and ends at 00:00 EDT (UTC−4).
    expect(period("2026-03-10T12:00:00Z", 15, "America/New_York")).toEqual({
      key: "2026-02-15",
      start: "2026-02-15T05:00:00.000Z",
      end: "2026-03-15T04:00:00.000Z",
    });
    expect(period("2026-03-31T12:00:00Z", 15, "Europe/Berlin")).toEqual({
      key: "2026-03-15",
      start: "2026-03-14T23:00:00.000Z",
      end: "2026-04-14T22:00:00.000Z",
    });
  });

  it("counts the reset day in the local zone, not in UTC", () => {
    // 03:30 UTC on Nov 1 is still Oct 31 in New York.
    expect(period("2026-11-01T03:30:00Z", 1, "America/New_York").key).toBe("2026-10-01");
    expect(period("2026-11-01T04:00:00Z", 1, "America/New_York").key).toBe("2026-11-01");
    expect(period("2026-11-15T12:00:00Z", 1, "Pacific/Kiritimati").start.slice(0, 13)).toBe("2026-10-31T10");
  });

  it("starts the period when the DST gap ends where midnight does not exist (Santiago)", () => {
    // Chile springs forward at 24:00 on 2026-09-05: 2026-09-06 begins at 01:00 local.
    const result = budgetPeriod(at("2026-09-20T12:00:00Z"), 6, "America/Santiago");
    expect(result.start.toISOString()).toBe("2026-09-06T04:00:00.000Z");
    expect(formatResetTime(result.start, "America/Santiago")).toBe("2026-09-06 01:00 America/Santiago");
    expect(formatResetTime(result.end, "America/Santiago")).toBe("2026-10-06 00:00 America/Santiago");
  });

  it("handles month lengths: reset day 28 through February", () => {
    expect(period("2026-03-01T12:00:00Z", 28, "UTC")).toEqual({
      key: "2026-02-28",
      start: "2026-02-28T00:00:00.000Z",
      end: "2026-03-28T00:00:00.000Z",
    });
  });

  it("rejects a reset day past 28 and an unknown time zone, saying what is allowed", () => {
    expect(() => budgetPeriod(new Date(), 29, "UTC")).toThrow(/1 to 28/);
    expect(() => budgetPeriod(new Date(), 1, "Mars/Olympus")).toThrow(/IANA time zone/);
  });

  it("formats reset times and local dates in the zone", () => {
    expect(formatResetTime(at("2026-12-01T00:00:00Z"), "UTC")).toBe("2026-12-01 00:00 UTC");
    expect(localDate(Date.parse("2026-11-01T03:30:00Z"), "America/New_York")).toBe("2026-10-31");
  });
});
