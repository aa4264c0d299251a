/**
 * A configured alias resolved to what answers it: the concrete model, the back end and the tier.
 * Every ladder is a list of these; this is the one place that builds one from the config.
 */
import type { SwitchyardConfig } from "./config-schema.js";

/** One rung of a ladder: an alias resolved to its back end and concrete model. */
export interface RouteStep {
  alias: string;
  model: string;
  backend: string;
  tier: 1 | 2 | 3;
}

/** The rung for `alias`, or undefined when the config has no such alias. */
export function aliasStep(config: SwitchyardConfig, alias: string): RouteStep | undefined {
  const entry = Object.hasOwn(config.aliases, alias) ? config.aliases[alias] : undefined;
  return entry ? { alias, model: entry.model, backend: entry.backend, tier: entry.tier } : undefined;
}
