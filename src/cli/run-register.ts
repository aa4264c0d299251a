/**
 * The command lines of the workflow commands: `run`, `runs` and `runs show`, `approve`, `reject`,
 * `resume` and `cancel`. What they do (run-commands.ts, with the runtime and the workflow graphs,
 * or the Brain client) is loaded when one runs.
 */
import type { Command } from "commander";
import type { RunOptions } from "./run-commands.js";

/** With a Brain named, the commands work on its runs (the local database is not opened). */
const BRAIN_HELP = "work on this Brain's runs (default: $SWITCHYARD_URL, else the client config, else here)";

const collect = (value: string, previous: string[] = []) => [...previous, value];

const load = () => import("./run-commands.js");

export function registerRunCommands(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("run <workflow>")
    .description(
      "run a workflow here or on a Brain (--url): feature, bughunt, groom, review, or a .yaml of your own, with live progress",
    )
    .option("--story <text>", "feature: what to build")
    .option("--repo <dir>", "the repository to work on (default: .; on a Brain: its absolute path there)")
    .option("--modules <list>", "bughunt: the folders or files to explore, comma-separated")
    .option("--backlog <path>", "groom: a Markdown or JSON file, or a folder of them")
    .option("--branch <name>", "review: the branch to review against --base (default: the checked-out one)")
    .option(
      "--base <rev>",
      "review: what the branch is compared with (default: main); with --diff, where it is applied (default: HEAD)",
    )
    .option(
      "--diff <file>",
      "review: a diff file to review instead of a branch (with --repo, its tests run too)",
    )
    .option("--test-command <command>", "the tests to run in the worktree (default: workflows.test_command)")
    .option("--lint-command <command>", "a linter to run in the worktree (default: workflows.lint_command)")
    .option("--input <key=value>", "a YAML workflow's input (repeatable)", collect)
    .option("--json", "print the run as JSON when it halts, no progress")
    .option(
      "--url <url>",
      "run it on this Brain, which resolves the paths (default: $SWITCHYARD_URL, else the client config, else here)",
    )
    .action(async (workflow: string, options: RunOptions) =>
      (await load()).runCommand(workflow, options, globalConfig()),
    );

  const runs = program
    .command("runs")
    .description("the workflow runs, newest first")
    .option("-n, --limit <count>", "how many", "20")
    .option(
      "--status <status>",
      "only runs in this state (running, paused, failed, done, rejected, cancelled)",
    )
    .option("--json", "print JSON")
    .option("--url <url>", BRAIN_HELP)
    .action(async (options: { limit: string; status?: string; json?: boolean; url?: string }) =>
      (await load()).runsCommand(options, globalConfig()),
    );
  runs
    .command("show <id>")
    .description("one run: steps, costs, escalations, artefacts, branch and diff stat")
    .option("--artefact <id>", "print this artefact of the run instead")
    .option("--json", "print JSON")
    .option("--url <url>", BRAIN_HELP)
    .action(async (id: string, options: { artefact?: string; json?: boolean; url?: string }) =>
      (await load()).runsShowCommand(id, options, globalConfig()),
    );

  program
    .command("approve <id>")
    .description("approve a run waiting at a human gate, and continue it (here, or on the Brain it waits on)")
    .option("--edit <file>", "approve with this edited text instead of what was shown")
    .option("--note <text>", "a note kept with the decision")
    .option("--url <url>", BRAIN_HELP)
    .action(async (id: string, options: { edit?: string; note?: string; url?: string }) =>
      (await load()).approveCommand(id, options, globalConfig()),
    );
  program
    .command("reject <id>")
    .description("reject a run waiting at a human gate, with the reason")
    .requiredOption("--reason <text>", "why (kept with the run)")
    .option("--url <url>", BRAIN_HELP)
    .action(async (id: string, options: { reason: string; url?: string }) =>
      (await load()).rejectCommand(id, options, globalConfig()),
    );
  program
    .command("resume <id>")
    .description("continue a run paused at a budget cap, failed, or left running by a process that died")
    .option("--url <url>", BRAIN_HELP)
    .action(async (id: string, options: { url?: string }) =>
      (await load()).resumeCommand(id, options, globalConfig()),
    );
  program
    .command("cancel <id>")
    .description("cancel a run (its branch and worktree stay)")
    .option("--url <url>", BRAIN_HELP)
    .action(async (id: string, options: { url?: string }) =>
      (await load()).cancelCommand(id, options, globalConfig()),
    );
}
