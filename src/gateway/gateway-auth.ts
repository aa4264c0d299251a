/**
 * Bearer-token auth for every route but /healthz. Accepts `Authorization: Bearer <token>` (OpenAI
 * clients, Claude Code's ANTHROPIC_AUTH_TOKEN) and `x-api-key` (Anthropic SDKs). Tokens are compared
 * in constant time so a caller cannot guess one byte at a time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SwitchyardError } from "../errors/switchyard-error.js";

export class TokenChecker {
  private readonly digests: Buffer[];

  constructor(tokens: string[]) {
    this.digests = tokens.filter(Boolean).map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** True when `token` is one of the configured tokens (compared in constant time). */
  matches(token: string): boolean {
    const presented = digest(token);
    return this.digests.some((known) => timingSafeEqual(known, presented));
  }

  /** The token the headers carry, if any (valid or not). */
  presented(headers: IncomingHttpHeaders): string | undefined {
    return presentedToken(headers);
  }

  /** Throws an "authentication" error when the headers carry no valid token. */
  check(headers: IncomingHttpHeaders): void {
    if (!this.enabled) return;
    const token = presentedToken(headers);
    if (token === undefined) {
      throw new SwitchyardError(
        "authentication",
        "Missing API token: send Authorization: Bearer <token> (or x-api-key) with one of server.auth_tokens",
      );
    }
    if (!this.matches(token)) {
      throw new SwitchyardError("authentication", "Invalid API token: it matches none of server.auth_tokens");
    }
  }
}

function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization);
    if (match) return match[1]!.trim();
  }
  const apiKey = headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey !== "") return apiKey;
  return undefined;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
