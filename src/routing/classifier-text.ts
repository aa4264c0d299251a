/**
 * Words as the classifier sees them: lower-cased runs of letters and digits, lightly stemmed, with
 * a mark where a sentence or line ends. The phrase table, the learned model and the training
 * script all read text through this one module, so the weights meet the words they were fitted on.
 */

export interface Words {
  /** The words as written, lower-cased: what evidence quotes. */
  words: string[];
  /** The stem of each word. */
  stems: string[];
  /**
   * `breaks[i]` is true when a sentence, clause or line ends between word i-1 and word i, so
   * word i opens a sentence or clause ("…the tests. Review…").
   */
  breaks: boolean[];
  /**
   * `negated[i]` is true when word i is in the scope of a negation before it in its clause: "not
   * a review", "no tests, just the function", "don't refactor it", "forget tests for a sec". The
   * negating word itself is not negated. See `NEGATION`.
   */
  negated: boolean[];
}

/** "Don't" is read as "dont" (`readWords` drops apostrophes inside words). */
const NEGATION_CUES =
  "not no never without nor dont doesnt didnt isnt arent wasnt werent wont cant cannot shouldnt wouldnt forget skip instead";

/**
 * Negation scope, after NegEx (Chapman et al., 2001): a cue negates the few words after it, up to
 * the end of the clause, a comma, or a word that turns the sentence ("not a review, just the
 * webhook check": "webhook" is the ask again). "Never reviewed" and "not a review" name a task
 * the request is *not*, so the words read differently (`n:` features) and the rules' phrases that
 * start inside the scope do not vote.
 */
export const NEGATION = {
  cues: new Set(NEGATION_CUES.split(" ")),
  /** Words that end the scope: the sentence turns back to what is asked. */
  terminators: new Set(["but", "just", "only", "rather", "so", "because", "though", "although", "yet"]),
  /** At most this many words after the cue. */
  scope: 4,
} as const;

/**
 * Light suffix stripping so "tests", "testing" and "tested" meet "test". Not linguistics: the
 * same function is applied to the table and to the text, so only consistency matters.
 */
export function stemWord(word: string): string {
  let stem = word;
  if (stem.length <= 3) return stem;
  if (stem.endsWith("ies") && stem.length > 4) stem = stem.slice(0, -3) + "y";
  else if (stem.endsWith("ing") && stem.length > 5) stem = stem.slice(0, -3);
  else if (stem.endsWith("ed") && stem.length > 4) stem = stem.slice(0, -2);
  else if (stem.endsWith("es") && stem.length > 4) stem = stem.slice(0, -2);
  else if (stem.endsWith("s") && !stem.endsWith("ss") && stem.length > 3) stem = stem.slice(0, -1);
  if (stem.endsWith("e") && stem.length > 4) stem = stem.slice(0, -1);
  return stem;
}

/** Most words repeat within and across requests; a bounded cache saves the slicing. */
const stemCache = new Map<string, string>();
const STEM_CACHE_SIZE = 20_000;

function cachedStem(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    if (stemCache.size >= STEM_CACHE_SIZE) stemCache.clear();
    stem = stemWord(word);
    stemCache.set(word, stem);
  }
  return stem;
}

/** Lower-case ASCII letters and digits make words; anything else separates them. */
function isWordCharacter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/** Characters between two words that end a clause: . ! ? ; : newline, em and en dashes. */
function isBreak(code: number): boolean {
  return (
    code === 46 ||
    code === 33 ||
    code === 63 ||
    code === 59 ||
    code === 58 ||
    code === 10 ||
    code === 8212 ||
    code === 8211
  );
}

/** A comma or a bracket between two words ends a negation's scope, not a clause. */
function isScopeBreak(code: number): boolean {
  return code === 44 || code === 40 || code === 41;
}

/** ' and ’ inside a word are dropped, so "what's" and "whats" are one word. */
function isApostrophe(code: number): boolean {
  return code === 39 || code === 8217;
}

/**
 * One pass over the characters (no regular expression: this runs on every request, and slicing
 * words out by index is several times cheaper than collecting match objects).
 */
export function readWords(text: string): Words {
  const lower = text.toLowerCase();
  const words: string[] = [];
  const stems: string[] = [];
  const breaks: boolean[] = [];
  const negated: boolean[] = [];
  const length = lower.length;
  let broken = false;
  let scopeBroken = false;
  /** Words still to come in the current negation's scope. */
  let scopeLeft = 0;
  let index = 0;
  while (index < length) {
    const code = lower.charCodeAt(index);
    if (!isWordCharacter(code)) {
      if (isBreak(code)) broken = true;
      else if (isScopeBreak(code)) scopeBroken = true;
      index++;
      continue;
    }
    const start = index;
    while (index < length && isWordCharacter(lower.charCodeAt(index))) index++;
    let word = lower.slice(start, index);
    // "what's": an apostrophe followed by letters continues the word, without the apostrophe.
    if (
      index + 1 < length &&
      isApostrophe(lower.charCodeAt(index)) &&
      isLetter(lower.charCodeAt(index + 1))
    ) {
      const suffixStart = index + 1;
      index = suffixStart;
      while (index < length && isLetter(lower.charCodeAt(index))) index++;
      word += lower.slice(suffixStart, index);
    }
    words.push(word);
    stems.push(cachedStem(word));
    breaks.push(broken);
    // The terminators are looked up only while a scope is open: most words are read outside one.
    if (scopeLeft > 0 && (broken || scopeBroken || NEGATION.terminators.has(word))) scopeLeft = 0;
    if (NEGATION.cues.has(word)) {
      negated.push(false);
      scopeLeft = NEGATION.scope;
    } else {
      negated.push(scopeLeft > 0);
      if (scopeLeft > 0) scopeLeft--;
    }
    broken = false;
    scopeBroken = false;
  }
  return { words, stems, breaks, negated };
}

function isLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

/** Splits a phrase of the rule table into stems, the way `readWords` splits text. */
export function phraseStems(phrase: string): string[] {
  return readWords(phrase).stems;
}

/** Long pastes are mostly code or logs; the request is at the start or the end, so read those. */
export function capText(text: string, head: number, tail: number): string {
  if (text.length <= head + tail) return text;
  return text.slice(0, head) + "\n" + text.slice(text.length - tail);
}
