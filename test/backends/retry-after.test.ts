/** The one Retry-After parser both back ends read upstream delays with. */
import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/backends/retry-after.js";

const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");

describe("parseRetryAfter", () => {
  it("reads delay-seconds, trimmed, and keeps a fraction some servers send", () => {
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1.5);
  });

  it("reads an HTTP date as the seconds until it, rounded up, and a past date as now", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:28:20 GMT", now)).toBe(20);
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", now + 400)).toBe(0);
    expect(parseRetryAfter("Tue, 20 Oct 2026 07:28:00 GMT", now)).toBe(0);
  });

  it("takes the first of repeated headers", () => {
    expect(parseRetryAfter(["3", "9"], now)).toBe(3);
  });

  it("ignores what is neither, rather than guessing", () => {
    for (const value of [undefined, "", "  ", "-5", "12abc", "soon", "0x10", "1e3"]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});
