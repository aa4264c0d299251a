/** `switchyard config check | print | init`. */
import { DEFAULT_CONFIG_YAML } from "../config/config-defaults.js";
import { redactedConfigYaml } from "../config/config-redact.js";
import { loadCliConfig } from "./cli-context.js";

export function configCheckCommand(file: string | undefined, options: { config?: string }): void {
  const loaded = loadCliConfig(file ?? options.config);
  const aliases = Object.keys(loaded.config.aliases).length;
  const tasks = Object.keys(loaded.config.tasks).length;
  process.stdout.write(
    `${loaded.path ?? "built-in defaults"}: OK (${Object.keys(loaded.config.backends).length} back ends, ${aliases} aliases, ${tasks} task kinds)\n`,
  );
}

export function configPrintCommand(options: { config?: string }): void {
  const loaded = loadCliConfig(options.config);
  process.stdout.write(`# effective config from ${loaded.path ?? "built-in defaults"} (secrets redacted)\n`);
  process.stdout.write(redactedConfigYaml(loaded.config));
}

export function configInitCommand(): void {
  process.stdout.write(DEFAULT_CONFIG_YAML);
}
