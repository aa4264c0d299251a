/**
 * A run's own MCP hub: the built-in git server on the run's repository (writes on, so it can make
 * the run's worktree and commit there) and the fs server rooted at the run's worktree — or, for a
 * read-only run, at the repository or folder it reads — so every file a workflow reads or writes
 * goes through the hub, confined to that one tree and never the user's working tree. Servers
 * start on first use and stop when the run pauses or ends. Model-driven tools (a step's `tools`)
 * are the spine's, from the Brain's own `tools:` section.
 */
import { basename, join, resolve } from "node:path";
import type { ToolsConfig } from "../config/tools-schema.js";
import { toolsSchema } from "../config/tools-schema.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import { McpToolHub } from "../tools/mcp-tool-hub.js";
import type { ToolHub } from "../tools/tool-hub.js";
import type { ToolServerSpares } from "../tools/tool-server-spares.js";
import type { BuiltinLauncher } from "../tools/tool-server-specs.js";

export interface RunToolsOptions {
  launcher: BuiltinLauncher;
  /** Warm spare servers the hub takes before spawning its own. */
  spares?: ToolServerSpares;
  /** The Brain's `tools:` section: time limits and restart policy are taken from it. */
  base: ToolsConfig;
  /** The repository (real path) the git server works on; none for a run without git. */
  repository?: string;
  /** `workflows.worktree_directory` ("" for `<repository>.worktrees/`). */
  worktreeDirectory: string;
  branchPrefix: string;
  /** The fs server's root: the worktree (`worktree`), the repository, or a folder. */
  fsRoot: { kind: "worktree"; name: string } | { kind: "path"; path: string } | { kind: "none" };
  /** Whether the fs server may write (in its root only). */
  fsWrites: boolean;
  /** Entries a listing or search may return (a bug hunt lists a whole repository). */
  fsMaxResults?: number;
}

export class RunTools {
  private built: ToolHub | undefined;

  constructor(private readonly options: RunToolsOptions) {}

  /** The repository's name in the git server (its directory's name). */
  get repositoryName(): string {
    return basename(this.options.repository ?? "repository") || "repository";
  }

  /** The run's worktree name, for a run whose fs server is rooted in its worktree. */
  get worktreeName(): string {
    if (this.options.fsRoot.kind !== "worktree")
      throw new SwitchyardError("internal", "This run has no worktree");
    return this.options.fsRoot.name;
  }

  /** Where `worktree_add` puts a worktree of this name (as the git server computes it). */
  worktreePath(name: string): string {
    const repository = this.options.repository;
    if (!repository) throw new SwitchyardError("internal", "This run has no repository");
    const base = this.options.worktreeDirectory
      ? join(resolve(this.options.worktreeDirectory), this.repositoryName)
      : `${repository}.worktrees`;
    return join(base, name);
  }

  hub(): ToolHub {
    if (!this.built)
      this.built = new McpToolHub({
        config: this.toolsConfig(),
        launcher: this.options.launcher,
        ...(this.options.spares ? { spares: this.options.spares } : {}),
      });
    return this.built;
  }

  /**
   * Starts the server the run is likely to call first, so that its start overlaps the run's own
   * setup: the fs server on a tree that exists already (a bug hunt, a review, grooming), else the
   * git server that makes the run's worktree. A start that fails here is reported by the call
   * that needs the server (it waits on the same start, or its retry).
   */
  prewarm(): void {
    const server =
      this.options.fsRoot.kind === "path" ? "fs" : this.options.repository !== undefined ? "git" : undefined;
    if (server)
      this.hub()
        .listTools({ filter: `${server}.*` })
        .catch(() => {});
  }

  /** Calls a tool; a refusal or failure is a SwitchyardError naming the tool and why. */
  async call(name: string, args: Record<string, unknown>, signal?: CancelSignal): Promise<string> {
    const result = await this.hub().callTool({ name, arguments: args, ...(signal ? { signal } : {}) });
    if (result.isError) throw new SwitchyardError("upstream-error", `${name} failed: ${result.text}`);
    return result.text;
  }

  async close(): Promise<void> {
    const hub = this.built;
    this.built = undefined;
    await hub?.close();
  }

  private toolsConfig(): ToolsConfig {
    const { options } = this;
    const servers: Record<string, unknown> = {};
    if (options.repository) {
      servers.git = {
        builtin: "git",
        repositories: { [this.repositoryName]: options.repository },
        branch_prefix: options.branchPrefix,
        worktree_directory: options.worktreeDirectory,
        writes: true,
        allow: ["*"],
      };
    }
    const root =
      options.fsRoot.kind === "worktree"
        ? this.worktreePath(options.fsRoot.name)
        : options.fsRoot.kind === "path"
          ? options.fsRoot.path
          : undefined;
    if (root)
      servers.fs = {
        builtin: "fs",
        roots: [root],
        writes: options.fsWrites,
        allow: ["*"],
        ...(options.fsMaxResults ? { max_results: options.fsMaxResults } : {}),
      };
    const { servers: _theirs, ...limits } = options.base;
    return toolsSchema.parse({ ...limits, servers });
  }
}
