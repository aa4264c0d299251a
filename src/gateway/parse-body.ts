/**
 * Validates a request body against a zod schema and turns the first problems into one readable
 * "invalid-request" error that names the field, like `messages.0.role: …`.
 */
import type { z } from "zod";
import { SwitchyardError } from "../errors/switchyard-error.js";

export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  if (body === null || body === undefined || typeof body !== "object" || Array.isArray(body)) {
    throw new SwitchyardError(
      "invalid-request",
      "The request body must be a JSON object (Content-Type: application/json)",
    );
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new SwitchyardError("invalid-request", `Invalid request: ${problems.join("; ")}`);
}
