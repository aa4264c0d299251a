/**
 * `switchyard serve`: the Brain's main job. Loads the config, refuses to start on a bad one, and
 * runs the gateway until SIGINT/SIGTERM, then drains and closes the ledger cleanly.
 */

import { redactDatabaseUrl } from "../config/config-redact.js";
import { assertSafeToListen, buildGateway } from "../gateway/gateway-server.js";
import { databaseLocation, startRuntime } from "../runtime/switchyard-runtime.js";
import { loadCliConfig } from "./cli-context.js";

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
  const address = await gateway.app.listen({ host: config.server.host, port: config.server.port });
  logger.info(
    {
      config: loaded.path ?? "built-in defaults",
      database: redactDatabaseUrl(databaseLocation(config, loaded.env)),
    },
    `Switchyard ${runtime.version} listening on ${address}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing in-flight requests`);
    await gateway.app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
