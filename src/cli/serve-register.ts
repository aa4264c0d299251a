/**
 * The command lines of `switchyard serve` and `switchyard demo`; each implementation is loaded
 * when its command runs (serve-command.ts, demo-command.ts), so no other command pays for the
 * gateway, the runtime or the simulators.
 */
import type { Command } from "commander";
import { portNumber } from "./cli-options.js";
import type { DemoCommandOptions } from "./demo-command.js";

export function registerServeCommand(program: Command, globalConfig: () => string | undefined): void {
  program
    .command("serve")
    .description("run the gateway (the Brain's main job)")
    .option("--host <host>", "listen address (overrides server.host)")
    .option("--port <port>", "listen port (overrides server.port)", portNumber)
    .action(async (options: { host?: string; port?: number }) =>
      (await import("./serve-command.js")).serveCommand({ ...options, config: globalConfig() }),
    );
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("try Switchyard with no Engine and no key: the Brain on simulated back ends, a guided tour")
    .option("--port <port>", "where the demo Brain listens (0: any free port)", "8788")
    .option("--speed <n>", "how much faster than real time the simulated models run (1: real time)", "10")
    .option(
      "--budget <usd>",
      "the demo's monthly budget in USD (default 0.04 with the tour, so an alert fires; 5 without)",
    )
    .option("--rate-limit <share>", "share of simulated OpenRouter requests answered 429 (seeded)", "0")
    .option("--seed <n>", "seed for the simulated rate limits", "1")
    .option("--no-tour", "skip the tour: start the demo Brain and wait")
    .option("--keep-data", "keep the last demo run's ledger instead of starting empty")
    .action(async (options: DemoCommandOptions) => (await import("./demo-command.js")).demoCommand(options));
}
