/** The command line of `switchyard route`; the router (route-command.ts) is loaded when it runs. */
import type { Command } from "commander";
import type { RouteCommandOptions } from "./route-command.js";

export function registerRouteCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("route <prompt...>")
    .description("show how a prompt would be routed: task kind, tier, alias, model and the signals")
    .option("--json", "print the decision as JSON")
    .option("--model <model>", "the model the request would name", "switchyard/auto")
    .option("--task <task>", "as if the x-switchyard-task header were set")
    .option("--system <text>", "a system prompt to classify with")
    .action(async (words: string[], options: RouteCommandOptions) =>
      (await import("./route-command.js")).routeCommand(words, { ...options, config: globalConfig() }),
    );
}
