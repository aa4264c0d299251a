/**
 * The built-in tool servers by kind: one line each. A kind's tools are made from its settings
 * (checked with the same schema as the config file), ready to serve over stdio or HTTP. Each
 * kind's code loads when that kind is made: a run's fs server starts without the db server's
 * PostgreSQL client or the git server's code (every workflow run starts one).
 */
import {
  type BuiltinServerKind,
  type BuiltinServerSettings,
  builtinSettingsSchema,
  type DbServerSettings,
  type FsServerSettings,
  type GitServerSettings,
} from "../../config/tools-schema.js";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import { describeIssues, type ToolSet } from "./tool-server-kit.js";

export async function createBuiltinTools(settings: BuiltinServerSettings): Promise<ToolSet> {
  switch (settings.builtin) {
    case "git":
      return (await import("./git/git-tools.js")).createGitTools(settings as GitServerSettings);
    case "fs":
      return (await import("./fs/fs-tools.js")).createFsTools(settings as FsServerSettings);
    case "db":
      return (await import("./db/db-tools.js")).createDbTools(settings as DbServerSettings);
  }
}

/** Loads a kind's code without making its tools: a warm spare does this before it has settings. */
export async function loadBuiltinKind(kind: BuiltinServerKind): Promise<void> {
  switch (kind) {
    case "git":
      await import("./git/git-tools.js");
      return;
    case "fs":
      await import("./fs/fs-tools.js");
      return;
    case "db":
      await import("./db/db-tools.js");
      return;
  }
}

/** Settings from outside the config loader (the environment, flags), checked as the config is. */
export function parseBuiltinSettings(kind: BuiltinServerKind, value: unknown): BuiltinServerSettings {
  const result = builtinSettingsSchema(kind).safeParse(value);
  if (!result.success)
    throw new SwitchyardError(
      "invalid-request",
      `Invalid ${kind} server settings: ${describeIssues(result.error)}`,
    );
  return result.data;
}
