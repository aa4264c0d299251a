/**
 * The Wilson score interval for a pass rate: unlike the raw ratio ± normal error, it stays inside
 * 0..1 and is honest for small samples and for rates near 0% or 100% — exactly where calibration
 * decides whether a task may move down a tier. Calibration acts on its bounds, never on the ratio.
 */

export interface RateInterval {
  rate: number;
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

export function wilsonInterval(successes: number, trials: number, z = Z_95): RateInterval {
  if (trials <= 0) return { rate: 0, low: 0, high: 1 };
  const rate = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (rate + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { rate, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
