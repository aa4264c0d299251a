/**
 * The fit's step size: the largest eigenvalue of the prompts' mean xxᵀ, which bounds how sharply
 * the loss can curve. Too low and the fit overshoots; too high (the trace, as it once was) and it
 * creeps. Small matrices whose eigenvalues are known by hand.
 */
import { describe, expect, it } from "vitest";
import { byFeature, largestEigenvalue } from "../../src/planning/classifier-training.js";

/** Prompts as {feature: value} over `featureCount` features, each counting `weights[i]` (else 1). */
function bound(prompts: Array<Record<number, number>>, featureCount: number, weights?: number[]) {
  const documents = prompts.map((prompt) => {
    const entries = Object.entries(prompt).map(([feature, value]) => [Number(feature), value] as const);
    return {
      indices: Int32Array.from(entries, ([feature]) => feature),
      values: Float64Array.from(entries, ([, value]) => value),
    };
  });
  const rowWeights = Float64Array.from(prompts, (_, index) => weights?.[index] ?? 1);
  const total = rowWeights.reduce((sum, weight) => sum + weight, 0);
  return largestEigenvalue(byFeature(documents, featureCount), rowWeights, total);
}

describe("the fit's curvature bound", () => {
  it("is a tenth over the largest eigenvalue of the prompts' mean xxᵀ", () => {
    // x₁ = (1, 0), x₂ = (1, 1): the mean xxᵀ is [[1, ½], [½, ½]], eigenvalues (1.5 ± √1.25) / 2.
    const largest = (1.5 + Math.sqrt(1.25)) / 2;
    expect(bound([{ 0: 1 }, { 0: 1, 1: 1 }], 2)).toBeCloseTo(1.1 * largest, 9);
  });

  it("counts each prompt by its weight", () => {
    // x₁ = (2, 0) counting three times, x₂ = (0, 2) once: the mean xxᵀ is diag(3, 1) (counted
    // alike it would be diag(2, 2)).
    expect(bound([{ 0: 2 }, { 1: 2 }], 2, [3, 1])).toBeCloseTo(1.1 * 3, 9);
  });

  it("never exceeds the trace, which no eigenvalue can", () => {
    // One prompt x = (1, 1): the mean xxᵀ has rank one, so its largest eigenvalue is the trace, 2.
    expect(bound([{ 0: 1, 1: 1 }], 2)).toBe(2);
  });

  it("is the trace's bound of zero when no prompt has a feature", () => {
    expect(bound([{}, {}], 3)).toBe(0);
  });

  it("is far below the trace for sparse features that seldom meet, as prompts' words are", () => {
    // Ten prompts, each with one shared feature and two of its own: the trace is 3, but the
    // largest eigenvalue is 1.2 (the shared feature, pulled up a little by the others).
    const prompts = Array.from({ length: 10 }, (_, index) => ({
      0: 1,
      [1 + 2 * index]: 1,
      [2 + 2 * index]: 1,
    }));
    const result = bound(prompts, 21);
    expect(result).toBeLessThan(3 / 2);
    expect(result).toBeCloseTo(1.1 * 1.2, 6);
  });
});
