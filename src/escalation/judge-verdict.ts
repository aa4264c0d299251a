/**
 * Reads a judge model's verdict, `{"score": 0-10, "reasons": [...]}`, out of whatever the model
 * wrote around it: reasoning in `<think>` tags, code fences, a sentence before the JSON, a score of
 * "8/10" or "7.5" as a string, reasons as one string. Returns undefined when no score can be found,
 * which the gate treats as inconclusive rather than as a failed answer.
 */
import { parseJsonOrUndefined } from "../protocol/safe-json.js";

export interface JudgeVerdict {
  score: number;
  reasons: string[];
}

export function parseJudgeVerdict(text: string): JudgeVerdict | undefined {
  const visible = text.replace(/<think>[\s\S]*?<\/think>/gi, " ").replace(/```(?:json)?/gi, " ");
  for (const candidate of jsonObjects(visible)) {
    const verdict = fromObject(candidate);
    if (verdict) return verdict;
  }
  const loose =
    /["']?score["']?\s*[:=]\s*["']?(\d+(?:\.\d+)?)/i.exec(visible) ??
    /\b(\d+(?:\.\d+)?)\s*\/\s*10\b/.exec(visible);
  if (!loose) return undefined;
  const score = clampScore(Number(loose[1]));
  return score === undefined ? undefined : { score, reasons: [] };
}

/** Every balanced `{…}` substring that parses as a JSON object, outermost first. */
function* jsonObjects(text: string): Generator<Record<string, unknown>> {
  for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
    const end = matchingBrace(text, start);
    if (end === -1) continue;
    // Not JSON (undefined) or not an object: an inner brace may still be one.
    const value = parseJsonOrUndefined(text.slice(start, end + 1));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      yield value as Record<string, unknown>;
    }
  }
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === "\\") index++;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === "{") depth++;
    else if (character === "}" && --depth === 0) return index;
  }
  return -1;
}

function fromObject(object: Record<string, unknown>): JudgeVerdict | undefined {
  const raw = object.score ?? object.Score ?? object.rating;
  const number =
    typeof raw === "number"
      ? raw
      : typeof raw === "string"
        ? Number(/\d+(?:\.\d+)?/.exec(raw)?.[0])
        : Number.NaN;
  const score = clampScore(number);
  if (score === undefined) return undefined;
  const reasonsRaw = object.reasons ?? object.reason ?? object.feedback;
  const reasons = Array.isArray(reasonsRaw)
    ? reasonsRaw.map((reason) => String(reason))
    : typeof reasonsRaw === "string" && reasonsRaw !== ""
      ? [reasonsRaw]
      : [];
  return { score, reasons };
}

function clampScore(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  return Math.min(10, Math.max(0, value));
}
