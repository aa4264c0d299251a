/** The command line of `switchyard ask`; ask-command.ts (the streaming client) is loaded when it runs. */
import type { Command } from "commander";
import type { AskOptions } from "./ask-command.js";

export function registerAskCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("ask")
    .description("ask the Brain; the answer streams, then task, tier, model, tokens, cost and time")
    .argument("<prompt...>", "the question")
    .option("--task <task>", "run it as this task kind (default: the Brain classifies it)")
    .option("--model <model>", "the model field to send instead, e.g. cloud-opus or switchyard/tier1")
    .option(
      "-f, --file <path>",
      "attach a file's contents as a fenced block (repeat for more; - reads stdin)",
      (path: string, paths: string[]) => [...paths, path],
      [] as string[],
    )
    .option(
      "--url <url>",
      "the Brain (default: $SWITCHYARD_URL, else the client config, else server.host:server.port)",
    )
    .option("--connect-timeout <seconds>", "give up on a Brain that does not take the connection", "5")
    .action(async (words: string[], options: AskOptions) =>
      (await import("./ask-command.js")).askCommand(words, { ...options, config: globalConfig() }),
    );
}
