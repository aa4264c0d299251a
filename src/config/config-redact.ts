/**
 * The effective config with every secret replaced, for `switchyard config print`, config errors,
 * the admin API and logs. A key counts as secret by its name (api_key, token, password,
 * Authorization…); a database URL keeps its host but loses its password; a webhook URL keeps its
 * scheme and host but loses its path and query, which are the secret of a Slack or ntfy webhook.
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
    if (isWebhookUrlPath(path)) return redactUrlPath(value);
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

/** `budget.alerts.webhooks.<n>.url`: a Slack or ntfy webhook's path is its credential. */
function isWebhookUrlPath(path: string[]): boolean {
  return path.at(-1) === "url" && path.at(-3) === "webhooks";
}

/** `https://hooks.slack.com/services/T0/B0/x` → `https://hooks.slack.com/[redacted]`. */
export function redactUrlPath(value: string): string {
  try {
    const url = new URL(value);
    const hidden = url.pathname.replace(/^\/$/, "") !== "" || url.search !== "" || url.username !== "";
    return hidden ? `${url.protocol}//${url.host}/${REDACTED}` : `${url.protocol}//${url.host}`;
  } catch {
    // Not a URL (a typo the schema reports): it may still hold the secret part.
    return value === "" ? value : REDACTED;
  }
}

/** `postgres://user:secret@host/db` → `postgres://user:[redacted]@host/db`; anything else unchanged. */
export function redactDatabaseUrl(value: string): string {
  return value.replace(/^(\w+:\/\/[^:/@]+):[^@/]+@/, `$1:${REDACTED}@`);
}
