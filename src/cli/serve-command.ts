/**
 * `switchyard serve`: the Brain's main job. Loads the config, refuses to start on a bad one or on
 * an address it cannot listen on (a port in use: another `serve`, a second `npm start`), and runs
 * the gateway until SIGINT/SIGTERM, then lets the answers in flight finish (for up to
 * server.shutdown_grace_seconds, or until a second signal) and closes the ledger cleanly.
 */

import { redactDatabaseUrl } from "../config/config-redact.js";
import { startRuntime } from "../core/switchyard-runtime.js";
import { workflowRunsSource } from "../dashboard/workflow-runs-source.js";
import { assertSafeToListen, buildGateway } from "../gateway/gateway-server.js";
import { registerRunsRoutes } from "../gateway/runs-routes.js";
import { databaseLocation } from "../store/open-stores.js";
import { RunsService } from "../workflows/runs-service.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { cliLauncher } from "./tools-command.js";

export interface ServeOptions {
  config?: string;
  host?: string;
  /** Parsed by the command line. */
  port?: number;
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const config = loaded.config;
  if (options.host) config.server.host = options.host;
  if (options.port !== undefined) config.server.port = options.port;
  assertSafeToListen(config.server.host, config.server.auth_tokens);

  const runtime = await startRuntime(config, { env: loaded.env });
  const { logger } = runtime;
  for (const [id, backend] of Object.entries(config.backends)) {
    if (backend.type === "openai-compatible" && backend.flavor === "openrouter" && !backend.api_key) {
      logger.warn(
        `backends.${id}.api_key is empty: the cloud tiers will fail until OPENROUTER_API_KEY is set`,
      );
    }
  }
  // Workflow runs under /admin/runs and on the dashboard; runs a killed Brain left mid-step resume
  // once it listens.
  const runs = await RunsService.open({
    runtime,
    launcher: cliLauncher(),
    configPath: loaded.path,
    env: loaded.env,
  }).catch(async (error: unknown) => {
    await runtime.close().catch(() => {});
    throw error;
  });
  const gateway = buildGateway(runtime, { runs: workflowRunsSource(runs) });
  registerRunsRoutes(gateway.app, runs);
  let address: string;
  try {
    // A deep accept queue (the kernel caps it at net.core.somaxconn): hundreds of clients
    // connecting at once — IDEs reconnecting after a restart, a load test — wait to be accepted
    // instead of being dropped (Node's default of 511 drops the rest, and a dropped SYN is retried
    // only after a second, then three, then seven).
    address = await gateway.app.listen({
      host: config.server.host,
      port: config.server.port,
      backlog: 4_096,
    });
  } catch (error) {
    await gateway.app.close().catch(() => {});
    await runs.close().catch(() => {});
    await runtime.close().catch(() => {});
    throw listenFailure(error, config.server.host, config.server.port);
  }
  const resumed = await runs.resumeOrphans();
  logger.info(
    {
      config: loaded.path ?? "built-in defaults",
      database: redactDatabaseUrl(databaseLocation(config, loaded.env)),
      dashboard: config.dashboard.enabled ? `${address}/` : "off",
    },
    `Switchyard ${runtime.version} listening on ${address}`,
  );
  runs.pruneDaily();
  if (resumed.length > 0)
    logger.info({ runs: resumed }, `resumed ${resumed.length} workflow runs left mid-step`);

  let stopping = false;
  // A stop lets the answers in flight finish, for up to server.shutdown_grace_seconds; then, or
  // at a second signal, it closes their connections: each request is aborted upstream, its
  // reservation released and its row written as aborted, before the ledger closes.
  const cutOff = (why: string) => {
    const inFlight = runtime.switchyard.inFlight;
    if (inFlight > 0) logger.warn(`${why}: closing the connections of ${inFlight} requests still answering`);
    gateway.app.server.closeAllConnections();
  };
  const stop = async (signal: string) => {
    if (stopping) {
      cutOff(`${signal} received again`);
      return;
    }
    stopping = true;
    const graceSeconds = config.server.shutdown_grace_seconds;
    const inFlight = runtime.switchyard.inFlight;
    logger.info(
      inFlight > 0
        ? `${signal} received: finishing ${inFlight} requests in flight (up to ${graceSeconds} s; ${signal} again to stop now)`
        : `${signal} received: stopping`,
    );
    const grace = setTimeout(() => cutOff(`still answering after ${graceSeconds} s`), graceSeconds * 1000);
    await gateway.app.close();
    clearTimeout(grace);
    // Runs mid-step stop where they are and stay resumable; the next start resumes them.
    await runs.close();
    await runtime.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

/** Why the gateway could not listen, and what to do, as one line. */
function listenFailure(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `Port ${port} on ${host}`;
  switch (code) {
    case "EADDRINUSE":
      return new CliFailure(
        `switchyard serve: ${where} is in use (another switchyard serve?): stop it, or pass --port <another port> (or set server.port)`,
      );
    case "EACCES":
      return new CliFailure(
        `switchyard serve: ${where} needs privileges this user lacks: use a port above 1023 (--port or server.port)`,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new CliFailure(
        `switchyard serve: ${host} is not an address of this machine: pass --host (or set server.host) to one of its addresses, 127.0.0.1 or 0.0.0.0`,
      );
    default:
      return error;
  }
}
