/**
 * Money inside the budget: integer micro-dollars (1 µUSD = $0.000001). Caps are compared with
 * integers, so twenty reservations of $0.05 fill a $1.00 cap exactly instead of 19 and a rounding
 * error. Reservations round up (never under-reserve); settled costs round to nearest.
 */

export const MICRO_USD_PER_USD = 1_000_000;

/** Rounds up, ignoring float noise below a millionth of a micro-dollar (0.05 × 1e6 = 50000.000…07). */
export function microUsdCeil(usd: number): number {
  return Math.max(0, Math.ceil(usd * MICRO_USD_PER_USD - 1e-6));
}

export function microUsdRound(usd: number): number {
  return Math.max(0, Math.round(usd * MICRO_USD_PER_USD));
}

export function usdFromMicro(microUsd: number): number {
  return microUsd / MICRO_USD_PER_USD;
}

/** "$29.87"; amounts under a cent keep four decimals so a $0.0042 request does not read "$0.00". */
export function formatUsd(usd: number): string {
  const sign = usd < 0 ? "-" : "";
  const absolute = Math.abs(usd);
  const digits = absolute !== 0 && absolute < 0.01 ? 4 : 2;
  return `${sign}$${absolute.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
