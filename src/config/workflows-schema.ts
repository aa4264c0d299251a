/**
 * The `workflows:` section of switchyard.yaml: how development workflows run — how long finished
 * runs keep their checkpoints, how wide a fan-out may go beside the gateway's own requests, what
 * a run does at a budget cap, where worktrees and YAML workflows live, the commands run in a
 * worktree, and prompt templates that replace the built-in ones per node kind.
 */
import { z } from "zod";

const commandSchema = z.string().describe("A shell command run in the run's worktree; empty: none.");

export const workflowsSchema = z.strictObject({
  /** Checkpoints (and artefact bodies) of runs finished this many days ago are pruned. */
  retention_days: z.number({ error: "must be a number of days, e.g. 30" }).positive().default(30),
  /**
   * Slots per Engine model that a fan-out leaves to the gateway's interactive requests. A fan-out
   * is never wider than the model's slots minus these (and never narrower than 1).
   */
  reserve_interactive_slots: z.number().int().min(0).default(1),
  /**
   * Built-in tool servers (fs, git) kept started per kind for the next run's hub, so a run does
   * not wait for one to load; 0: none (each run starts its own).
   */
  warm_spares: z
    .number({ error: "must be a whole number of spare tool servers per kind, e.g. 1 (0 turns them off)" })
    .int({ error: "must be a whole number of spare tool servers per kind, e.g. 1 (0 turns them off)" })
    .min(0, { error: "must be 0 (off) or more spare tool servers per kind, e.g. 1" })
    .max(4, { error: "must be at most 4 spare tool servers per kind: each is a process kept running" })
    .default(1),
  /** The widest a fan-out goes on a paid alias (and on an Engine whose slots are unknown). */
  max_parallel: z.number().int().positive().default(8),
  /**
   * At a budget cap: `pause` the run with the reason (resume it once the cap is raised), or
   * `downgrade` the step to a cheaper rung as the gateway would.
   */
  on_budget_exhausted: z
    .enum(["pause", "downgrade"], { error: 'must be "pause" or "downgrade"' })
    .default("pause"),
  /** YAML workflows found by name (`switchyard run <name>`); empty: `workflows/` beside the config file. */
  directory: z.string().default(""),
  /** Where run worktrees go; empty: `<repository>.worktrees/` beside the repository. */
  worktree_directory: z.string().default(""),
  /** Run branches are `<branch_prefix><workflow>-<run id>`. */
  branch_prefix: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._/-]+$/, {
      error: "must be letters, digits, '.', '_', '-' and '/', e.g. switchyard/",
    })
    .default("switchyard/"),
  /** The tests of the target repository, run in the worktree (`--test-command` overrides it). */
  test_command: commandSchema.default("npm test"),
  /** A linter run in the worktree beside the lint step (its output feeds the review); empty: none. */
  lint_command: commandSchema.default(""),
  /** Each command run in a worktree is killed after this long. */
  command_timeout_ms: z.number().int().positive().default(600_000),
  /** Rounds of fixing code after failing tests before conflict resolution decides. */
  max_fix_rounds: z.number().int().min(1).default(2),
  /** Times conflict resolution may send a run back before the run ends. */
  max_conflict_rounds: z.number().int().min(1).default(2),
  /** Characters of file content one step may put in its prompt (explorers, reviews). */
  max_context_chars: z.number().int().positive().default(48_000),
  /** Prompt templates by node kind (`story-drafting`, `explore`, …), replacing the built-in ones. */
  prompts: z
    .record(z.string().min(1), z.string().min(1, { error: "must be a prompt template, not empty" }))
    .default({}),
});

export type WorkflowsConfig = z.output<typeof workflowsSchema>;
