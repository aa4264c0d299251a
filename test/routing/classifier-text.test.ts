/**
 * How the classifier splits text into words in other languages and scripts (`readWords`): Latin
 * letters with accents are folded, so an accented and an unaccented spelling are one feature;
 * Cyrillic, Greek, Hangul and katakana make words as written; each Chinese or Japanese ideograph
 * is a word; and the full-width punctuation of those scripts ends clauses as . ! ? do.
 */

import { describe, expect, it } from "vitest";
import { readWords } from "../../src/routing/classifier-text.js";

describe("readWords in other languages", () => {
  it("folds Latin letters with accents to their base letters", () => {
    expect(readWords("Überprüfe bitte den Code, Straße").words).toEqual([
      "uberprufe",
      "bitte",
      "den",
      "code",
      "strasse",
    ]);
    expect(readWords("¿Puedes revisar el código? Ça marche, garçon. Łódź, İzmir").words).toEqual([
      "puedes",
      "revisar",
      "el",
      "codigo",
      "ca",
      "marche",
      "garcon",
      "lodz",
      "izmir",
    ]);
    expect(readWords("Viết unit test cho hàm này").words).toEqual([
      "viet",
      "unit",
      "test",
      "cho",
      "ham",
      "nay",
    ]);
    // An accented and an unaccented spelling meet: one feature, one weight.
    expect(readWords("código").stems).toEqual(readWords("codigo").stems);
  });

  it("reads Cyrillic, Greek and Hangul words as written, lower-cased", () => {
    expect(readWords("Напиши ТЕСТЫ для этой функции").words).toEqual([
      "напиши",
      "тесты",
      "для",
      "этой",
      "функции",
    ]);
    expect(readWords("Γράψε τεστ").words).toEqual(["γράψε", "τεστ"]);
    expect(readWords("이 함수에 대한 테스트를 작성해 주세요").words).toEqual([
      "이",
      "함수에",
      "대한",
      "테스트를",
      "작성해",
      "주세요",
    ]);
  });

  it("reads Hebrew, Arabic and Devanagari words whole, vowel signs and all", () => {
    expect(readWords("תכתוב בדיקות").words).toEqual(["תכתוב", "בדיקות"]);
    expect(readWords("اكتب اختبارات، من فضلك؟").words).toEqual(["اكتب", "اختبارات", "من", "فضلك"]);
    expect(readWords("इस फ़ंक्शन के लिए टेस्ट लिखो। धन्यवाद").breaks).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it("makes each ideograph a word, katakana runs words, and hiragana a separator", () => {
    expect(readWords("为这个函数写测试").words).toEqual(["为", "这", "个", "函", "数", "写", "测", "试"]);
    expect(readWords("このコードをレビューしてください").words).toEqual(["コード", "レビュー"]);
    expect(readWords("審査API").words).toEqual(["審", "査", "api"]);
  });

  it("ends clauses at full-width punctuation, and negation scopes at full-width commas", () => {
    expect(readWords("写测试。修复").breaks).toEqual([false, false, false, true, false]);
    const negated = readWords("don't review、just fix").negated;
    expect(negated).toEqual([false, true, false, false]);
  });

  it("reads English as before: ASCII letters and digits, apostrophes inside words dropped", () => {
    const words = readWords("Don't refactor v2 — what's wrong?");
    expect(words.words).toEqual(["dont", "refactor", "v2", "whats", "wrong"]);
    expect(words.breaks).toEqual([false, false, false, true, false]);
  });
});
