/**
 * Compares decision rules for the classifier — how a kind is picked from the per-kind score
 * totals — by leave-one-author-out validation, without refitting the model for each rule: the
 * fold models are fitted once (the shipped reading and training options, as `leaveOneAuthorOut`
 * in src/planning/classifier-authors.ts does), every held-out prompt's totals are cached — the
 * very numbers `decide` sees at runtime, system-prompt gating and follow-ups included — and each
 * rule is then scored on the cache in a moment. This is how the tier-first rule
 * (`underRoutingCost` in classifier-rules.ts) was chosen over the ratio rules before it; both, and
 * the variants tried, are stated here so the comparison can be run again as the data grows.
 *
 *   npx tsx scripts/decision-rules.ts --fit     fit the 19 fold models (~10 min), write the cache
 *   npx tsx scripts/decision-rules.ts           score every rule on the cache
 *   npx tsx scripts/decision-rules.ts --compare <rule>,<rule>
 *                                               per author, and the prompts the two decide apart
 *   npx tsx scripts/decision-rules.ts --blind shipped,<rule>
 *                                               score the named rules on the blind and development
 *                                               sets with the shipped model: only after choosing
 *
 * The cache lives at /tmp/switchyard-decision-cache.json (`DECISION_CACHE` overrides); refit it
 * after the data, the reading or the weights change. A rule is "better" than the shipped one when
 * its mean tier accuracy over the held-out authors is higher, its under-routing no higher and its
 * task accuracy at most 0.3 points lower. Rules are chosen by these means only; the blind sets are
 * read once, with the rule already chosen.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  DEFAULT_ALIAS_TIER,
  DEFAULT_TASK_START,
  TASK_INDEX,
  TASK_KINDS,
  type TaskKind,
} from "../src/config/task-kinds.js";
import { loadAuthorSets, readJsonLines, trainOnAuthors } from "../src/planning/classifier-authors.js";
import {
  accuracyOf,
  exampleMessages,
  isUnseenByRules,
  type LabelledExample,
  readExamples,
  TRAINING_OPTIONS,
} from "../src/planning/classifier-training.js";
import { modelFromWeights } from "../src/routing/classifier-model.js";
import { DEFAULT_READING, type RequestReading, readRequest } from "../src/routing/classifier-reading.js";
import { DECISION_POLICY, type DecisionPolicy } from "../src/routing/classifier-rules.js";
import {
  classifyLazily,
  decide,
  decideFromTotals,
  strongest,
  tierShares,
} from "../src/routing/task-classifier.js";

const CACHE = process.env.DECISION_CACHE ?? "/tmp/switchyard-decision-cache.json";
const ROOT = new URL("../", import.meta.url);
const tierOf = (task: TaskKind) => DEFAULT_ALIAS_TIER[DEFAULT_TASK_START[task]];
const TIER: readonly number[] = TASK_KINDS.map(tierOf);

/** What the decision sees for one prompt. */
interface CachedPrompt {
  task: TaskKind;
  /** Per kind, by index into TASK_KINDS: rules + model, system prompt gated in (`decide`). */
  totals: number[];
  /** The hand-written rules' part of the request's own votes (the clear-top-tier rule reads it). */
  ruleTotals: number[];
  sawCode: boolean;
}

interface CachedAuthor {
  name: string;
  prompts: CachedPrompt[];
}

function ruleTotalsOf(reading: RequestReading): number[] {
  const totals = new Array<number>(TASK_KINDS.length).fill(0);
  for (const signal of reading.ruleSignals) totals[TASK_INDEX.get(signal.task)!]! += signal.weight;
  return totals;
}

/** Fits each fold's model once and caches the held-out prompts' totals. */
function fit(): void {
  const authors = loadAuthorSets(ROOT, existsSync);
  const readings = authors.map((author) => readExamples(author.examples, DEFAULT_READING));
  const cached: CachedAuthor[] = [];
  for (let heldOut = 0; heldOut < authors.length; heldOut++) {
    const started = performance.now();
    const others = authors.filter((_, index) => index !== heldOut);
    const training = readings.filter((_, index) => index !== heldOut).flat();
    const model = modelFromWeights(trainOnAuthors(others, training, TRAINING_OPTIONS));
    const held = authors[heldOut]!;
    const prompts: CachedPrompt[] = [];
    held.examples.forEach((example, index) => {
      if (!isUnseenByRules(example)) return;
      const reading = readings[heldOut]![index]!;
      prompts.push({
        task: example.task,
        totals: [...decide(reading, model, DECISION_POLICY).totals],
        ruleTotals: ruleTotalsOf(reading),
        sawCode: reading.sawCode,
      });
    });
    cached.push({ name: held.name, prompts });
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`${held.name}: ${prompts.length} prompts (${seconds} s)`);
  }
  writeFileSync(CACHE, JSON.stringify(cached));
  console.log(`Wrote ${CACHE}`);
}

// ---------------------------------------------------------------------------------------------
// The rules, each a function of one prompt's cached totals to the index of the kind it picks.

type Rule = (prompt: CachedPrompt) => number;

const CODE_GENERATION = TASK_INDEX.get("code-generation")!;
const ELABORATION = TASK_INDEX.get("elaboration")!;

/** The shipped rule: `decideFromTotals` in task-classifier.ts. */
const shippedRule: Rule = (prompt) =>
  TASK_INDEX.get(decideFromTotals(prompt.totals, prompt.sawCode, DECISION_POLICY).task)!;

/** The thresholds of the ratio rules the tier-first rule replaced. */
interface RatioPolicy {
  /** A cheaper kind scoring this fraction of a pricier winner is taken (1: on a tie). */
  narrowWinRatio: number;
  /** A pricier kind scoring this fraction of the choice is taken instead (1: never). */
  tierSafetyRatio: number;
  /** Architecture / conflict resolution are "clear" when the phrase table gives them this much… */
  clearTopTierRuleScore: number;
  /** …and they score this fraction of the best: then they are taken. */
  clearTopTierRatio: number;
}

const RATIO_RULES: RatioPolicy = {
  narrowWinRatio: 1,
  tierSafetyRatio: 0.95,
  clearTopTierRuleScore: 2.8,
  clearTopTierRatio: 0.75,
};

/** The default when nothing is decisive (`minimumDecisiveScore`); undefined hands on to the rule. */
function undecided(prompt: CachedPrompt, policy: DecisionPolicy = DECISION_POLICY): number | undefined {
  const winner = strongest(prompt.totals, () => true);
  if (winner === -1 || prompt.totals[winner]! < policy.minimumDecisiveScore)
    return prompt.sawCode ? CODE_GENERATION : ELABORATION;
  return undefined;
}

/** Architecture / conflict resolution named outright by the rules and close to the best score. */
function clearTopTier(prompt: CachedPrompt, chosen: number, policy: RatioPolicy = RATIO_RULES): number {
  if (TIER[chosen] === 3) return chosen;
  const best = prompt.totals[strongest(prompt.totals, () => true)]!;
  const clear = strongest(
    prompt.totals,
    (index) =>
      TIER[index] === 3 &&
      prompt.ruleTotals[index]! >= policy.clearTopTierRuleScore &&
      prompt.totals[index]! >= best * policy.clearTopTierRatio,
  );
  return clear === -1 ? chosen : clear;
}

/** The rule shipped before the tier-first one (`applyTierRules` in task-classifier.ts then). */
function ratioRule(policy: RatioPolicy): Rule {
  return (prompt) => {
    const fallback = undecided(prompt);
    if (fallback !== undefined) return fallback;
    const { totals } = prompt;
    const winner = strongest(totals, () => true);
    const winnerTier = TIER[winner]!;
    const cheaper = strongest(
      totals,
      (index) => TIER[index]! < winnerTier && totals[index]! >= totals[winner]! * policy.narrowWinRatio,
    );
    let chosen = cheaper === -1 ? winner : cheaper;
    if (policy.tierSafetyRatio < 1) {
      const chosenTier = TIER[chosen]!;
      const floor = totals[chosen]! * policy.tierSafetyRatio;
      const safer = strongest(totals, (index) => TIER[index]! > chosenTier && totals[index]! >= floor);
      if (safer !== -1) chosen = safer;
    }
    return clearTopTier(prompt, chosen, policy);
  };
}

interface TierCost {
  /** What sending a prompt one tier too low costs, an over-routing costing 1. */
  under: number;
  /** Whether a miss by two tiers costs twice a miss by one. */
  byDistance: boolean;
}

/** The tier with the least expected cost under the posterior; ties to the cheaper tier. */
function cheapestExpectedTier(posterior: readonly number[], cost: TierCost): number {
  let best = 1;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let tier = 1; tier <= 3; tier++) {
    let expected = 0;
    for (let truth = 1; truth <= 3; truth++) {
      const distance = cost.byDistance ? Math.abs(truth - tier) : truth === tier ? 0 : 1;
      expected += posterior[truth]! * distance * (truth > tier ? cost.under : 1);
    }
    if (expected < bestCost - 1e-12) {
      best = tier;
      bestCost = expected;
    }
  }
  return best;
}

/** The best-scoring kind of a tier; the overall best when no kind of it scored. */
function bestOfTier(totals: readonly number[], tier: number): number {
  const within = strongest(totals, (index) => TIER[index] === tier);
  return within === -1 ? strongest(totals, () => true) : within;
}

interface TierFirstOptions extends TierCost {
  temperature: number;
  /** Keep the clear-top-tier rule after the tier is chosen. */
  keepClearTopTier: boolean;
}

/** Tier first: the tier of least expected cost under the tier posterior, then its best kind. */
function tierFirstRule(options: TierFirstOptions): Rule {
  return (prompt) => {
    const fallback = undecided(prompt);
    if (fallback !== undefined) return fallback;
    const tier = cheapestExpectedTier(tierShares(prompt.totals, options.temperature), options);
    const chosen = bestOfTier(prompt.totals, tier);
    return options.keepClearTopTier ? clearTopTier(prompt, chosen) : chosen;
  };
}

interface OverrideOptions extends TierFirstOptions {
  /** The base decision: the ratio rules or the bare argmax (then the clear-top-tier rule). */
  base: "ratio rules" | "argmax";
  /** The tier posterior overrides the base's tier only when its tier holds at least this much. */
  confidence: number;
}

/** The base decision stands unless a confident tier posterior names another tier. */
function overrideRule(options: OverrideOptions): Rule {
  const ratio = ratioRule(RATIO_RULES);
  return (prompt) => {
    const fallback = undecided(prompt);
    if (fallback !== undefined) return fallback;
    const base =
      options.base === "ratio rules"
        ? ratio(prompt)
        : clearTopTier(
            prompt,
            strongest(prompt.totals, () => true),
          );
    const posterior = tierShares(prompt.totals, options.temperature);
    const tier = cheapestExpectedTier(posterior, options);
    if (tier === TIER[base] || posterior[tier]! < options.confidence) return base;
    return bestOfTier(prompt.totals, tier);
  };
}

// ---------------------------------------------------------------------------------------------
// Scoring

interface Figures {
  task: number;
  tier: number;
  under: number;
  over: number;
  worstTask: number;
  worstTier: number;
}

function figuresOf(authors: readonly CachedAuthor[], rule: Rule): Figures {
  const perAuthor = authors.map(({ prompts }) =>
    accuracyOf(
      prompts.map((prompt) => ({
        example: { task: prompt.task } as LabelledExample,
        predicted: TASK_KINDS[rule(prompt)]!,
      })),
      tierOf,
    ),
  );
  const mean = (pick: (accuracy: (typeof perAuthor)[number]) => number) =>
    perAuthor.reduce((sum, accuracy) => sum + pick(accuracy), 0) / perAuthor.length;
  const task = mean((accuracy) => accuracy.task);
  const tier = mean((accuracy) => accuracy.tier);
  const under = mean((accuracy) => accuracy.underRouted);
  return {
    task,
    tier,
    under,
    over: 1 - tier - under,
    worstTask: Math.min(...perAuthor.map((accuracy) => accuracy.task)),
    worstTier: Math.min(...perAuthor.map((accuracy) => accuracy.tier)),
  };
}

const percent = (value: number) => (value * 100).toFixed(2).padStart(6);

function row(name: string, figures: Figures, baseline?: Figures): string {
  const cells = [
    figures.task,
    figures.tier,
    figures.under,
    figures.over,
    figures.worstTask,
    figures.worstTier,
  ];
  const verdict =
    baseline === undefined
      ? ""
      : figures.tier > baseline.tier + 1e-9 &&
          figures.under <= baseline.under + 1e-9 &&
          figures.task >= baseline.task - 0.003 - 1e-9
        ? "  better"
        : "";
  return `${name.padEnd(52)} ${cells.map(percent).join("  ")}${verdict}`;
}

const HEADER = `${"rule".padEnd(52)}  task   tier  under   over  worst task / tier`;

/** Every rule tried, by name; the shipped one first. */
function rules(): Array<[string, Rule]> {
  const withoutClear = { ...RATIO_RULES, clearTopTierRatio: Number.POSITIVE_INFINITY };
  const tried: Array<[string, Rule]> = [
    ["shipped", shippedRule],
    ["ratio rules", ratioRule(RATIO_RULES)],
    ["ratio rules without tier safety", ratioRule({ ...RATIO_RULES, tierSafetyRatio: 1 })],
    ["ratio rules without clear top tier", ratioRule(withoutClear)],
    ["ratio rules, clear top tier at 0.9", ratioRule({ ...RATIO_RULES, clearTopTierRatio: 0.9 })],
    ["ratio rules without both", ratioRule({ ...withoutClear, tierSafetyRatio: 1 })],
    ["ratio rules, tier safety 0.9, no clear top tier", ratioRule({ ...withoutClear, tierSafetyRatio: 0.9 })],
    [
      "ratio rules, tier safety 0.85, no clear top tier",
      ratioRule({ ...withoutClear, tierSafetyRatio: 0.85 }),
    ],
  ];
  for (const byDistance of [true, false])
    for (const keepClearTopTier of [true, false])
      for (const temperature of [0.75, 1, 1.25, 1.5, 2, 3])
        for (const under of [1, 1.5, 2, 3, 4])
          tried.push([
            `tier-first T=${temperature} c=${under}${byDistance ? " by distance" : " flat"}${keepClearTopTier ? "" : " no clear-top"}`,
            tierFirstRule({ temperature, under, byDistance, keepClearTopTier }),
          ]);
  for (const base of ["ratio rules", "argmax"] as const)
    for (const temperature of [1, 1.25, 1.5])
      for (const under of [1, 2, 3])
        for (const confidence of [0.5, 0.6, 0.7, 0.8, 0.9])
          tried.push([
            `override(${base}) T=${temperature} c=${under} P≥${confidence}`,
            overrideRule({ base, temperature, under, byDistance: true, keepClearTopTier: true, confidence }),
          ]);
  return tried;
}

function evaluate(): void {
  const authors = JSON.parse(readFileSync(CACHE, "utf8")) as CachedAuthor[];
  // The shipped rule restated on its policy's values must decide every prompt as the product does.
  const restated = tierFirstRule({
    temperature: DECISION_POLICY.confidenceTemperature,
    under: DECISION_POLICY.underRoutingCost,
    byDistance: false,
    keepClearTopTier: false,
  });
  let disagreements = 0;
  for (const { prompts } of authors)
    for (const prompt of prompts) if (restated(prompt) !== shippedRule(prompt)) disagreements++;
  console.log(
    `The tier-first rule restated here disagrees with decideFromTotals on ${disagreements} prompts\n`,
  );
  const all = rules();
  const baseline = figuresOf(authors, shippedRule);
  console.log(HEADER);
  for (const [name, rule] of all) console.log(row(name, figuresOf(authors, rule), baseline));
}

/** Two rules side by side: per held-out author, and the prompts they decide differently. */
function compare(names: string[]): void {
  const authors = JSON.parse(readFileSync(CACHE, "utf8")) as CachedAuthor[];
  const byName = new Map(rules());
  const [first, second] = names.map((name) => {
    const rule = byName.get(name);
    if (!rule) throw new Error(`No rule named "${name}"; run without arguments to see the names`);
    return rule;
  }) as [Rule, Rule];
  console.log(`${HEADER}\n`);
  const changes = new Map<string, number>();
  for (const author of authors) {
    for (const [name, rule] of [
      [names[0]!, first],
      [names[1]!, second],
    ] as const)
      console.log(row(`${author.name}: ${name}`, figuresOf([author], rule)));
    for (const prompt of author.prompts) {
      const [a, b] = [TASK_KINDS[first(prompt)]!, TASK_KINDS[second(prompt)]!];
      if (a === b) continue;
      const key = `${prompt.task}: ${a} → ${b}`;
      changes.set(key, (changes.get(key) ?? 0) + 1);
    }
  }
  console.log("\nDecided differently (truth: first → second), most common first");
  for (const [key, count] of [...changes].sort((x, y) => y[1] - x[1]))
    console.log(`  ${String(count).padStart(4)}  ${key}`);
}

/** The named rules on the blind and development sets, with the shipped model as the gateway runs it. */
function blind(names: string[]): void {
  const byName = new Map(rules());
  const sets = [
    ["blind set 2", "test/fixtures/routing-blind-set-2.jsonl"],
    ["blind set 3", "test/fixtures/routing-blind-set-3.jsonl"],
    ["blind set 4", "test/fixtures/routing-blind-set-4.jsonl"],
    ["blind set 5", "test/fixtures/routing-blind-set-5.jsonl"],
    ["development set", "test/fixtures/routing-dev-set.jsonl"],
  ] as const;
  console.log(HEADER);
  for (const [setName, file] of sets) {
    const url = new URL(file, ROOT);
    if (!existsSync(url)) continue;
    const prompts = readJsonLines<LabelledExample>(url, file).map((example): CachedPrompt => {
      const messages = exampleMessages(example);
      const decision = classifyLazily(messages);
      // The rules' votes and sawCode do not depend on the model's word pairs the gateway reads.
      const reading = readRequest(messages);
      return {
        task: example.task,
        totals: [...decision.totals],
        ruleTotals: ruleTotalsOf(reading),
        sawCode: reading.sawCode,
      };
    });
    for (const name of names) {
      const rule = byName.get(name);
      if (!rule) throw new Error(`No rule named "${name}"; run without arguments to see the names`);
      console.log(row(`${setName}: ${name}`, figuresOf([{ name: setName, prompts }], rule)));
    }
  }
}

const mode = process.argv[2];
if (mode === "--fit") fit();
else if (mode === "--compare") compare((process.argv[3] ?? "").split(","));
else if (mode === "--blind") blind((process.argv[3] ?? "shipped").split(","));
else evaluate();
