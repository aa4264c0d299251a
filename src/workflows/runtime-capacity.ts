/**
 * The fan-out limiter's view of a running Switchyard: the slots of the Engines that are up and
 * serve an alias (from the fleet's snapshot), the room the budget has left for it, and what one
 * request can cost there at worst (prompt bytes, each at most a token, plus `max_tokens`, at the
 * catalog's prices: the bound the budget itself reserves with).
 */
import { priceOf } from "../budget/model-catalog.js";
import { worstCaseCostUsd } from "../budget/request-cost.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import type { FanOutCapacity } from "./fan-out-limiter.js";

export function runtimeCapacity(runtime: SwitchyardRuntime): FanOutCapacity {
  return {
    engineSlots(alias) {
      const snapshot = runtime.engines?.snapshot();
      if (!snapshot) return undefined;
      let slots = 0;
      let serves = false;
      for (const engine of snapshot.engines) {
        for (const model of engine.models) {
          if (!model.aliases.includes(alias)) continue;
          serves = true;
          if (engine.state !== "down") slots += model.slots;
        }
      }
      return serves ? slots : undefined;
    },
    async budgetRoomUsd(alias) {
      const status = await runtime.budget.status();
      const ceiling = status.lines.find((line) => line.budget === alias);
      return Math.min(status.effectiveRemainingUsd, ceiling?.remainingUsd ?? Number.POSITIVE_INFINITY);
    },
  };
}

/** What one request of this size can cost on `alias` at worst, USD; 0 on a local or unpriced alias. */
export function runtimeWorstCase(runtime: SwitchyardRuntime) {
  return (alias: string, promptChars: number, maxTokens: number): number => {
    const entry = runtime.config.aliases[alias];
    if (!entry || runtime.config.backends[entry.backend]?.type !== "openai-compatible") return 0;
    const price = priceOf(runtime.catalog(), entry.model);
    if (!price) return 0;
    // UTF-8 bytes bound tokens from above; a character is at most 4 bytes.
    return worstCaseCostUsd({ price, promptTokens: promptChars * 4, maxOutputTokens: maxTokens });
  };
}
