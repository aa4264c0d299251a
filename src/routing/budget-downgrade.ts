/**
 * Where a request goes when a rung cannot be paid for (a budget cap with `on_exhausted: downgrade`,
 * or the provider's own credit): a step of the routing plan, decided with the rest of it. The
 * stand-ins walk down the tiers, best first: the cheaper paid rungs (an architecture request at the
 * Opus cap tries Sonnet while Sonnet has budget), then the local ones — `budget.downgrade_to` when
 * set, else the ladder's own, the coder for code-shaped work and the reasoner for the rest, then any. The dispatcher takes the first it has not tried that is
 * cheaper than the rung it could not pay for.
 */
import { aliasStep, type RouteStep } from "../config/alias-steps.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { TaskKind } from "../config/task-kinds.js";

/** Tasks that start on Sonnet or Opus but are about code, so a coder model is the better stand-in. */
const CODE_SHAPED_TASKS: ReadonlySet<TaskKind> = new Set(["code-review", "qa-verification"]);

export function downgradeSteps(
  config: SwitchyardConfig,
  task: TaskKind,
  ladder: readonly RouteStep[],
): RouteStep[] {
  const onTier = (tier: number) => [
    ...ladder.filter((step) => step.tier === tier).map((step) => step.alias),
    ...(tier === 1 ? [CODE_SHAPED_TASKS.has(task) ? "local-coder" : "local-reasoner"] : []),
    ...Object.entries(config.aliases)
      .filter(([, alias]) => alias.tier === tier)
      .map(([name]) => name),
  ];
  const candidates = [...onTier(2), config.budget.downgrade_to, ...onTier(1)];
  const steps: RouteStep[] = [];
  for (const alias of candidates) {
    const step = alias ? aliasStep(config, alias) : undefined;
    if (step && step.tier < 3 && !steps.some((existing) => existing.alias === step.alias)) steps.push(step);
  }
  return steps;
}

/**
 * `downgradeSteps` remembered per ladder and task: the router's ladders are a fixed set of arrays,
 * so on the request path this is two map look-ups.
 */
export class DowngradeSteps {
  private readonly known = new WeakMap<readonly RouteStep[], Map<TaskKind, readonly RouteStep[]>>();

  constructor(private readonly config: SwitchyardConfig) {}

  for(task: TaskKind, ladder: readonly RouteStep[]): readonly RouteStep[] {
    let byTask = this.known.get(ladder);
    if (!byTask) {
      byTask = new Map();
      this.known.set(ladder, byTask);
    }
    let steps = byTask.get(task);
    if (!steps) {
      steps = downgradeSteps(this.config, task, ladder);
      byTask.set(task, steps);
    }
    return steps;
  }
}
