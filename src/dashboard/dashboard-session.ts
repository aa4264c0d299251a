/**
 * Browser sessions for the dashboard. A token is asked for once; the browser then holds a random
 * session id in an HttpOnly, SameSite=Strict cookie with no expiry date (gone when the browser
 * closes). The server keeps only a hash of each id with its expiry, so neither the token nor a
 * usable id is ever in a page, a URL or the server's memory dumps. A session unused for
 * `dashboard.session_hours` ends, and the next page asks for the token again.
 */
import { createHash, randomBytes } from "node:crypto";

export const SESSION_COOKIE = "switchyard_session";
/** More sessions than this and the oldest is dropped (only token holders can create them). */
const MAX_SESSIONS = 1_000;

export interface SessionOptions {
  idleMs: number;
  now?: () => number;
}

export class DashboardSessions {
  /** Hash of the id → when it ends unless used again. */
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A new session; the id goes into the cookie and nowhere else. */
  create(): string {
    const id = randomBytes(32).toString("base64url");
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(hash(id), this.now() + this.options.idleMs);
    return id;
  }

  /** True for a live session, which is then kept alive for another idle period. */
  touch(id: string | undefined): boolean {
    if (!id) return false;
    const key = hash(id);
    const endsAt = this.sessions.get(key);
    if (endsAt === undefined) return false;
    const now = this.now();
    if (endsAt <= now) {
      this.sessions.delete(key);
      return false;
    }
    // Re-inserted, so the map stays ordered by last use and the oldest is dropped first.
    this.sessions.delete(key);
    this.sessions.set(key, now + this.options.idleMs);
    return true;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(hash(id));
  }
}

function hash(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value: a browser-session cookie the page's scripts cannot read. */
export function sessionCookie(id: string, options: { secure: boolean }): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${options.secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
