/**
 * GET /v1/models: the virtual models (switchyard/auto, each task kind, each tier), the aliases and
 * the concrete models behind them, in OpenAI's list shape — or, for a caller that sends
 * `anthropic-version` (Anthropic SDKs, Claude Code), in Anthropic's, with the Claude names first.
 */
import type { FastifyInstance } from "fastify";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { anthropicModelList } from "./anthropic-models.js";

export function registerModelRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  const created = Math.floor(Date.now() / 1000);
  app.get("/v1/models", async (request) => {
    if (request.headers["anthropic-version"]) {
      return anthropicModelList(
        runtime.config,
        runtime.switchyard.planner.router.modelNames(),
        new Date(created * 1000).toISOString(),
      );
    }
    return openAiModelList(runtime, created);
  });
}

function openAiModelList(runtime: SwitchyardRuntime, created: number) {
  return {
    object: "list",
    data: runtime.switchyard.planner.router.modelNames().map((id) => ({
      id,
      object: "model",
      created,
      owned_by:
        id.startsWith("switchyard/") || runtime.config.aliases[id] ? "switchyard" : ownerOf(runtime, id),
    })),
  };
}

function ownerOf(runtime: SwitchyardRuntime, model: string): string {
  const alias = Object.values(runtime.config.aliases).find((entry) => entry.model === model);
  return alias?.backend ?? "unknown";
}
