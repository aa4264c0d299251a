/**
 * The shape of switchyard.yaml, validated with zod. Keys are snake_case, exactly as written in the
 * file, so an error's key path is the path a user edits. Cross-field rules (an alias names a known
 * back end, a ladder has no loops, a public address needs a token) are checked here too, so the
 * server never starts on a config that cannot work.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { TASK_KINDS } from "../routing/task-kinds.js";

const urlString = z.url({ error: "must be a URL such as http://localhost:11434" });

const ollamaBackendSchema = z.strictObject({
  type: z.literal("ollama"),
  base_url: urlString,
  /** Milliseconds to wait for the response headers (a cold model load can take a while). */
  first_byte_timeout_ms: z.number().int().positive().default(300_000),
});

const openAiCompatibleBackendSchema = z.strictObject({
  type: z.literal("openai-compatible"),
  flavor: z.enum(["openrouter", "generic"]).default("generic"),
  base_url: urlString,
  api_key: z.string().default(""),
  headers: z.record(z.string(), z.string()).default({}),
  first_byte_timeout_ms: z.number().int().positive().default(120_000),
});

const backendSchema = z.discriminatedUnion("type", [ollamaBackendSchema, openAiCompatibleBackendSchema], {
  error: 'must have type "ollama" or "openai-compatible"',
});

const aliasSchema = z.strictObject({
  backend: z.string().min(1),
  model: z.string().min(1, { error: "must name the upstream model, e.g. qwen2.5-coder:32b" }),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: "must be 1, 2 or 3" }),
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  think: z.boolean().optional(),
  escalate_to: z.string().optional(),
});

const taskSchema = z.strictObject({
  alias: z.string().min(1),
  /** An explicit ladder; when absent it is `alias` followed by its `escalate_to` chain. */
  ladder: z.array(z.string().min(1)).min(1).optional(),
});

const portSchema = z
  .number({ error: "must be a port number between 1 and 65535" })
  .int()
  .min(0)
  .max(65535, { error: "must be a port number between 1 and 65535" });

export const configSchema = z
  .strictObject({
    server: z.strictObject({
      host: z.string().min(1),
      port: portSchema,
      auth_tokens: z.array(z.string()).default([]),
      body_limit_mb: z.number().positive().default(32),
    }),
    backends: z.record(z.string(), backendSchema),
    aliases: z.record(z.string(), aliasSchema),
    tasks: z.record(
      z.enum(TASK_KINDS, { error: `must be one of the 15 task kinds: ${TASK_KINDS.join(", ")}` }),
      taskSchema,
    ),
    routing: z.strictObject({ fallback: z.boolean().default(true) }).default({ fallback: true }),
    ledger: z.strictObject({ path: z.string().default("") }).default({ path: "" }),
    logging: z
      .strictObject({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
      })
      .default({ level: "info" }),
  })
  .superRefine((config, context) => {
    for (const [name, alias] of Object.entries(config.aliases)) {
      if (!config.backends[alias.backend]) {
        context.addIssue({
          code: "custom",
          path: ["aliases", name, "backend"],
          input: alias.backend,
          message: `names no configured back end; use one of: ${Object.keys(config.backends).join(", ")}`,
        });
      }
      if (alias.escalate_to !== undefined && !config.aliases[alias.escalate_to]) {
        context.addIssue({
          code: "custom",
          path: ["aliases", name, "escalate_to"],
          input: alias.escalate_to,
          message: `names no configured alias; use one of: ${Object.keys(config.aliases).join(", ")}`,
        });
      }
    }
    for (const name of Object.keys(config.aliases)) {
      const seen = new Set<string>();
      let current: string | undefined = name;
      while (current !== undefined && config.aliases[current]) {
        if (seen.has(current)) {
          context.addIssue({
            code: "custom",
            path: ["aliases", name, "escalate_to"],
            input: config.aliases[name]?.escalate_to,
            message: `forms a loop (${[...seen, current].join(" → ")}); the ladder must only go up`,
          });
          break;
        }
        seen.add(current);
        current = config.aliases[current]?.escalate_to;
      }
    }
    for (const [task, entry] of Object.entries(config.tasks)) {
      for (const [index, alias] of [entry.alias, ...(entry.ladder ?? [])].entries()) {
        if (!config.aliases[alias]) {
          context.addIssue({
            code: "custom",
            path: index === 0 ? ["tasks", task, "alias"] : ["tasks", task, "ladder", index - 1],
            input: alias,
            message: `names no configured alias; use one of: ${Object.keys(config.aliases).join(", ")}`,
          });
        }
      }
    }
    if (!isLoopbackHost(config.server.host) && config.server.auth_tokens.filter(Boolean).length === 0) {
      context.addIssue({
        code: "custom",
        path: ["server", "auth_tokens"],
        input: config.server.auth_tokens,
        message: `must hold at least one token when server.host is "${config.server.host}" (not loopback): anyone on the network could spend your budget. Add a token, or listen on 127.0.0.1`,
      });
    }
  });

export type SwitchyardConfig = z.output<typeof configSchema>;
export type BackendConfig = SwitchyardConfig["backends"][string];
export type AliasConfig = SwitchyardConfig["aliases"][string];

export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1";
  return false;
}
