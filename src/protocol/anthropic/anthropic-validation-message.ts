/**
 * Turns zod issues into the one-line validation message Anthropic's API gives
 * (`messages.0.content: Field required`), so clients that show the API's message verbatim — Claude
 * Code does — tell the user which field to fix. Anthropic's wording is pydantic's; we follow it for
 * the common cases and fall back to zod's own message for the rest.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** How many problems one message lists; the first is almost always the one that matters. */
const maximumReported = 3;

export function formatAnthropicIssues(issues: readonly Issue[], body: unknown): string {
  const lines = new Set<string>();
  for (const issue of issues) {
    for (const line of describeIssue(issue, [], body)) lines.add(line);
  }
  return [...lines].slice(0, maximumReported).join("; ") || "Invalid request body";
}

function describeIssue(issue: Issue, basePath: readonly PropertyKey[], body: unknown): string[] {
  const path = [...basePath, ...issue.path];
  const value = valueAt(body, path);
  switch (issue.code) {
    case "invalid_union": {
      if (value === undefined) return [located(path, "Field required")];
      if (issue.errors.length === 0) {
        // A discriminated union whose tag matched no option: name the tag and what is accepted.
        const options = "options" in issue && issue.options ? issue.options : [];
        const tag = issue.discriminator ?? "type";
        return [
          located(
            path,
            `Input tag '${String(value)}' found using '${tag}' does not match any of the expected tags: ` +
              options.map((option) => `'${String(option)}'`).join(", "),
          ),
        ];
      }
      return describeUnion(issue.errors, path, body);
    }
    case "invalid_type":
      if (value === undefined) return [located(path, "Field required")];
      return [located(path, `Input should be a valid ${typeName(issue.expected)}`)];
    case "invalid_value":
      return [
        located(path, `Input should be ${issue.values.map((option) => `'${String(option)}'`).join(" or ")}`),
      ];
    case "too_small":
      if (issue.origin === "number" || issue.origin === "int") {
        return [located(path, `Input should be greater than or equal to ${String(issue.minimum)}`)];
      }
      return [located(path, issue.message)];
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int") {
        return [located(path, `Input should be less than or equal to ${String(issue.maximum)}`)];
      }
      return [located(path, issue.message)];
    default:
      return [located(path, issue.message)];
  }
}

/**
 * For `string | array` style unions, zod reports every branch. The useful report is the branch
 * that got furthest into the value; when every branch failed at the value itself, list the types.
 */
function describeUnion(
  branches: readonly (readonly Issue[])[],
  path: PropertyKey[],
  body: unknown,
): string[] {
  let best: readonly Issue[] | undefined;
  let bestDepth = 0;
  const expected: string[] = [];
  for (const branch of branches) {
    const depth = Math.max(0, ...branch.map((issue) => issue.path.length));
    const [first] = branch;
    if (depth === 0 && branch.length === 1 && first?.code === "invalid_type") {
      expected.push(typeName(first.expected));
    }
    if (depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  if (best) return best.flatMap((issue) => describeIssue(issue, path, body));
  if (expected.length === branches.length) {
    return [located(path, `Input should be a valid ${expected.join(" or ")}`)];
  }
  return (branches[0] ?? []).flatMap((issue) => describeIssue(issue, path, body));
}

function typeName(expected: string): string {
  switch (expected) {
    case "int":
      return "integer";
    case "array":
      return "list";
    case "object":
    case "record":
      return "dictionary";
    default:
      return expected;
  }
}

function located(path: readonly PropertyKey[], message: string): string {
  return path.length === 0 ? message : `${path.map(String).join(".")}: ${message}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let current = body;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
