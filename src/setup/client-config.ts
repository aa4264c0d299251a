/**
 * The client config: where the Brain is and the token to send it, in `client.yaml` in the user
 * config dir (mode 0600, it holds a token). `switchyard setup workstation` writes it; every client
 * command (`ask`, `status`, `costs`, `log`, `statusline`, …) reads it when neither `--url` nor
 * SWITCHYARD_URL names a Brain. SWITCHYARD_TOKEN, when set, wins over its token.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { ConfigError } from "../config/config-load.js";
import { readTokenFile } from "../config/token-file.js";
import { userDirs } from "../config/user-dirs.js";

export interface ClientConfig {
  /** The Brain's origin, e.g. http://192.168.1.20:8787 (no /v1). */
  url: string;
  /** The bearer token, when the file holds it. */
  token?: string;
  /** Or a file holding it (relative to the client config's folder). */
  tokenFile?: string;
}

const clientConfigSchema = z.strictObject({
  url: z.url({ error: "must be the Brain's URL, e.g. http://brain.local:8787" }),
  token: z.string().min(1, { error: "must not be empty; remove the line instead" }).optional(),
  token_file: z.string().min(1).optional(),
});

export function clientConfigPath(env: NodeJS.ProcessEnv): string {
  return join(userDirs(env).config, "client.yaml");
}

export function renderClientConfig(config: ClientConfig): string {
  const body: Record<string, string> = { url: config.url };
  if (config.token) body.token = config.token;
  if (config.tokenFile) body.token_file = config.tokenFile;
  return [
    "# The Brain this machine's switchyard commands talk to (written by `switchyard setup workstation`).",
    "# Used when neither --url nor SWITCHYARD_URL is given; SWITCHYARD_TOKEN overrides the token.",
    stringify(body).trimEnd(),
    "",
  ].join("\n");
}

/** Hides the token in a rendered client config (for diffs). */
export function redactClientConfig(text: string): string {
  return text.replace(/^(token:\s*).+$/m, "$1[redacted]");
}

/** The client config, or undefined when there is none. Throws a ConfigError naming the fix. */
export function readClientConfig(env: NodeJS.ProcessEnv): { config: ClientConfig; path: string } | undefined {
  const path = clientConfigPath(env);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(path, [`not valid YAML: ${(error as Error).message.split("\n")[0]}`]);
  }
  const result = clientConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      path,
      result.error.issues.map(
        (issue) =>
          `${issue.path.map(String).join(".") || "(top level)"} ${issue.message}; fix it or run switchyard setup workstation again`,
      ),
    );
  }
  const { url, token, token_file: tokenFile } = result.data;
  const config: ClientConfig = { url: url.replace(/\/+$/, "").replace(/\/v1$/, "") };
  if (token) config.token = token;
  if (tokenFile) {
    const read = readTokenFile(resolve(dirname(path), tokenFile));
    if ("problem" in read) throw new ConfigError(path, [`token_file: ${read.problem}`]);
    config.tokenFile = tokenFile;
    config.token ??= read.tokens[0];
  }
  return { config, path };
}
