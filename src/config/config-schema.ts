/**
 * The shape of switchyard.yaml, validated with zod. Keys are snake_case, exactly as written in the
 * file, so an error's key path is the path a user edits. Cross-field rules (an alias names a known
 * back end, a ladder has no loops, a public address needs a token) are checked here too, so the
 * server never starts on a config that cannot work.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { isClaudeTarget } from "./claude-targets.js";
import { TASK_KINDS } from "./task-kinds.js";
import { toolsSchema } from "./tools-schema.js";
import { workflowsSchema } from "./workflows-schema.js";

const urlString = z.url({ error: "must be a URL such as http://localhost:11434" });

/** An Ollama back end is an Engine: how many requests it takes at once, and how it is watched. */
const engineQueueSchema = z.strictObject({
  /** How long a request may wait for a free slot before it fails (or moves up the ladder). */
  max_wait_ms: z.number().int().min(0).default(30_000),
  /** Requests waiting per alias; one more fails at once. */
  max_depth: z.number().int().min(0).default(64),
  on_timeout: z
    .enum(["next-rung", "error"], { error: 'must be "next-rung" or "error"' })
    .default("next-rung"),
});
const engineHealthSchema = z.strictObject({
  /** How often /api/ps and /api/tags are read; 0 turns polling off (health then comes from requests). */
  poll_interval_ms: z.number().int().min(0).default(15_000),
  failure_threshold: z.number().int().positive().default(3),
  half_open_after_ms: z.number().int().positive().default(20_000),
});
const busyRetrySchema = z.strictObject({
  /** Retries of Ollama's own 503 "server busy" before the rung fails. */
  attempts: z.number().int().min(0).default(2),
  delay_ms: z.number().int().min(0).default(500),
});

const ollamaBackendSchema = z.strictObject({
  type: z.literal("ollama"),
  base_url: urlString,
  /** Milliseconds to wait for the response headers (a cold model load can take a while). */
  first_byte_timeout_ms: z.number().int().positive().default(300_000),
  /** Milliseconds to wait for a whole non-streamed answer (load plus generation): a hang guard. */
  answer_timeout_ms: z.number().int().positive().default(1_800_000),
  /** Requests per model at once: OLLAMA_NUM_PARALLEL on that machine. */
  slots: z.number().int().positive().default(4),
  /** The aliases this Engine answers; default: the aliases whose `backend` is this one. */
  serves: z.array(z.string().min(1)).optional(),
  /** How many models it holds at once (OLLAMA_MAX_LOADED_MODELS, or what memory allows); default: learned. */
  max_loaded_models: z.number().int().positive().optional(),
  /** The machine's memory, to say when an eviction was memory pressure. */
  memory_gb: z.number().positive().optional(),
  /** What its GPU may use, GB (macOS: `iogpu.wired_limit_mb`); default about 75% of `memory_gb`. */
  gpu_memory_gb: z.number().positive().optional(),
  /** Its `OLLAMA_KV_CACHE_TYPE`; q8_0 and q4_0 need `OLLAMA_FLASH_ATTENTION=1`. */
  kv_cache_type: z
    .enum(["f16", "q8_0", "q4_0"], { error: 'must be "f16", "q8_0" or "q4_0" (OLLAMA_KV_CACHE_TYPE)' })
    .default("f16"),
  /** Load every served model with keep_alive -1 at start and after the Engine restarts. */
  warm: z.boolean().default(true),
  queue: engineQueueSchema.prefault({}),
  health: engineHealthSchema.prefault({}),
  busy_retry: busyRetrySchema.prefault({}),
});

const openAiCompatibleBackendSchema = z.strictObject({
  type: z.literal("openai-compatible"),
  flavor: z.enum(["openrouter", "generic"]).default("generic"),
  base_url: urlString,
  api_key: z.string().default(""),
  headers: z.record(z.string(), z.string()).default({}),
  first_byte_timeout_ms: z.number().int().positive().default(120_000),
  /** Milliseconds a whole non-streamed answer may take (headers and body): a hang guard. */
  answer_timeout_ms: z.number().int().positive().default(1_800_000),
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
  /** false for a model that cannot call tools; requests with tools then start elsewhere. */
  tools: z.boolean().optional(),
  escalate_to: z.string().optional(),
});

const taskSchema = z.strictObject({
  alias: z.string().min(1),
  /** An explicit ladder; when absent it is `alias` followed by its `escalate_to` chain. */
  ladder: z.array(z.string().min(1)).min(1).optional(),
});

/** The `claude_code:` section: what each Claude model family means, and Anthropic stream timing. */
const claudeTargetSchema = z.string().min(1);
const claudeCodeSchema = z.strictObject({
  haiku: claudeTargetSchema.default("tier1"),
  sonnet: claudeTargetSchema.default("classify"),
  opus: claudeTargetSchema.default("classify"),
  ping_interval_ms: z.number().int().positive().default(5_000),
  first_byte_wait_ms: z.number().int().min(0).default(250),
});

const usd = z
  .number({ error: "must be an amount in USD, e.g. 100" })
  .min(0, { error: "must be 0 or more (USD)" });

/** The `budget:` section: hard caps, what happens at a cap, alerts, prices and the savings baseline. */
const budgetSchema = z.strictObject({
  monthly_usd: usd.default(100),
  /** Per-alias ceilings inside the monthly total. */
  aliases: z.record(z.string(), usd).default({ "cloud-sonnet": 60, "cloud-opus": 30 }),
  reset_day: z.number().int().min(1).max(28, { error: "must be a day from 1 to 28" }).default(1),
  time_zone: z.string().min(1).default("UTC"),
  on_exhausted: z
    .enum(["downgrade", "reject"], { error: 'must be "downgrade" or "reject"' })
    .default("downgrade"),
  /** The local alias a downgraded request runs on; empty: chosen per task. */
  downgrade_to: z.string().default(""),
  alert_thresholds: z.array(z.number().positive().max(1000)).default([50, 80, 100]),
  alerts: z
    .strictObject({
      log: z.boolean().default(true),
      webhooks: z
        .array(
          z.strictObject({
            url: urlString,
            format: z.enum(["json", "ntfy", "slack"]).default("json"),
            headers: z.record(z.string(), z.string()).default({}),
          }),
        )
        .default([]),
    })
    .prefault({}),
  /** How often OpenRouter's /key is checked; 0 turns the check off. */
  key_check_interval_minutes: z.number().min(0).default(5),
  max_request_minutes: z.number().positive().default(60),
  /**
   * The most headroom a Brain reserves at once for many paid requests, beyond what its requests in
   * flight hold, percent of the tightest cap (block-reservations.ts); 0 reserves each on its own.
   */
  reservation_block_percent: z
    .number()
    .min(0)
    .max(20, { error: "must be a percent from 0 to 20 (0 reserves each request on its own)" })
    .default(5),
  catalog: z
    .strictObject({
      path: z.string().default(""),
      max_age_hours: z.number().positive().default(24),
      sync_on_start: z.boolean().default(true),
    })
    .prefault({}),
  subscription_usd: usd.default(200),
  electricity: z
    .strictObject({
      watts: z.record(z.string(), z.number().min(0)).default({ engine: 100, brain: 30 }),
      hours_per_day: z.number().min(0).max(24).default(24),
      usd_per_kwh: usd.default(0.15),
    })
    .prefault({}),
});

/**
 * The `gates:` section: per task kind, the quality checks an answer must pass, cheapest first.
 * Structural checks are free and on for every task unless turned off; the others cost time or money.
 */
const gateTaskSchema = z.strictObject({
  structural: z.boolean().default(true),
  /** `false` turns off a default gate. */
  executable: z
    .union([
      z.literal(false),
      z
        .strictObject({
          /** Shell commands run in a scratch directory holding the answer's code, e.g. `tsc --noEmit answer.ts`. */
          commands: z.array(z.string().min(1)).default([]),
          /** Check each file by its language (`node --check`, `tsc`, `python3 -m py_compile`) with the toolchains found. */
          auto: z.boolean().default(false),
          timeout_ms: z.number().int().positive().default(60_000),
        })
        .refine((executable) => executable.auto || executable.commands.length > 0, {
          error: "must list at least one command, or set auto: true",
        }),
    ])
    .optional(),
  judge: z
    .union([
      z.literal(false),
      z.strictObject({
        /**
         * The grading alias: "next" is the rung above the one that answered, "local" the other local
         * model (free), or an alias name.
         */
        alias: z.string().min(1).default("next"),
        /** Scores (0-10) below this fail the answer. */
        threshold: z.number().min(0).max(10).default(7),
        /** What a good answer looks like; empty uses the built-in rubric for the task kind. */
        rubric: z.string().default(""),
        /** Only answers from these tiers are judged; empty: every tier. */
        tiers: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).default([]),
      }),
    ])
    .optional(),
});

/** The `escalation:` section: the ladder climbed on a failed gate, its limits, and the Opus share. */
const escalationSchema = z.strictObject({
  enabled: z.boolean().default(true),
  max_hops: z.number().int().min(0).max(5, { error: "must be 0 to 5" }).default(2),
  /** Collect streamed answers, gate and escalate them, then stream the final one. */
  buffer_streams: z.boolean().default(false),
  /** The x-switchyard-check header runs caller-named commands on the Brain: off unless trusted. */
  allow_check_header: z.boolean().default(false),
  check_timeout_ms: z.number().int().positive().default(60_000),
  /** How much of a rejected answer the next rung is shown. */
  feedback_answer_chars: z.number().int().positive().default(4_000),
  opus_share: z
    .strictObject({
      target: z.number().min(0).max(1, { error: "must be a share from 0 to 1, e.g. 0.05" }).default(0.05),
      window_minutes: z.number().positive().default(1_440),
      /** Below this many calls in the window the share is noise: no guarding. */
      min_requests: z.number().int().min(0).default(20),
      /** A classifier's tier-3 pick under this confidence is borderline. */
      borderline_confidence: z.number().min(0).max(1).default(0.6),
    })
    .prefault({}),
  calibration: z
    .strictObject({
      days: z.number().int().positive().default(30),
      min_samples: z.number().int().positive().default(30),
      /** Move a task down a tier when the cheaper alias's pass rate (lower 95% bound) reaches this. */
      move_down_at: z.number().min(0).max(1).default(0.9),
      /** Move a task up when its starting alias's pass rate (upper 95% bound) is below this. */
      move_up_below: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
});

const portSchema = z
  .number({ error: "must be a port number between 1 and 65535" })
  .int()
  .min(0)
  .max(65535, { error: "must be a port number between 1 and 65535" });

const configObjectSchema = z.strictObject({
  server: z.strictObject({
    host: z.string().min(1),
    port: portSchema,
    auth_tokens: z.array(z.string()).default([]),
    /**
     * A file of bearer tokens (one a line, mode 0600) read at start and added to auth_tokens:
     * how a service gets its token without it sitting in a plist, a unit or the config.
     */
    auth_tokens_file: z.string().default(""),
    body_limit_mb: z.number().positive().default(32),
    /** On SIGTERM/SIGINT, how long answers in flight may take before their connections are closed. */
    shutdown_grace_seconds: z.number().min(0).default(30),
    /**
     * Names besides this machine's own that `/mcp` and the dashboard accept in `Host` and `Origin`
     * (DNS-rebinding protection), e.g. the name the Workstation uses for the Brain when DNS gives it another.
     */
    allowed_hosts: z
      .array(z.string().min(1, { error: "must be a host name such as brain.local" }))
      .default([]),
  }),
  backends: z.record(z.string(), backendSchema),
  aliases: z.record(z.string(), aliasSchema),
  tasks: z.record(
    z.enum(TASK_KINDS, { error: `must be one of the 15 task kinds: ${TASK_KINDS.join(", ")}` }),
    taskSchema,
  ),
  routing: z.strictObject({ fallback: z.boolean().default(true) }).default({ fallback: true }),
  claude_code: claudeCodeSchema.prefault({}),
  budget: budgetSchema.prefault({}),
  gates: z
    .partialRecord(
      z.enum(TASK_KINDS, { error: `must be one of the 15 task kinds: ${TASK_KINDS.join(", ")}` }),
      gateTaskSchema,
    )
    .default({}),
  escalation: escalationSchema.prefault({}),
  /** Where the ledger and budget live: empty for SQLite in the data dir, a file path, or postgres://. */
  database: z.strictObject({ url: z.string().default("") }).prefault({}),
  /** MCP servers whose tools models may use (tools-schema.ts). */
  tools: toolsSchema.prefault({}),
  /** Development workflows: retention, fan-out width, commands, prompts (workflows-schema.ts). */
  workflows: workflowsSchema.prefault({}),
  /** The browser dashboard at / (pages, live feed, data endpoints). */
  dashboard: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** A browser session ends after this many hours without a request. */
      session_hours: z.number().positive({ error: "must be a positive number of hours" }).default(12),
    })
    .prefault({}),
  /** Prometheus metrics at /metrics. */
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** true: /metrics answers without a token (for a scraper on a trusted network). */
      public: z.boolean().default(false),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    })
    .default({ level: "info" }),
});

export const configSchema = configObjectSchema
  // Cross-field rules. Each runs when the parts of the config it reads are valid, whatever else is
  // wrong, so a bad port does not hide an unknown alias: `config check` lists every problem at once.
  .superRefine((config, context) => checkAliasReferences(config, context), {
    when: sectionsValid(["aliases"], ["backends"]),
  })
  .superRefine((config, context) => checkEngineServes(config, context), {
    when: sectionsValid(["aliases", "backends"]),
  })
  .superRefine(
    (config, context) => {
      for (const [id, backend] of Object.entries(config.backends)) {
        if (
          backend.type !== "ollama" ||
          backend.gpu_memory_gb === undefined ||
          backend.memory_gb === undefined
        )
          continue;
        if (backend.gpu_memory_gb > backend.memory_gb) {
          context.addIssue({
            code: "custom",
            path: ["backends", id, "gpu_memory_gb"],
            input: backend.gpu_memory_gb,
            message: `must be at most memory_gb (${backend.memory_gb}): the GPU shares the machine's memory`,
          });
        }
      }
    },
    { when: sectionsValid(["backends"]) },
  )
  .superRefine((config, context) => checkTaskAliases(config, context), {
    when: sectionsValid(["tasks"], ["aliases"]),
  })
  .superRefine(
    (config, context) => {
      for (const family of ["haiku", "sonnet", "opus"] as const) {
        const target = config.claude_code[family];
        if (!isClaudeTarget(target, config.aliases)) {
          context.addIssue({
            code: "custom",
            path: ["claude_code", family],
            input: target,
            message: `must be "classify", "tier1", "tier2", "tier3", an alias (${Object.keys(config.aliases).join(", ")}) or a task kind`,
          });
        }
      }
    },
    { when: sectionsValid(["claude_code"], ["aliases"]) },
  )
  .superRefine((config, context) => checkBudgetAliases(config, context), {
    when: sectionsValid(["budget.aliases", "budget.downgrade_to"], ["aliases"]),
  })
  .superRefine(
    (config, context) => {
      if (!isTimeZone(config.budget.time_zone)) {
        context.addIssue({
          code: "custom",
          path: ["budget", "time_zone"],
          input: config.budget.time_zone,
          message: "must be an IANA time zone such as UTC, Europe/Berlin or America/New_York",
        });
      }
    },
    { when: sectionsValid(["budget.time_zone"]) },
  )
  .superRefine(
    (config, context) => {
      for (const [task, gates] of Object.entries(config.gates)) {
        const judge = gates?.judge ? gates.judge.alias : undefined;
        if (
          judge !== undefined &&
          judge !== "next" &&
          judge !== "local" &&
          !Object.hasOwn(config.aliases, judge)
        ) {
          context.addIssue({
            code: "custom",
            path: ["gates", task, "judge", "alias"],
            input: judge,
            message: `must be "next" (the rung above) or a configured alias: ${Object.keys(config.aliases).join(", ")}`,
          });
        }
      }
    },
    { when: sectionsValid(["gates"], ["aliases"]) },
  )
  .superRefine(
    (config, context) => {
      const hasTokens =
        config.server.auth_tokens.filter(Boolean).length > 0 || config.server.auth_tokens_file;
      if (!isLoopbackHost(config.server.host) && !hasTokens) {
        context.addIssue({
          code: "custom",
          path: ["server", "auth_tokens"],
          input: config.server.auth_tokens,
          message: `must hold at least one token when server.host is "${config.server.host}" (not loopback): anyone on the network could spend your budget. Add a token (or server.auth_tokens_file), or listen on 127.0.0.1`,
        });
      }
    },
    { when: sectionsValid(["server.host", "server.auth_tokens", "server.auth_tokens_file"]) },
  );

export type SwitchyardConfig = z.output<typeof configSchema>;
export type BackendConfig = SwitchyardConfig["backends"][string];
export type AliasConfig = SwitchyardConfig["aliases"][string];
export type GateTaskConfig = z.output<typeof gateTaskSchema>;
export type EscalationConfig = SwitchyardConfig["escalation"];

/**
 * A `when` for a cross-field rule: the parts it reads (key paths such as `budget.time_zone`) came
 * through without an issue, and the `named` sections are mappings — the rule reads only their keys,
 * so a bad value inside one does not stop it.
 */
function sectionsValid(valid: readonly string[], named: readonly string[] = []) {
  const paths = valid.map((path) => path.split("."));
  // An issue at or under a path read, or above it (the section itself missing or not a mapping).
  const overlaps = (issuePath: readonly PropertyKey[], path: readonly string[]) =>
    issuePath.slice(0, path.length).every((key, index) => String(key) === path[index]);
  return (payload: z.core.ParsePayload): boolean => {
    const config = payload.value;
    if (typeof config !== "object" || config === null) return false;
    if (payload.issues.some((issue) => paths.some((path) => overlaps(issue.path ?? [], path)))) return false;
    return named.every((section) => {
      const value = (config as Record<string, unknown>)[section];
      return typeof value === "object" && value !== null && !Array.isArray(value);
    });
  };
}

type CheckedConfig = z.output<typeof configObjectSchema>;

/** Each alias names a configured back end and escalates to a configured alias, never in a loop. */
function checkAliasReferences(config: CheckedConfig, context: z.RefinementCtx): void {
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
}

/** Each task's alias and ladder name configured aliases. */
function checkTaskAliases(config: CheckedConfig, context: z.RefinementCtx): void {
  for (const [task, entry] of Object.entries(config.tasks)) {
    for (const [index, alias] of [entry.alias, ...(entry.ladder ?? [])].entries()) {
      if (!Object.hasOwn(config.aliases, alias)) {
        context.addIssue({
          code: "custom",
          path: index === 0 ? ["tasks", task, "alias"] : ["tasks", task, "ladder", index - 1],
          input: alias,
          message: `names no configured alias; use one of: ${Object.keys(config.aliases).join(", ")}`,
        });
      }
    }
  }
}

/** Alias ceilings name configured aliases; a downgrade goes to a local (tier-1) one. */
function checkBudgetAliases(config: CheckedConfig, context: z.RefinementCtx): void {
  for (const alias of Object.keys(config.budget.aliases)) {
    if (!Object.hasOwn(config.aliases, alias)) {
      context.addIssue({
        code: "custom",
        path: ["budget", "aliases", alias],
        input: alias,
        message: `names no configured alias; use one of: ${Object.keys(config.aliases).join(", ")}`,
      });
    }
  }
  if (config.budget.downgrade_to && config.aliases[config.budget.downgrade_to]?.tier !== 1) {
    context.addIssue({
      code: "custom",
      path: ["budget", "downgrade_to"],
      input: config.budget.downgrade_to,
      message: "must name a tier-1 (local) alias, or be empty to choose one per task",
    });
  }
}

/** `serves` names aliases on Ollama back ends, and every such alias has at least one Engine. */
function checkEngineServes(config: EnginesView, context: z.RefinementCtx): void {
  const served = new Set<string>();
  for (const [id, backend] of Object.entries(config.backends)) {
    if (backend.type !== "ollama") continue;
    const aliases =
      backend.serves ?? Object.keys(config.aliases).filter((alias) => config.aliases[alias]?.backend === id);
    for (const [index, alias] of aliases.entries()) {
      served.add(alias);
      const entry = config.aliases[alias];
      if (backend.serves && config.backends[entry?.backend ?? ""]?.type !== "ollama") {
        context.addIssue({
          code: "custom",
          path: ["backends", id, "serves", index],
          input: alias,
          message: `must name an alias on an Ollama back end; use one of: ${localAliases(config).join(", ")}`,
        });
      }
    }
  }
  for (const alias of localAliases(config)) {
    if (served.has(alias)) continue;
    context.addIssue({
      code: "custom",
      path: ["aliases", alias, "backend"],
      input: config.aliases[alias]?.backend,
      message:
        "is an Engine whose `serves` leaves this alias out, and no other Engine serves it; add it to a `serves` list",
    });
  }
}

/** The slice of the config the Engine checks read (typed apart from the schema it refines). */
interface EnginesView {
  backends: Record<string, { type: string; serves?: string[] | undefined }>;
  aliases: Record<string, { backend: string }>;
}

function localAliases(config: EnginesView): string[] {
  return Object.keys(config.aliases).filter(
    (alias) => config.backends[config.aliases[alias]?.backend ?? ""]?.type === "ollama",
  );
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1";
  return false;
}
