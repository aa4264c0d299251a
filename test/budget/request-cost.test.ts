import { describe, expect, it } from "vitest";
import { microUsdCeil, microUsdRound } from "../../src/budget/budget-money.js";
import { BUILT_IN_PRICES } from "../../src/budget/model-catalog.js";
import {
  FALLBACK_MAX_OUTPUT_TOKENS,
  requestCost,
  worstCaseCostUsd,
  worstCaseOutputTokens,
} from "../../src/budget/request-cost.js";

const sonnet = BUILT_IN_PRICES["anthropic/claude-sonnet-4.5"]!;
const opus = BUILT_IN_PRICES["anthropic/claude-opus-4.6"]!;

describe("worst-case cost", () => {
  it("is prompt tokens × input price + max output tokens × output price", () => {
    // 10k × $3/M + 4k × $15/M = $0.03 + $0.06
    expect(worstCaseCostUsd({ price: sonnet, promptTokens: 10_000, maxOutputTokens: 4_000 })).toBeCloseTo(
      0.09,
      12,
    );
    // Opus at $5/$25: 2k × 5 + 1k × 25 = $0.035
    expect(worstCaseCostUsd({ price: opus, promptTokens: 2_000, maxOutputTokens: 1_000 })).toBeCloseTo(
      0.035,
      12,
    );
  });

  it("bounds the output by the model when the request sets no max (or asks for more than it can)", () => {
    expect(worstCaseOutputTokens(sonnet, undefined)).toBe(64_000);
    expect(worstCaseOutputTokens(opus, 500_000)).toBe(128_000);
    const noLimit = { model: "x/y", inputUsdPerToken: 0, outputUsdPerToken: 1e-6, contextLength: 8_192 };
    // The whole window: the prompt's size is only bounded from above, so nothing is subtracted.
    expect(worstCaseOutputTokens(noLimit, undefined)).toBe(8_192);
    expect(worstCaseOutputTokens({ ...noLimit, contextLength: undefined }, undefined)).toBe(
      FALLBACK_MAX_OUTPUT_TOKENS,
    );
  });

  it("rounds reservations up and settled costs to nearest, in micro-dollars", () => {
    expect(microUsdCeil(0.05)).toBe(50_000);
    expect(microUsdCeil(0.0000001)).toBe(1);
    expect(microUsdRound(0.0000004)).toBe(0);
    expect(microUsdCeil(30)).toBe(30_000_000);
  });
});

describe("request cost", () => {
  it("uses OpenRouter's usage.cost when reported and keeps the catalog figure beside it", () => {
    const cost = requestCost({ inputTokens: 1_000, outputTokens: 100, reportedUsd: 0.0045, price: sonnet });
    expect(cost).toEqual({ costUsd: 0.0045, catalogCostUsd: 0.0045, reportedCostUsd: 0.0045 });
  });

  it("falls back to the catalog when usage.cost is missing", () => {
    const cost = requestCost({ inputTokens: 1_000, outputTokens: 100, price: opus });
    expect(cost.costUsd).toBeCloseTo(0.0075, 12);
    expect(cost.reportedCostUsd).toBeNull();
    expect(cost.warning).toBeUndefined();
  });

  it("warns when reported and catalog cost disagree by more than 5%, not within 5%", () => {
    const within = requestCost({
      inputTokens: 1_000,
      outputTokens: 100,
      reportedUsd: 0.0045 * 1.05,
      price: sonnet,
    });
    expect(within.warning).toBeUndefined();
    const beyond = requestCost({ inputTokens: 1_000, outputTokens: 100, reportedUsd: 0.004, price: sonnet });
    expect(beyond.costUsd).toBe(0.004);
    expect(beyond.warning).toMatch(/reported \$0\.004000 .*catalog price gives \$0\.004500 \(\+12\.5%\)/);
  });

  it("counts zero for a model with no price and no reported cost", () => {
    expect(requestCost({ inputTokens: 10, outputTokens: 10 })).toEqual({
      costUsd: 0,
      catalogCostUsd: null,
      reportedCostUsd: null,
    });
  });
});
