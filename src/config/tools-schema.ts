/**
 * The `tools:` section of switchyard.yaml: the MCP servers Switchyard may call, how to reach each
 * (a built-in server, a command over stdio, or a Streamable HTTP URL), which of their tools are
 * allowed, and the hub's time limits and restart backoff. The built-in servers' tool names
 * (builtin-tools.ts) are checked here too, so a misspelt allow-list entry fails `config check`, not
 * the first request.
 */
import { z } from "zod";
import { BUILTIN_SERVER_KINDS, BUILTIN_TOOLS, type BuiltinServerKind } from "./builtin-tools.js";
import { TASK_KINDS } from "./task-kinds.js";

export { BUILTIN_SERVER_KINDS, BUILTIN_TOOLS, type BuiltinServerKind };

const SERVER_NAME = /^[a-z0-9][a-z0-9_-]*$/;

const allowSchema = z
  .array(z.string().min(1, { error: 'must be a tool name or "*"' }))
  .default([])
  .describe("The tools of this server a model may use; empty exposes none.");

const pathSchema = z.string().min(1, { error: "must be a directory path, e.g. /home/me/src/app" });

/** Largest `arguments` object a built-in server accepts in one call, in bytes of JSON. */
const maxArgumentBytes = z
  .number()
  .int()
  .positive()
  .default(2 * 1024 * 1024);

const gitSettingsSchema = z.strictObject({
  builtin: z.literal("git"),
  /** Repositories by name; a tool's `repository` argument picks one (optional when there is one). */
  repositories: z
    .record(z.string().min(1), pathSchema)
    .refine((repositories) => Object.keys(repositories).length > 0, {
      error: "must name at least one repository, e.g. { app: /home/me/src/app }",
    }),
  /** Branches made by worktree_add are `<branch_prefix><name>`. */
  branch_prefix: z.string().min(1).default("switchyard/"),
  /** Where worktree_add puts worktrees; empty: `<repository>.worktrees/` beside each repository. */
  worktree_directory: z.string().default(""),
  writes: z.boolean().default(false),
  /** Output longer than this is cut, with a note saying so. */
  max_output_bytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Each git command is killed after this long. */
  timeout_ms: z.number().int().positive().default(30_000),
  max_argument_bytes: maxArgumentBytes,
  allow: allowSchema,
});

const fsSettingsSchema = z.strictObject({
  builtin: z.literal("fs"),
  /** Directories the tools may read; nothing outside them (symlinks included) is reachable. */
  roots: z.array(pathSchema).min(1, { error: "must list at least one directory, e.g. [/home/me/src/app]" }),
  /** Where writes may land, each inside a root; default: every root (when `writes` is on). */
  write_roots: z.array(pathSchema).optional(),
  writes: z.boolean().default(false),
  max_read_bytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  max_write_bytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Entries a list returns and matches a search returns, at most. */
  max_results: z.number().int().positive().default(200),
  max_argument_bytes: maxArgumentBytes,
  allow: allowSchema,
});

const dbSettingsSchema = z.strictObject({
  builtin: z.literal("db"),
  /** Databases by name: a SQLite file path or a postgres:// URL. Tools pick one by name only. */
  databases: z
    .record(
      z.string().min(1),
      z.string().min(1, { error: "must be a SQLite file path or a postgres:// URL" }),
    )
    .refine((databases) => Object.keys(databases).length > 0, {
      error: "must name at least one database, e.g. { ledger: /var/lib/app/app.db }",
    }),
  max_rows: z.number().int().positive().default(500),
  /** Each query is stopped after this long (PostgreSQL statement_timeout; SQLite's runner is killed). */
  timeout_ms: z.number().int().positive().default(10_000),
  max_argument_bytes: maxArgumentBytes,
  allow: allowSchema,
});

const commandServerSchema = z.strictObject({
  command: z.string().min(1, { error: "must name the program to run, e.g. npx" }),
  args: z.array(z.string()).default([]),
  /** Added to a minimal environment (PATH, HOME, …); the rest of ours is not passed on. */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().min(1).optional(),
  allow: allowSchema,
});

const urlServerSchema = z.strictObject({
  url: z.url({
    protocol: /^https?$/,
    error: "must be an http:// or https:// URL, e.g. http://127.0.0.1:3000/mcp",
  }),
  headers: z.record(z.string(), z.string()).default({}),
  allow: allowSchema,
});

const builtinSchemas = { git: gitSettingsSchema, fs: fsSettingsSchema, db: dbSettingsSchema } as const;

export type GitServerSettings = z.output<typeof gitSettingsSchema>;
export type FsServerSettings = z.output<typeof fsSettingsSchema>;
export type DbServerSettings = z.output<typeof dbSettingsSchema>;
export type BuiltinServerSettings = GitServerSettings | FsServerSettings | DbServerSettings;
export type CommandServerConfig = z.output<typeof commandServerSchema>;
export type UrlServerConfig = z.output<typeof urlServerSchema>;
export type ToolServerConfig = BuiltinServerSettings | CommandServerConfig | UrlServerConfig;

/** The schema a built-in server's settings are checked with (also when passed to `mcp-server`). */
export function builtinSettingsSchema(kind: BuiltinServerKind): z.ZodType<BuiltinServerSettings> {
  return builtinSchemas[kind];
}

/**
 * One server entry. The keys present say which kind it is (`builtin`, `command` or `url`), and
 * the entry is then checked against that kind's schema, so an error names the exact key.
 */
const toolServerSchema = z.unknown().transform((value, context): ToolServerConfig => {
  const schema = serverSchemaFor(value);
  if (schema === undefined) {
    context.addIssue({
      code: "custom",
      input: value,
      message: `must say how to reach the server: builtin: ${BUILTIN_SERVER_KINDS.join("|")}, command: <program>, or url: http://…`,
    });
    return z.NEVER;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) context.addIssue({ ...issue });
    return z.NEVER;
  }
  const server = result.data;
  checkAllowList(server, context);
  return server;
});

function serverSchemaFor(value: unknown): z.ZodType<ToolServerConfig> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if ("builtin" in value) {
    const kind = (value as { builtin: unknown }).builtin;
    return typeof kind === "string" && kind in builtinSchemas
      ? builtinSchemas[kind as BuiltinServerKind]
      : (z.strictObject({
          builtin: z.enum(BUILTIN_SERVER_KINDS, {
            error: `must be one of: ${BUILTIN_SERVER_KINDS.join(", ")}`,
          }),
        }) as unknown as z.ZodType<ToolServerConfig>);
  }
  if ("command" in value) return commandServerSchema;
  if ("url" in value) return urlServerSchema;
  return undefined;
}

/** A built-in's allow-list names its real tools, and a write tool only where writes are on. */
function checkAllowList(server: ToolServerConfig, context: z.RefinementCtx): void {
  if (!("builtin" in server)) return;
  const { tools, writes } = BUILTIN_TOOLS[server.builtin];
  const writesOn = "writes" in server && server.writes;
  for (const [index, entry] of server.allow.entries()) {
    if (entry === "*") continue;
    if (!(tools as readonly string[]).includes(entry)) {
      context.addIssue({
        code: "custom",
        path: ["allow", index],
        input: entry,
        message: `is not a ${server.builtin} tool; use "*" or some of: ${tools.join(", ")}`,
      });
    } else if ((writes as readonly string[]).includes(entry) && !writesOn) {
      context.addIssue({
        code: "custom",
        path: ["allow", index],
        input: entry,
        message: `writes; set writes: true on this server to allow it, or take it off the list`,
      });
    }
  }
}

export const toolsSchema = z
  .strictObject({
    /** A tool call's time limit unless the caller gives one. */
    call_timeout_ms: z.number().int().positive().default(60_000),
    /** How long a server may take to start and list its tools. */
    start_timeout_ms: z.number().int().positive().default(30_000),
    /** A tool's answer longer than this is cut before it reaches a model, with a note saying so. */
    max_result_chars: z.number().int().positive().default(100_000),
    /** After a crash: the first restart waits initial_delay_ms, each failed one twice as long. */
    restart: z
      .strictObject({
        initial_delay_ms: z.number().int().positive().default(500),
        max_delay_ms: z.number().int().positive().default(30_000),
        /** Failed restarts in a row before the hub stops trying until a tool is asked for. */
        max_attempts: z.number().int().positive().default(5),
      })
      .prefault({}),
    servers: z.record(z.string(), toolServerSchema).default({}),
    /**
     * The agent tool loop a request runs when it names hub tools (`x-switchyard-tools`) or its task
     * has defaults here: model turns at most, and the whole loop's time limit.
     */
    loop: z
      .strictObject({
        max_steps: z.number().int().min(1).max(50, { error: "must be 1 to 50" }).default(8),
        timeout_ms: z.number().int().positive().default(600_000),
      })
      .prefault({}),
    /** Hub tools a task kind gets when the request names none, e.g. `bug-hunting: ["fs.read", "fs.search"]`. */
    tasks: z.partialRecord(z.enum(TASK_KINDS), z.array(z.string().min(1)).min(1)).default({}),
  })
  .superRefine((tools, context) => {
    for (const name of Object.keys(tools.servers)) {
      if (!SERVER_NAME.test(name)) {
        context.addIssue({
          code: "custom",
          path: ["servers", name],
          input: name,
          message:
            "is not a usable server name: use lower-case letters, digits, - and _ (no dots: tools are named <server>.<tool>)",
        });
      }
    }
  });

export type ToolsConfig = z.output<typeof toolsSchema>;
