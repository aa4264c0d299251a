/**
 * Budget periods: "the month" that starts on the configured reset day at local midnight in the
 * configured IANA time zone. Wall-clock arithmetic goes through Intl.DateTimeFormat (no date
 * library), so periods stay right across DST changes and months of 28–31 days.
 */

export interface BudgetPeriod {
  /** First instant of the period (inclusive). */
  start: Date;
  /** First instant of the next period (exclusive): when the budget resets. */
  end: Date;
  /** Stable name of the period in the store: the local start date, e.g. "2026-11-15". */
  key: string;
  timeZone: string;
}

interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The period containing `now`. `resetDay` is 1–28 so every month has one. */
export function budgetPeriod(now: Date, resetDay: number, timeZone: string): BudgetPeriod {
  if (!Number.isInteger(resetDay) || resetDay < 1 || resetDay > 28) {
    throw new RangeError(`The budget reset day must be a whole number from 1 to 28; got ${resetDay}`);
  }
  const local = wallTimeAt(now.getTime(), timeZone);
  let year = local.year;
  let month = local.month;
  if (local.day < resetDay) [year, month] = addMonths(year, month, -1);
  const start = instantOfLocalMidnight(year, month, resetDay, timeZone);
  const [nextYear, nextMonth] = addMonths(year, month, 1);
  const end = instantOfLocalMidnight(nextYear, nextMonth, resetDay, timeZone);
  return { start: new Date(start), end: new Date(end), key: isoDate(year, month, resetDay), timeZone };
}

/** "2026-12-01 00:00 UTC" or "2026-12-15 00:00 Europe/Berlin": when a period ends, for messages. */
export function formatResetTime(instant: Date, timeZone: string): string {
  const wall = wallTimeAt(instant.getTime(), timeZone);
  return `${isoDate(wall.year, wall.month, wall.day)} ${pad(wall.hour)}:${pad(wall.minute)} ${timeZone}`;
}

/** The local calendar date of an instant, "YYYY-MM-DD" (reports group days by it). */
export function localDate(epochMs: number, timeZone: string): string {
  const wall = wallTimeAt(epochMs, timeZone);
  return isoDate(wall.year, wall.month, wall.day);
}

/** Throws a RangeError naming the zone when Intl does not know it. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const value = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  return {
    year: value("year"),
    month: value("month"),
    day: value("day"),
    hour: value("hour"),
    minute: value("minute"),
    second: value("second"),
  };
}

/** Offset of the zone at an instant, in ms (local wall time − UTC). */
function offsetAt(epochMs: number, timeZone: string): number {
  const wall = wallTimeAt(epochMs, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The first instant of a local day. The offsets a day before and after bracket any DST change,
 * so one of them maps midnight back exactly; when midnight repeats, the earlier instant wins; when
 * midnight does not exist (zones that spring forward at 00:00), the day starts when the gap ends.
 */
function instantOfLocalMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const offsetBefore = offsetAt(wall - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (candidate) => offsetAt(candidate, timeZone) === wall - candidate,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - offsetBefore;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (error) {
      throw new RangeError(
        `"${timeZone}" is not an IANA time zone this Node.js knows; use a name such as "UTC" or "Europe/Berlin"`,
        { cause: error },
      );
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function addMonths(year: number, month: number, delta: number): [number, number] {
  const index = year * 12 + (month - 1) + delta;
  return [Math.floor(index / 12), (index % 12) + 1];
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${pad(month)}-${pad(day)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
