/**
 * Reads an upstream's `Retry-After` header (RFC 9110 §10.2.3), which every back end passes on as
 * `SwitchyardError.retryAfterSeconds`: the Engine's busy-retry waits that long, and the front doors
 * forward it to the caller.
 */

/**
 * Seconds to wait, from delay-seconds ("7") or an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT");
 * undefined when the header is absent or neither. A date already past means "now" (0).
 */
export function parseRetryAfter(
  header: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  // The RFC allows whole seconds only; a fraction some servers send is kept as given.
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  // An HTTP date names its weekday and month; without letters, Date.parse would read "-5" or "12"
  // as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
