/**
 * The query parameters the dashboard's pages and data endpoints take, validated with zod. A bad
 * value is a 400 naming the parameter, what it must be and what was sent — never a silently
 * clamped or ignored value.
 */
import { z } from "zod";

const DAY_MS = 86_400_000;
/** The longest range a series may cover, and the most hour buckets it may ask for. */
export const MAX_SERIES_DAYS = 400;
export const MAX_HOUR_BUCKETS = 24 * 93;

/** Epoch milliseconds, or an ISO date-time ("2026-12-01T00:00:00Z"). */
const instant = z.string().transform((text, context) => {
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(value) || !/^\d{1,15}$|^\d{4}-\d{2}-\d{2}/.test(text)) {
    context.addIssue({
      code: "custom",
      message: `must be epoch milliseconds or an ISO date-time such as 2026-12-01T00:00:00Z; got "${text}"`,
    });
    return z.NEVER;
  }
  return value;
});

const whole = (name: string, min: number, max: number) =>
  z
    .string()
    .transform((text, context) => {
      const value = Number(text);
      if (!/^\d+$/.test(text) || value < min || value > max) {
        context.addIssue({
          code: "custom",
          message: `must be a whole number from ${min} to ${max}; got "${text}"`,
        });
        return z.NEVER;
      }
      return value;
    })
    .describe(name);

export const overviewQuery = z.strictObject({ hours: whole("hours", 1, 720).optional() });

export const seriesQuery = z
  .strictObject({
    from: instant,
    to: instant,
    bucket: z.enum(["day", "hour"], { error: 'must be "day" or "hour"' }).default("day"),
  })
  .superRefine((query, context) => {
    if (query.to <= query.from) {
      context.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    } else if (query.to - query.from > MAX_SERIES_DAYS * DAY_MS) {
      context.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be at most ${MAX_SERIES_DAYS} days after from`,
      });
    } else if (query.bucket === "hour" && (query.to - query.from) / 3_600_000 > MAX_HOUR_BUCKETS) {
      context.addIssue({
        code: "custom",
        path: ["bucket"],
        message: `"hour" allows at most ${MAX_HOUR_BUCKETS} buckets (${MAX_HOUR_BUCKETS / 24} days); use "day" for a longer range`,
      });
    }
  });

export const feedQuery = z.strictObject({
  limit: whole("limit", 1, 500).optional(),
  before: instant.optional(),
});

export const livePageQuery = z.strictObject({ before: instant.optional() });

export const calibrationQuery = z.strictObject({ days: whole("days", 1, 365).optional() });

export const rejectBody = z.object({
  reason: z
    .string({ error: "is required: say why the run is rejected" })
    .trim()
    .min(1, { error: "is required: say why the run is rejected" })
    .max(2_000, { error: "must be at most 2,000 characters" }),
});

export type QueryResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses `input` or says, parameter by parameter, what is wrong with it. */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): QueryResult<z.output<Schema>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys")
      return `unknown parameter${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    return `${issue.path.join(".") || "query"} ${issue.message}`;
  });
  return { ok: false, message: `Bad query: ${problems.join("; ")}` };
}
