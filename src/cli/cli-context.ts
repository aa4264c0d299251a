/**
 * What every command needs: the loaded config (with config errors printed the same way everywhere)
 * and a consistent way to fail.
 */
import { ConfigError, type LoadedConfig, loadConfig } from "../config/config-load.js";
import { CliFailure } from "./cli-failure.js";

export { CliFailure };

export function loadCliConfig(explicitPath: string | undefined): LoadedConfig {
  try {
    return loadConfig(explicitPath ? { explicitPath } : {});
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(error.message, 2);
    throw error;
  }
}
