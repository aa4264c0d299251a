/**
 * Where a request goes when a budget cap stops it from running on a paid model (`on_exhausted:
 * downgrade`): the best local alias for its task. Code-shaped work goes to the coder, the rest to
 * the reasoner, unless `budget.downgrade_to` names one alias for everything.
 */

import { aliasStep, type RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { TaskKind } from "../config/task-kinds.js";

/** Tasks that start on Sonnet or Opus but are about code, so a coder model is the better stand-in. */
const CODE_SHAPED_TASKS: ReadonlySet<TaskKind> = new Set(["code-review", "qa-verification"]);

export function downgradeStep(
  config: SwitchyardConfig,
  task: TaskKind,
  ladder: readonly RouteStep[],
  alreadyTried: ReadonlySet<string>,
): RouteStep | undefined {
  const candidates = [
    config.budget.downgrade_to,
    ...ladder.filter((step) => step.tier === 1).map((step) => step.alias),
    CODE_SHAPED_TASKS.has(task) ? "local-coder" : "local-reasoner",
    ...Object.entries(config.aliases)
      .filter(([, alias]) => alias.tier === 1)
      .map(([name]) => name),
  ];
  for (const alias of candidates) {
    const step = alias ? aliasStep(config, alias) : undefined;
    if (step?.tier === 1 && !alreadyTried.has(step.alias)) return step;
  }
  return undefined;
}
