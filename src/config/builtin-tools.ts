/**
 * The built-in MCP servers (git, fs, db) and every tool each has, without the schema around them:
 * `switchyard mcp-server`'s help names the kinds, and loading zod for that would slow every
 * command's start. tools-schema.ts validates the config against these.
 */

/** Every tool each built-in server has, and which of them write (off unless `writes: true`). */
export const BUILTIN_TOOLS = {
  git: {
    tools: [
      "status",
      "diff",
      "log",
      "show",
      "branch",
      "worktree_add",
      "worktree_list",
      "worktree_remove",
      "add",
      "commit",
    ],
    writes: ["add", "commit"],
  },
  fs: { tools: ["read", "write", "edit", "list", "search", "stat"], writes: ["write", "edit"] },
  db: { tools: ["databases", "tables", "query"], writes: [] },
} as const satisfies Record<string, { tools: readonly string[]; writes: readonly string[] }>;

export type BuiltinServerKind = keyof typeof BUILTIN_TOOLS;
export const BUILTIN_SERVER_KINDS = Object.keys(BUILTIN_TOOLS) as BuiltinServerKind[];
