/**
 * The built-in tool servers by kind: one line each. A kind's tools are made from its settings
 * (checked with the same schema as the config file), ready to serve over stdio or HTTP.
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
import { createDbTools } from "./db/db-tools.js";
import { createFsTools } from "./fs/fs-tools.js";
import { createGitTools } from "./git/git-tools.js";
import { describeIssues, type ToolSet } from "./tool-server-kit.js";

export function createBuiltinTools(settings: BuiltinServerSettings): Promise<ToolSet> {
  switch (settings.builtin) {
    case "git":
      return createGitTools(settings as GitServerSettings);
    case "fs":
      return createFsTools(settings as FsServerSettings);
    case "db":
      return createDbTools(settings as DbServerSettings);
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
