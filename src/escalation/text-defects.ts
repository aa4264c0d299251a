/**
 * Cheap readings of an answer's text that say it is no answer at all: a refusal, or a model stuck
 * in a loop. Both look only where the defect shows — a refusal opens the answer, a loop fills its
 * tail or repeats one line — so a long, good answer that mentions "I can't" or repeats `});` is not
 * flagged. Pure functions, microseconds per answer.
 */

/** How refusals open, in the wording models actually use. Checked on the first sentences only. */
const REFUSAL_OPENINGS: readonly RegExp[] = [
  /^(?:i'?m\s+)?(?:sorry|apologi[sz]e)[,.!]?\s+(?:but\s+)?i\s+(?:can(?:no|')?t|am\s+(?:not\s+able|unable)|won'?t)\b/i,
  /^i\s+(?:can(?:no|')?t|cannot|am\s+(?:not\s+able|unable)\s+to|won'?t)\s+(?:help|assist|do\s+that|comply|provide|fulfil+|complete|write|answer)/i,
  /^(?:as\s+an?\s+ai(?:\s+language\s+model)?|as\s+a\s+language\s+model)[, ]+i\s+(?:can(?:no|')?t|cannot|am\s+unable|don'?t)/i,
  /^(?:unfortunately|regrettably)[,]?\s+i\s+(?:can(?:no|')?t|cannot|am\s+(?:not\s+able|unable))/i,
  /^i\s+(?:must|have\s+to)\s+(?:decline|refuse)/i,
];

/** Answers longer than this are real answers that happen to start politely. */
const REFUSAL_MAX_LENGTH = 600;

/** The refusal sentence when the answer is one, else undefined. */
export function findRefusal(text: string): string | undefined {
  const trimmed = text.trim().replace(/[“”]/g, '"').replace(/[‘’]/g, "'");
  if (trimmed === "" || trimmed.length > REFUSAL_MAX_LENGTH) return undefined;
  const opening = trimmed.slice(0, 200);
  if (!REFUSAL_OPENINGS.some((pattern) => pattern.test(opening))) return undefined;
  return (opening.split(/(?<=[.!?])\s/)[0] ?? opening).slice(0, 160);
}

export interface RepetitionFinding {
  /** The repeated text, shortened. */
  unit: string;
  times: number;
}

/** A tail repeating one unit at least this many times in a row is a loop. */
const MIN_TAIL_REPEATS = 6;
/** Shortest and longest repeating unit looked for, in characters. */
const MIN_UNIT = 4;
const MAX_UNIT = 240;
/** One substantial line making up this share of an answer's lines (and this many) is a loop. */
const LINE_SHARE = 0.4;
const MIN_LINE_REPEATS = 8;
/** Lines this short or made only of punctuation repeat in healthy code (`}`, `end`, `---`). */
const MIN_LINE_LENGTH = 12;

/** The loop a model got stuck in, or undefined. */
export function findRepetition(text: string): RepetitionFinding | undefined {
  return findTailLoop(text) ?? findRepeatedLine(text);
}

/**
 * A degenerate generation ends in the same unit over and over ("the the the", a paragraph again
 * and again) until the token limit. Checks each period from 4 to 240 characters against the end.
 */
function findTailLoop(text: string): RepetitionFinding | undefined {
  const tail = text.trimEnd();
  for (let unit = MIN_UNIT; unit <= MAX_UNIT; unit++) {
    if (tail.length < unit * MIN_TAIL_REPEATS) break;
    const pattern = tail.slice(tail.length - unit);
    if (pattern.trim().length < 2) continue;
    let times = 1;
    let end = tail.length - unit;
    while (end >= unit && tail.startsWith(pattern, end - unit)) {
      times++;
      end -= unit;
    }
    if (times >= MIN_TAIL_REPEATS && times * unit >= 60) {
      return { unit: pattern.trim().slice(0, 80), times };
    }
  }
  return undefined;
}

function findRepeatedLine(text: string): RepetitionFinding | undefined {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length < MIN_LINE_REPEATS) return undefined;
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line.length < MIN_LINE_LENGTH || !/[\p{L}\p{N}]/u.test(line)) continue;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  let worst: RepetitionFinding | undefined;
  for (const [line, times] of counts) {
    if (times >= MIN_LINE_REPEATS && times / lines.length >= LINE_SHARE && times > (worst?.times ?? 0)) {
      worst = { unit: line.slice(0, 80), times };
    }
  }
  return worst;
}
