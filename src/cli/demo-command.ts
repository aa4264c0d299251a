/**
 * `switchyard demo`: try Switchyard with nothing installed. Starts the Brain on simulated back ends
 * with a ledger of its own, runs the scripted tour through the front doors (unless --no-tour),
 * prints how to explore, and stays up until Ctrl-C, then shuts everything down cleanly.
 */
import { z } from "zod";
import { alertLine, exploreLines, introLines } from "../demo/demo-guide.js";
import { type DemoSession, startDemoSession } from "../demo/demo-session.js";
import { runTour } from "../demo/demo-tour.js";
import { CliFailure } from "./cli-context.js";
import { cliLauncher } from "./tools-command.js";

export interface DemoCommandOptions {
  port?: string;
  speed?: string;
  budget?: string;
  rateLimit?: string;
  seed?: string;
  tour?: boolean;
  keepData?: boolean;
}

const number = (flag: string, what: string) =>
  z.coerce
    .number({ error: `${flag} must be ${what}` })
    .refine(Number.isFinite, { error: `${flag} must be ${what}` });

const optionsSchema = z.object({
  port: number("--port", "a port number from 0 to 65535").pipe(
    z.number().int().min(0).max(65_535, { error: "--port must be a port number from 0 to 65535" }),
  ),
  speed: number("--speed", "a positive number, e.g. 10").pipe(
    z
      .number()
      .positive({ error: "--speed must be a positive number, e.g. 10 (1 is real time)" })
      .max(100_000),
  ),
  budget: number("--budget", "an amount in USD, e.g. 5").pipe(
    z.number().positive({ error: "--budget must be more than 0 USD, e.g. 5" }),
  ),
  rateLimit: number("--rate-limit", "a share from 0 to 1").pipe(
    z.number().min(0).max(1, { error: "--rate-limit must be a share from 0 to 1, e.g. 0.1" }),
  ),
  seed: number("--seed", "a whole number").pipe(z.number().int({ error: "--seed must be a whole number" })),
});

export async function demoCommand(options: DemoCommandOptions): Promise<void> {
  const parsed = optionsSchema.safeParse({
    port: options.port ?? "8788",
    speed: options.speed ?? "10",
    // Small for the tour, so its paid requests pass an alert; roomy when there is no tour.
    budget: options.budget ?? (options.tour === false ? "5" : "0.04"),
    rateLimit: options.rateLimit ?? "0",
    seed: options.seed ?? "1",
  });
  if (!parsed.success) throw new CliFailure(`switchyard demo: ${parsed.error.issues[0]?.message}`, 2);
  const settings = parsed.data;
  const print = (line: string) => process.stdout.write(`${line}\n`);

  let session: DemoSession;
  try {
    session = await startDemoSession({
      port: settings.port,
      speed: settings.speed,
      budgetUsd: settings.budget,
      keepData: options.keepData === true,
      rateLimitShare: settings.rateLimit,
      seed: settings.seed,
      onAlert: (alert) => print(alertLine(alert)),
      launcher: cliLauncher(),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CliFailure(
        `switchyard demo: port ${settings.port} is in use (a running Brain?); pick another with --port, e.g. --port 0 for any free one`,
      );
    }
    throw error;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      session.gateway.app.server.closeAllConnections();
      return;
    }
    stopping = true;
    print(`${signal} received: stopping the demo`);
    // Answers in flight get the config's grace (5 s), as with `serve`; then their connections close.
    const grace = setTimeout(
      () => session.gateway.app.server.closeAllConnections(),
      session.config.server.shutdown_grace_seconds * 1000,
    );
    await session.close();
    clearTimeout(grace);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  for (const line of introLines(session)) print(line);
  if (options.tour !== false) {
    // A Ctrl-C during the tour closes the Brain under it: its failed requests are no news.
    const toured = await runTour({ session, print }).catch((error: unknown) => {
      if (!stopping) throw error;
    });
    if (!toured) return;
  }
  const { effectiveRemainingUsd } = await session.runtime.budget.status();
  for (const line of exploreLines(session, effectiveRemainingUsd)) print(line);
}
