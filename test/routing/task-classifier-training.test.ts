/**
 * The learned half of the classifier, checked the honest way: leave-one-author-out validation —
 * trained on every author's labelled set but one, scored on the one left out (the first author's
 * only on the prompts its phrase table never saw), which is what a blind set by a new author
 * measures — with floors on the mean over authors and on each; and the committed weights module
 * must be exactly what the trainer makes from the committed data, so a change to the data, the
 * features or the options cannot ship with stale weights.
 *
 * Slow for a unit test (it trains the model once per author and once on everything), hence its
 * own file and timeouts.
 */

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_ALIAS_TIER, DEFAULT_TASK_START, type TaskKind } from "../../src/config/task-kinds.js";
import {
  leaveOneAuthorOut,
  loadAuthorSets,
  meanOverAuthors,
  missingKinds,
  poolAuthors,
  trainOnAuthors,
} from "../../src/planning/classifier-authors.js";
import {
  formatWeightsModule,
  readExample,
  TRAINING_OPTIONS,
} from "../../src/planning/classifier-training.js";
import { DEFAULT_READING } from "../../src/routing/classifier-reading.js";
import { DECISION_POLICY } from "../../src/routing/classifier-rules.js";

const authors = loadAuthorSets(new URL("../../", import.meta.url), existsSync);
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
// Leave-one-author-out trains thirty-one models: ~1,700 s of one core (~560 s for nineteen,
// on fewer prompts each); the bound leaves room for a busy 2-core machine.
const SLOW = 4_200_000;

describe("the learned model", () => {
  it("is trained on several authors' sets, each with every task kind, none holding a blind set's prompt", () => {
    expect(authors.length).toBeGreaterThanOrEqual(2);
    for (const author of authors) expect(missingKinds(author), author.name).toEqual([]);
    const held = new Set<string>();
    for (const file of [
      "routing-blind-set-2",
      "routing-blind-set-3",
      "routing-blind-set-4",
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
    "generalises to an author it never saw: left-one-author-out task ≥ 88%, tier ≥ 94%, under-routed ≤ 2.2% on the mean",
    () => {
      const setting = { reading: DEFAULT_READING, training: TRAINING_OPTIONS };
      const [scores] = leaveOneAuthorOut(authors, setting, [DECISION_POLICY], tierOf);
      for (const { author, accuracy } of scores!) {
        console.log(
          `${author.padEnd(14)} n=${String(accuracy.count).padStart(4)}  task ${percent(accuracy.task)}  tier ${percent(accuracy.tier)}  under ${percent(accuracy.underRouted)}`,
        );
        // Measured 80.9% / 89.1% on author A (450 prompts: one prompt is 0.2 points) and
        // 86.4% / 88.2% on author I, whose set is written to mislead on tier: the judgment and
        // design kinds short and casual, the mechanical ones long and weighty (77.3% / 78.9%
        // before the tier-first decision, when architecture named in a chore was taken at Opus);
        // 77.8% / 89.6% on author AB (open-source maintainers: release, semver and governance
        // words that the other authors use for design and decisions).
        expect(accuracy.task, author).toBeGreaterThanOrEqual(0.77);
        expect(accuracy.tier, author).toBeGreaterThanOrEqual(0.86);
      }
      const mean = meanOverAuthors(scores!);
      // Measured 82.0%, 91.0%, 3.0% over four authors when these settings were chosen, 85.4%,
      // 92.0%, 2.4% over eleven, 86.8%, 92.7%, 2.2% over fifteen, 87.4%, 93.3%, 2.1% over
      // nineteen, 88.3%, 94.3%, 2.1% with the tier-first decision, 88.4%, 94.3%, 2.1% over
      // twenty-five and 88.6%, 94.6%, 1.9% over thirty-one; the floors catch a regression.
      expect(mean.task).toBeGreaterThanOrEqual(0.88);
      expect(mean.tier).toBeGreaterThanOrEqual(0.94);
      expect(mean.underRouted).toBeLessThanOrEqual(0.022);
    },
    SLOW,
  );

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
