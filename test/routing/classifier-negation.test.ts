/**
 * Negation scope (`NEGATION` in classifier-text.ts): "not a review", "forget tests for a sec",
 * "don't refactor it" name a task the request is not. Words in a negation's scope are read as `n:`
 * features and the rules' phrases that start there do not vote.
 */

import { describe, expect, it } from "vitest";
import { DEFAULT_READING, readRequest } from "../../src/routing/classifier-reading.js";
import { readWords } from "../../src/routing/classifier-text.js";
import { classifyText } from "../../src/routing/task-classifier.js";

/** The text with each negated word in brackets. */
function marked(text: string): string {
  const { words, negated } = readWords(text);
  return words.map((word, index) => (negated[index] ? `[${word}]` : word)).join(" ");
}

function readingOf(text: string) {
  return readRequest([{ role: "user", content: text }], {}, DEFAULT_READING);
}

describe("negation scope", () => {
  it("covers the few words after a cue, not the cue itself", () => {
    expect(marked("not a review pls")).toBe("not [a] [review] [pls]");
    expect(marked("don't write tests for it yet please")).toBe("dont [write] [tests] [for] [it] yet please");
    expect(marked("refactor without changing behaviour")).toBe("refactor without [changing] [behaviour]");
  });

  it("ends at a clause break, a comma, a bracket or a word that turns the sentence", () => {
    expect(marked("no review. write the check")).toBe("no [review] write the check");
    expect(marked("no review, write the check")).toBe("no [review] write the check");
    expect(marked("not a review (write the check)")).toBe("not [a] [review] write the check");
    expect(marked("not a review but the check")).toBe("not [a] [review] but the check");
    expect(marked("forget tests — why does sort fail")).toBe("forget [tests] why does sort fail");
  });

  it("leaves a request without a cue alone", () => {
    expect(readWords("review this diff for races").negated).toEqual([false, false, false, false, false]);
  });

  it("reads negated words as n: features, keeps the cue's pair and drops pairs inside the scope", () => {
    const { features } = readingOf("please don't write tests, just fix the parser");
    expect(features.has("n:test")).toBe(true);
    expect(features.has("w:test")).toBe(false);
    expect(features.has("w:fix")).toBe(true);
    expect(features.has("b:dont-writ")).toBe(true);
    expect(features.has("b:writ-test")).toBe(false);
  });

  it("does not let a phrase of the rules vote from inside the scope", () => {
    const negatedReading = readingOf("this is not a code review, fix the parser");
    const plainReading = readingOf("this is a code review, fix the parser");
    const reviewVotes = (reading: ReturnType<typeof readingOf>) =>
      reading.ruleSignals.filter((signal) => signal.task === "code-review").length;
    expect(reviewVotes(plainReading)).toBeGreaterThan(0);
    expect(reviewVotes(negatedReading)).toBe(0);
  });

  it("keeps a task named only to rule it out from winning (the shipped model)", () => {
    // Written for this test, in no training set. Before negation scope the first went to code
    // review and the second to test generation.
    const cases: Array<[text: string, ruledOut: string, expected?: string]> = [
      [
        "not a code review please — I just need the webhook signature check: HMAC-SHA256 over the raw body, reject anything older than five minutes",
        "code-review",
      ],
      [
        "forget the tests for now, why does the cart total come out one cent short on EUR orders?",
        "test-generation",
        "bug-hunting",
      ],
      [
        "don't write user stories yet; first help me think through what 'shared workspaces' could even mean for us",
        "story-drafting",
        "elaboration",
      ],
      [
        "no refactoring, just make eslint stop complaining about no-unused-vars in src/api.ts",
        "refactoring",
        "lint",
      ],
      [
        "this isn't about lint rules: utils.py is a 2,000-line junk drawer and I want it split into modules with the same behaviour",
        "lint",
        "refactoring",
      ],
      [
        "not asking for a review, write the retry helper: withRetry(fn, { tries, backoffMs }) with exponential backoff",
        "code-review",
        "code-generation",
      ],
    ];
    for (const [text, ruledOut, expected] of cases) {
      const { task } = classifyText(text);
      expect(task, text).not.toBe(ruledOut);
      if (expected) expect(task, text).toBe(expected);
    }
  });
});
