/**
 * Turns a request into a Route: which task it is, where it starts and the ladder above it.
 * Selectors, in order: a `model` that names a task kind (`switchyard/code-review`), a tier or alias
 * (`switchyard/tier1`, `local-coder`) or a concrete model; then the `x-switchyard-task` header; then
 * the classifier (`auto`). Claude model names (`claude-sonnet-4-5`) are first mapped per `claude_code:`
 * (see `claude-model-map.ts`). Built once from config, so a decision is a few map look-ups.
 */
import { aliasStep, type RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { isTaskKind, TASK_KINDS, type TaskKind } from "../config/task-kinds.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { ChatMessage } from "../protocol/chat-types.js";
import { DowngradeSteps } from "./budget-downgrade.js";
import { selectClaudeModel } from "./claude-model-map.js";
import { type ClassifierSignal, classifyLazily } from "./task-classifier.js";

export type RouteSelector = "task-model" | "alias" | "tier" | "concrete-model" | "task-header" | "classifier";

export interface Route {
  task: TaskKind;
  selector: RouteSelector;
  /**
   * How sure the task decision is, 0–1: 1 when the caller named the task (by model, header or a
   * pinned alias's own task), the classifier's confidence when it decided.
   */
  confidence: number;
  /**
   * The classifier's second choice — the kind that scored best after `task` — when the classifier
   * decided and anything else scored: what a low confidence was torn between.
   */
  runnerUp?: TaskKind;
  /** First rung is where the request starts; the rest is where fallback/escalation may go. */
  ladder: RouteStep[];
  /**
   * Where a request goes when a budget cap refuses a paid rung, best first (`budget-downgrade.ts`);
   * the dispatcher takes the first it has not tried. Empty when nothing may stand in.
   */
  downgrades: readonly RouteStep[];
  /**
   * Why: the selector used and, for the classifier, the signals that decided. A function, called
   * only by whoever explains (`switchyard route`, a log line): ranking and wording the classifier's
   * signals costs more than the decision, and the gateway decides on every request.
   */
  signals: () => string[];
}

export interface RouteInput {
  model: string;
  taskHeader?: string | undefined;
  messages: ChatMessage[];
  hasTools?: boolean;
}

const PREFIX = "switchyard/";
const AUTO_MODELS = new Set(["auto", "switchyard/auto"]);
const TIER_NAME = /^(?:switchyard\/)?tier-?([123])$/;

export class TaskRouter {
  private readonly steps = new Map<string, RouteStep>();
  private readonly aliasLadders = new Map<string, RouteStep[]>();
  private readonly taskLadders = new Map<TaskKind, RouteStep[]>();
  private readonly concreteModels = new Map<string, string>();
  private readonly downgrades: DowngradeSteps;

  constructor(private readonly config: SwitchyardConfig) {
    this.downgrades = new DowngradeSteps(config);
    for (const [alias, entry] of Object.entries(config.aliases)) {
      this.steps.set(alias, aliasStep(config, alias)!);
      if (!this.concreteModels.has(entry.model)) this.concreteModels.set(entry.model, alias);
    }
    for (const alias of this.steps.keys()) this.aliasLadders.set(alias, this.chain(alias));
    for (const task of TASK_KINDS) {
      const entry = config.tasks[task];
      if (!entry) continue;
      const ladder = entry.ladder
        ? [entry.alias, ...entry.ladder.filter((alias) => alias !== entry.alias)]
        : undefined;
      this.taskLadders.set(
        task,
        ladder ? ladder.map((alias) => this.steps.get(alias)!) : this.aliasLadders.get(entry.alias)!,
      );
    }
  }

  /**
   * The first step of a routing plan: the task, its ladder and how sure the decision is. The rest
   * of the plan (tools, context, Opus share) is `RoutePlanner`'s.
   */
  route(input: RouteInput): Route {
    const model = input.model.trim();
    // Claude Code's model names (claude-opus-4-6, …) mean whatever `claude_code:` maps them to.
    const claude =
      this.steps.has(model) || this.concreteModels.has(model)
        ? undefined
        : selectClaudeModel(this.config.claude_code, model, input.messages);
    if (claude) {
      const route = this.route({ ...input, model: claude.model, messages: claude.messages });
      return { ...route, signals: () => [...claude.signals, ...route.signals()] };
    }
    const bare = model.startsWith(PREFIX) ? model.slice(PREFIX.length) : model;

    if (isTaskKind(bare))
      return this.forTask(bare, "task-model", 1, () => [`model names the task kind ${bare}`]);

    const tierMatch = TIER_NAME.exec(model);
    const pinnedAlias = this.steps.has(bare) ? bare : this.steps.has(model) ? model : undefined;
    if (tierMatch || pinnedAlias || this.concreteModels.has(model)) {
      const { task, confidence, runnerUp, signals } = this.taskFromHeaderOrClassifier(input);
      if (tierMatch) {
        const tier = Number(tierMatch[1]) as 1 | 2 | 3;
        const ladder = this.aliasLadders.get(this.aliasForTier(task, tier))!;
        return {
          task,
          selector: "tier",
          confidence,
          ...(runnerUp ? { runnerUp } : {}),
          ladder,
          downgrades: this.downgrades.for(task, ladder),
          signals: () => [`model names tier ${tier}`, ...signals()],
        };
      }
      const alias = pinnedAlias ?? this.concreteModels.get(model)!;
      const selector: RouteSelector = pinnedAlias ? "alias" : "concrete-model";
      const ladder = this.aliasLadders.get(alias)!;
      return {
        task,
        selector,
        confidence,
        ...(runnerUp ? { runnerUp } : {}),
        ladder,
        downgrades: this.downgrades.for(task, ladder),
        signals: () => [
          `model names ${selector === "alias" ? "alias" : "the model of alias"} ${alias}`,
          ...signals(),
        ],
      };
    }

    if (!AUTO_MODELS.has(model)) {
      throw new SwitchyardError(
        "model-not-found",
        `Unknown model "${input.model}". Valid models: ${this.modelNames().join(", ")}`,
        {
          details: { valid_models: this.modelNames() },
        },
      );
    }
    const { task, selector, confidence, runnerUp, signals } = this.taskFromHeaderOrClassifier(input);
    const route = this.forTask(task, selector, confidence, signals);
    return runnerUp ? { ...route, runnerUp } : route;
  }

  /** Every name a caller may put in `model`. */
  modelNames(): string[] {
    return [
      "switchyard/auto",
      ...TASK_KINDS.filter((task) => this.taskLadders.has(task)).map((task) => `${PREFIX}${task}`),
      "switchyard/tier1",
      "switchyard/tier2",
      "switchyard/tier3",
      ...this.steps.keys(),
      ...this.concreteModels.keys(),
    ];
  }

  ladderForTask(task: TaskKind): RouteStep[] {
    return this.taskLadders.get(task) ?? [];
  }

  ladderForAlias(alias: string): RouteStep[] {
    return this.aliasLadders.get(alias) ?? [];
  }

  /** Every configured alias as a rung. */
  allSteps(): IterableIterator<RouteStep> {
    return this.steps.values();
  }

  private forTask(
    task: TaskKind,
    selector: RouteSelector,
    confidence: number,
    signals: () => string[],
  ): Route {
    const ladder = this.taskLadders.get(task);
    if (!ladder) {
      throw new SwitchyardError(
        "invalid-request",
        `Task kind ${task} has no entry under tasks: in the config`,
      );
    }
    return { task, selector, confidence, ladder, downgrades: this.downgrades.for(task, ladder), signals };
  }

  private taskFromHeaderOrClassifier(input: RouteInput): {
    task: TaskKind;
    selector: RouteSelector;
    confidence: number;
    runnerUp?: TaskKind | undefined;
    signals: () => string[];
  } {
    const header = input.taskHeader?.trim();
    if (header) {
      const task = header.startsWith(PREFIX) ? header.slice(PREFIX.length) : header;
      if (!isTaskKind(task)) {
        throw new SwitchyardError(
          "invalid-request",
          `x-switchyard-task: "${header}" is not a task kind; use one of: ${TASK_KINDS.join(", ")}`,
        );
      }
      return {
        task,
        selector: "task-header",
        confidence: 1,
        signals: () => [`x-switchyard-task header names ${task}`],
      };
    }
    const decision = classifyLazily(input.messages, { hasTools: input.hasTools ?? false });
    return {
      task: decision.task,
      selector: "classifier",
      confidence: decision.confidence,
      runnerUp: decision.runnerUp,
      // Signals come strongest first; the top few explain the decision, the rest is noise.
      signals: () => decision.explain().slice(0, 8).map(describeSignal),
    };
  }

  private aliasForTier(task: TaskKind, tier: 1 | 2 | 3): string {
    const fromTask = this.taskLadders.get(task)?.find((step) => step.tier === tier);
    if (fromTask) return fromTask.alias;
    const any = [...this.steps.values()].find((step) => step.tier === tier);
    if (!any) throw new SwitchyardError("model-not-found", `No alias is configured on tier ${tier}`);
    return any.alias;
  }

  private chain(alias: string): RouteStep[] {
    const ladder: RouteStep[] = [];
    let current: string | undefined = alias;
    while (current !== undefined && !ladder.some((step) => step.alias === current)) {
      const step = this.steps.get(current);
      if (!step) break;
      ladder.push(step);
      current = this.config.aliases[current]?.escalate_to;
    }
    return ladder;
  }
}

function describeSignal(signal: ClassifierSignal): string {
  return `${signal.name} → ${signal.task} (+${signal.weight}: ${signal.evidence})`;
}
