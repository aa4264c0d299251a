/**
 * `GET /v1/models` in Anthropic's list shape, for callers that send `anthropic-version` (the
 * Anthropic SDKs, and Claude Code's gateway model discovery, which fills its `/model` picker from
 * the ids that start with `claude` or `anthropic`). The Claude names come first, each described by
 * what `claude_code:` maps it to; then every name the router accepts. One page: `has_more` is false.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import { CLAUDE_CODE_MODEL_NAMES, type ClaudeFamily } from "../routing/claude-model-map.js";

export interface AnthropicModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  description?: string;
}

export interface AnthropicModelList {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

const FAMILY_TITLES: Record<ClaudeFamily, string> = { opus: "Opus", sonnet: "Sonnet", haiku: "Haiku" };

export function anthropicModelList(
  config: SwitchyardConfig,
  routerModelNames: string[],
  createdAt: string,
): AnthropicModelList {
  const claude = (Object.keys(CLAUDE_CODE_MODEL_NAMES) as ClaudeFamily[]).map(
    (family): AnthropicModelInfo => {
      const target = config.claude_code[family];
      return {
        type: "model",
        id: CLAUDE_CODE_MODEL_NAMES[family],
        display_name: `${FAMILY_TITLES[family]} via Switchyard (${target})`,
        created_at: createdAt,
        description: `claude_code.${family}: ${target} — ${describeTarget(target)}`,
      };
    },
  );
  const routed = routerModelNames.map(
    (id): AnthropicModelInfo => ({ type: "model", id, display_name: id, created_at: createdAt }),
  );
  const data = [...claude, ...routed];
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

function describeTarget(target: string): string {
  if (target === "classify") return "routed by task kind, local first";
  if (/^tier-?[123]$/.test(target)) return `pinned to ${target.replace("-", "")}`;
  return `routed as ${target}`;
}
