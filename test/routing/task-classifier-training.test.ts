/**
 * The learned half of the classifier's data and weights: every author's set has every kind and
 * none holds a blind set's prompt, and the committed weights module must be exactly what the
 * trainer makes from the committed data, so a change to the data, the features or the options
 * cannot ship with stale weights. How well it generalises to a new author is checked by
 * leave-one-author-out validation, in leave-one-author-out-even.test.ts and -odd.test.ts.
 *
 * Slow for a unit test (it trains the model once on everything), hence its own file and timeout.
 */

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  loadAuthorSets,
  missingKinds,
  poolAuthors,
  trainOnAuthors,
} from "../../src/planning/classifier-authors.js";
import {
  formatWeightsModule,
  readExample,
  TRAINING_OPTIONS,
} from "../../src/planning/classifier-training.js";

const authors = loadAuthorSets(new URL("../../", import.meta.url), existsSync);
/** One fit on every author: ~45 s of one core; the bound leaves room for a busy 2-core machine. */
const SLOW = 900_000;

describe("the learned model", () => {
  it("is trained on several authors' sets, each with every task kind, none holding a blind set's prompt", () => {
    expect(authors.length).toBeGreaterThanOrEqual(2);
    for (const author of authors) expect(missingKinds(author), author.name).toEqual([]);
    const held = new Set<string>();
    for (const file of [
      "routing-blind-set-2",
      "routing-blind-set-3",
      "routing-blind-set-4",
      "routing-blind-set-5",
      "routing-dev-set",
    ]) {
      const url = new URL(`../fixtures/${file}.jsonl`, import.meta.url);
      if (!existsSync(url)) continue;
      for (const line of readFileSync(url, "utf8").split("\n")) {
        if (line.trim() !== "")
          held.add((JSON.parse(line) as { prompt: string }).prompt.trim().toLowerCase());
      }
    }
    for (const author of authors) {
      const leaked = author.examples.filter((example) => {
        // Weak follow-ups ("continue", "yes") repeat across sets; what is held out is the rest.
        const prompt = example.prompt.trim().toLowerCase();
        return prompt.length > 40 && held.has(prompt);
      });
      expect(leaked.length, author.name).toBe(0);
    }
  });

  it(
    "ships the weights the trainer makes from every author's set (run scripts/train-classifier.ts)",
    () => {
      const readings = poolAuthors(authors, TRAINING_OPTIONS.authorBalance).examples.map(readExample);
      const committed = readFileSync(
        new URL("../../src/routing/classifier-weights.ts", import.meta.url),
        "utf8",
      );
      expect(formatWeightsModule(trainOnAuthors(authors, readings), authors)).toBe(committed);
    },
    SLOW,
  );
});
