/**
 * `switchyard serve`: the Brain's main job. Loads the config, refuses to start on a bad one, and
 * runs the gateway until SIGINT/SIGTERM, then lets the answers in flight finish (for up to
 * server.shutdown_grace_seconds, or until a second signal) and closes the ledger cleanly.
 */

import { redactDatabaseUrl } from "../config/config-redact.js";
import { startRuntime } from "../core/switchyard-runtime.js";
import { assertSafeToListen, buildGateway } from "../gateway/gateway-server.js";
import { registerRunsRoutes } from "../gateway/runs-routes.js";
import { databaseLocation } from "../store/open-stores.js";
import { RunsService } from "../workflows/runs-service.js";
import { loadCliConfig } from "./cli-context.js";
import { cliLauncher } from "./tools-command.js";

export interface ServeOptions {
  config?: string;
  host?: string;
  port?: string;
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const config = loaded.config;
  if (options.host) config.server.host = options.host;
  if (options.port) config.server.port = Number(options.port);
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
  const gateway = buildGateway(runtime);
  // Workflow runs under /admin/runs; runs a killed Brain left mid-step resume once it listens.
  const runs = await RunsService.open({
    runtime,
    launcher: cliLauncher(),
    configPath: loaded.path,
    env: loaded.env,
  });
  registerRunsRoutes(gateway.app, runs);
  const resumed = await runs.resumeOrphans();
  const address = await gateway.app.listen({ host: config.server.host, port: config.server.port });
  logger.info(
    {
      config: loaded.path ?? "built-in defaults",
      database: redactDatabaseUrl(databaseLocation(config, loaded.env)),
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
