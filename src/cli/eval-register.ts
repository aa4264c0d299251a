/**
 * The command line of `switchyard eval`; the suite, the runner and the runtime (eval-command.ts)
 * are loaded when it runs.
 */
import type { Command } from "commander";
import type { EvalCommandOptions } from "./eval-command.js";

/** `--max-usd` when not given: the estimate above which a run refuses to start. */
export const DEFAULT_MAX_USD = 10;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerEvalCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("eval")
    .description(
      "measure each alias and the ladder on the evaluation suite: pass rates, cost per accepted answer",
    )
    .option(
      "--alias <alias>",
      "measure this alias alone (repeat, or comma-separate); default: every alias and the ladder",
      collect,
    )
    .option("--ladder", "measure the ladder (switchyard/<task>, escalation on)")
    .option("--task <kind-or-id>", "only these task kinds or task ids (repeat, or comma-separate)", collect)
    .option("--limit <n>", "at most n tasks of each task kind")
    .option(
      "--max-usd <usd>",
      `refuse to start above this estimate, and stop before spending it (default ${DEFAULT_MAX_USD})`,
    )
    .option("--parallel <n>", "calls at once (default: the Engine's free slots for a local alias, else 4)")
    .option("--judge <alias>", "the alias that judges text tasks (default: the strongest configured)")
    .option(
      "--skip-missing-toolchains",
      "leave out tasks whose tests need python3 or TypeScript when missing",
    )
    .option("--list", "list the tasks and exit")
    .option("--last", "print the last stored run's report and exit")
    .option("--json", "print the report as JSON")
    .action(async (options: EvalCommandOptions) =>
      (await import("./eval-command.js")).evalCommand({
        ...options,
        maxUsd: options.maxUsd ?? String(DEFAULT_MAX_USD),
        config: globalConfig(),
      }),
    );
}
