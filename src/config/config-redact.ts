/**
 * The effective config with every secret replaced, for `switchyard config print`, the admin API
 * and logs. A key counts as secret by its name (api_key, token, password, Authorization…); a
 * database URL keeps its host but loses its password.
 */
import { stringify } from "yaml";
import type { SwitchyardConfig } from "./config-schema.js";

export const REDACTED = "[redacted]";

export function redactConfig(config: SwitchyardConfig): unknown {
  return redactValue(config, []);
}

export function redactedConfigYaml(config: SwitchyardConfig): string {
  return stringify(redactConfig(config));
}

/** Whether the value at this key path is a secret, by the key's name or where it sits. */
export function isSecretPath(path: string[]): boolean {
  const last = (path.at(-1) ?? "").toLowerCase();
  // The path of a file holding secrets (server.auth_tokens_file) is not itself a secret.
  if (last.endsWith("_file")) return false;
  const parent = (path.at(-2) ?? "").toLowerCase();
  // An MCP server's environment and headers carry its credentials under any name.
  if (path[0] === "tools" && path.length === 5 && (parent === "env" || parent === "headers")) return true;
  return /(key|token|secret|password|authorization)/.test(last) || /(auth_tokens)/.test(parent);
}

/** A value found at `path` with every secret inside it replaced. */
export function redactValue(value: unknown, path: string[]): unknown {
  if (typeof value === "string") {
    if (value !== "" && isSecretPath(path)) return REDACTED;
    return redactDatabaseUrl(value);
  }
  if (Array.isArray(value)) return value.map((item, index) => redactValue(item, [...path, String(index)]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactValue(item, [...path, key])]),
    );
  }
  return value;
}

/** `postgres://user:secret@host/db` → `postgres://user:[redacted]@host/db`; anything else unchanged. */
export function redactDatabaseUrl(value: string): string {
  return value.replace(/^(\w+:\/\/[^:/@]+):[^@/]+@/, `$1:${REDACTED}@`);
}
