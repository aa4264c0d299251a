/**
 * Words as the classifier sees them: lower-cased runs of letters (of any alphabet, Latin ones
 * folded to ASCII: `wordRole`) and digits, lightly stemmed, with
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

/**
 * How a character takes part in a word. ASCII letters and digits make words as written; Latin
 * letters with diacritics are folded to their base letters ("prüfe" is read as "prufe", "código"
 * as "codigo", "Straße" as "strasse"), so a word is one feature however it is accented; Greek,
 * Cyrillic, Hebrew, Arabic, Devanagari, Hangul and katakana letters make words as written; a
 * Chinese or Japanese ideograph is a word on its own — those scripts put no spaces between words,
 * and the word pairs near either end of a message (`classifier-features.ts`) then read
 * neighbouring ideographs as pairs ("测试", "審査"). Combining marks inside a word are dropped.
 * Hiragana (Japanese grammar between the ideographs), Thai (no spaces, and letters that are not
 * words alone) and everything else separate words.
 */
const WordRole = { None: 0, AsIs: 1, Folded: 2, Alone: 3, Dropped: 4 } as const;
type WordRole = (typeof WordRole)[keyof typeof WordRole];

/** Roles of the characters below U+2000, and the ASCII spelling of each folded Latin letter. */
const ROLES = new Uint8Array(0x2000);
const FOLDS: string[] = [];
/** Letters whose decomposition is not a base letter and a mark. */
const SPECIAL_FOLDS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
  ħ: "h",
  ŀ: "l",
};
for (let code = 48; code <= 57; code++) ROLES[code] = WordRole.AsIs;
for (let code = 97; code <= 122; code++) ROLES[code] = WordRole.AsIs;
for (let code = 0xc0; code < 0x2000; code++) {
  if (code >= 0x300 && code <= 0x36f) {
    ROLES[code] = WordRole.Dropped;
    continue;
  }
  const character = String.fromCharCode(code);
  // Text is lower-cased before it is read, so only lower-case letters (and the caseless) matter.
  if (character.toLowerCase() === character.toUpperCase()) continue;
  const folded = SPECIAL_FOLDS[character] ?? character.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  if (/^[a-z]+$/.test(folded)) {
    ROLES[code] = WordRole.Folded;
    FOLDS[code] = folded;
  } else if (code >= 0x370 && code <= 0x52f) {
    ROLES[code] = WordRole.AsIs;
  }
}
// Caseless scripts written with spaces between words: Hebrew, Arabic and Devanagari (their vowel
// signs included, or a word would split at each), less their punctuation.
for (const [first, last] of [
  [0x5d0, 0x5f2],
  [0x610, 0x61a],
  [0x620, 0x669],
  [0x66e, 0x6d3],
  [0x900, 0x963],
  [0x966, 0x97f],
]) {
  for (let code = first!; code <= last!; code++) ROLES[code] = WordRole.AsIs;
}

function wordRole(code: number): WordRole {
  if (code < 0x2000) return ROLES[code] as WordRole;
  if (code >= 0x4e00 && code <= 0x9fff) return WordRole.Alone;
  if (code >= 0xac00 && code <= 0xd7a3) return WordRole.AsIs;
  if (code >= 0x30a1 && code <= 0x30fc && code !== 0x30fb) return WordRole.AsIs;
  if ((code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff)) return WordRole.Alone;
  return WordRole.None;
}

/**
 * Characters between two words that end a clause: . ! ? ; : newline, em and en dashes, and the
 * full-width 。！？；： of Chinese and Japanese, Arabic ؟ and ۔, and the Devanagari danda।
 */
function isBreak(code: number): boolean {
  return (
    code === 46 ||
    code === 33 ||
    code === 63 ||
    code === 59 ||
    code === 58 ||
    code === 10 ||
    code === 8212 ||
    code === 8211 ||
    code === 0x3002 ||
    code === 0xff01 ||
    code === 0xff1f ||
    code === 0xff1b ||
    code === 0xff1a ||
    code === 0x61f ||
    code === 0x6d4 ||
    code === 0x964 ||
    code === 0x965
  );
}

/** A comma or a bracket between two words ends a negation's scope, not a clause (、，（）، too). */
function isScopeBreak(code: number): boolean {
  return (
    code === 44 ||
    code === 40 ||
    code === 41 ||
    code === 0x60c ||
    code === 0x3001 ||
    code === 0xff0c ||
    code === 0xff08 ||
    code === 0xff09
  );
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
    const role = wordRole(code);
    if (role === WordRole.None || role === WordRole.Dropped) {
      if (isBreak(code)) broken = true;
      else if (isScopeBreak(code)) scopeBroken = true;
      index++;
      continue;
    }
    let word: string;
    if (role === WordRole.Alone) word = lower[index++]!;
    else {
      // The first character's role is known: the scan goes on from the next one.
      const start = index++;
      let plain = role === WordRole.AsIs;
      for (; index < length; index++) {
        const next = wordRole(lower.charCodeAt(index));
        if (next === WordRole.None || next === WordRole.Alone) break;
        if (next !== WordRole.AsIs) plain = false;
      }
      word = plain ? lower.slice(start, index) : foldWord(lower, start, index);
    }
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

/** The characters from `start` to `end` as one word: accented letters folded, marks dropped. */
function foldWord(lower: string, start: number, end: number): string {
  let word = "";
  for (let index = start; index < end; index++) {
    const code = lower.charCodeAt(index);
    const role = wordRole(code);
    if (role === WordRole.Folded) word += FOLDS[code]!;
    else if (role === WordRole.AsIs) word += lower[index]!;
  }
  return word;
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
