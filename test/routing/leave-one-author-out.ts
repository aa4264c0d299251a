/**
 * Leave-one-author-out validation as a test: trained on every author's labelled set but one,
 * scored on the one left out (the first author's only on the prompts its phrase table never saw),
 * which is what a blind set by a new author measures — with floors on each author and on the mean.
 *
 * One model is trained per held-out author, about fifty seconds of one core each, so the
 * authors are split between two test files (alternate authors: `halfOf`), which the test runner
 * runs side by side (two files at a time at least: `vitest.config.ts`); each checks the
 * mean over its half of the authors writing in English, and a lower floor on each author writing
 * in other languages. The full means are what `scripts/train-classifier.ts --check` prints and the
 * README reports.
 */

import { existsSync } from "node:fs";
import { expect, it } from "vitest";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, type TaskKind } from "../../src/config/task-kinds.js";
import {
  type AuthorScore,
  type AuthorSet,
  leaveOneAuthorOut,
  loadAuthorSets,
  meanOverAuthors,
} from "../../src/planning/classifier-authors.js";
import { TRAINING_OPTIONS } from "../../src/planning/classifier-training.js";
import { DEFAULT_READING } from "../../src/routing/classifier-reading.js";
import { DECISION_POLICY } from "../../src/routing/classifier-rules.js";

const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
/**
 * Half of the forty-seven authors: about 1,000 s of one core at 300 fitting steps (940 and
 * 1,013 s side by side in a fresh-clone run; 2,700 s at the 800 shorter steps the fit once took).
 * The bound is the most CI's 90 minutes leave, for a busy 2-core machine running both halves and
 * the other test files at once.
 */
const SLOW = 5_100_000;

export interface MeanFloors {
  task: number;
  tier: number;
  underRouted: number;
}

/**
 * Authors at alternate positions among those writing in English, and among those writing in other
 * languages (`AuthorSet.otherLanguages`), so each half holds some of each.
 */
function halfOf(authors: readonly AuthorSet[], half: "even" | "odd"): number[] {
  const parity = half === "even" ? 0 : 1;
  const rank = new Map<boolean, number>();
  return authors.flatMap((author, index) => {
    const position = rank.get(author.otherLanguages) ?? 0;
    rank.set(author.otherLanguages, position + 1);
    return position % 2 === parity ? [index] : [];
  });
}

export function checkLeaveOneAuthorOut(half: "even" | "odd", floors: MeanFloors): void {
  it(
    `generalises to an author it never saw (the ${half} half): task ≥ ${percent(floors.task)}, tier ≥ ${percent(floors.tier)}, under-routed ≤ ${percent(floors.underRouted)} on the mean of those writing in English`,
    () => {
      const authors = loadAuthorSets(new URL("../../", import.meta.url), existsSync);
      const heldOut = halfOf(authors, half);
      const setting = { reading: DEFAULT_READING, training: TRAINING_OPTIONS };
      const [scores] = leaveOneAuthorOut(authors, setting, [DECISION_POLICY], tierOf, heldOut);
      expect(scores!.length).toBe(heldOut.length);
      const inEnglish: AuthorScore[] = [];
      scores!.forEach((score, position) => {
        const { author, accuracy } = score;
        const otherLanguages = authors[heldOut[position]!]!.otherLanguages;
        console.log(
          `${author.padEnd(14)} n=${String(accuracy.count).padStart(4)}  task ${percent(accuracy.task)}  tier ${percent(accuracy.tier)}  under ${percent(accuracy.underRouted)}${otherLanguages ? "  (other languages)" : ""}`,
        );
        if (otherLanguages) {
          // Measured 74.2% / 85.8%, 74.2% / 85.8% and 75.3% / 88.0% for the three writing in
          // German, Spanish, French, Portuguese, Italian, Dutch and others; 61.3% / 78.2%, 66.9% /
          // 84.2% and 63.1% / 80.7% for the three in Japanese, Chinese, Korean, Russian and
          // others (73.1%, 74.4%, 74.4%, 61.3%, 64.4% and 60.7% task at 800 short fitting steps;
          // 65.3%, 66.2%, 67.8%, 50.7%, 50.0% and 43.6% at 400): a few hundred prompts per
          // language, and no phrase table, against the thousands in English.
          // Before every script was read, a Japanese or Russian request had no words at all.
          expect(accuracy.task, author).toBeGreaterThanOrEqual(0.33);
          expect(accuracy.tier, author).toBeGreaterThanOrEqual(0.62);
          return;
        }
        inEnglish.push(score);
        // Measured 86.0% / 92.9% on author A (450 prompts: one prompt is 0.2 points; 85.8% /
        // 92.2% at 800 short fitting steps, 82.2% / 90.2% at 400) and 89.8% / 91.6% on author I
        // (90.2% / 91.8% at 800 short steps, 89.1% / 90.7% at 400), whose set is written to
        // mislead on tier: the judgment and design kinds short and casual, the mechanical ones long
        // and weighty (77.3% / 78.9% before the tier-first decision, when architecture named in a
        // chore was taken at Opus); 79.8% / 90.2% on author AB (79.8% / 90.0% at 800 short steps,
        // 76.9% / 88.7% at 400; open-source maintainers: release, semver and governance words that
        // the other authors use for design and decisions; 77.6% / 89.3% before authors AL to AS,
        // whose product, data and support wording reads such words the other way).
        expect(accuracy.task, author).toBeGreaterThanOrEqual(0.75);
        expect(accuracy.tier, author).toBeGreaterThanOrEqual(0.86);
      });
      const mean = meanOverAuthors(inEnglish);
      expect(mean.task).toBeGreaterThanOrEqual(floors.task);
      expect(mean.tier).toBeGreaterThanOrEqual(floors.tier);
      expect(mean.underRouted).toBeLessThanOrEqual(floors.underRouted);
    },
    SLOW,
  );
}
