/**
 * Bearer tokens kept in a file of their own, one a line (`server.auth_tokens_file` on the Brain,
 * `token_file` in a client config), so a service definition (launchd plist, systemd unit) names
 * the file and never holds the secret. Like ssh with a private key, a file other users can read is
 * refused: a token there is no longer a secret.
 */
import { readFileSync, statSync } from "node:fs";

/** The tokens in `path`, or what is wrong with the file and how to fix it. */
export function readTokenFile(
  path: string,
  platform: NodeJS.Platform = process.platform,
): { tokens: string[] } | { problem: string } {
  let text: string;
  try {
    const mode = statSync(path).mode;
    if (platform !== "win32" && (mode & 0o077) !== 0) {
      return {
        problem: `${path} can be read by other users (mode 0${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      };
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      problem:
        code === "ENOENT"
          ? `${path} does not exist; create it with one token a line (mode 0600)`
          : `${path} cannot be read (${code ?? String(error)})`,
    };
  }
  const tokens = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (tokens.length === 0) return { problem: `${path} holds no token; put one token on a line` };
  return { tokens };
}
