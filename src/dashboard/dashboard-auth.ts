/**
 * Who may see the dashboard. Every request must name this server in its Host header and, when a
 * browser says where it comes from (Origin), come from the dashboard's own pages; a POST must say
 * so. With tokens configured, a request then needs a live session cookie or a valid bearer token
 * (for scripts); the token prompt exchanges a token for a session once. A `?token=` link (what
 * `switchyard demo` prints) is exchanged the same way and redirected at once to the same address
 * without it, so the token leaves the address bar and the history. Without tokens (loopback only)
 * there is nothing to ask.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HostGuard } from "./dashboard-hosts.js";
import { DASHBOARD_PREFIX, page } from "./dashboard-layout.js";
import {
  clearedSessionCookie,
  type DashboardSessions,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
} from "./dashboard-session.js";
import { html } from "./html-template.js";

/** The gateway's tokens, as the dashboard needs them (gateway-auth.ts implements this). */
export interface DashboardTokens {
  readonly enabled: boolean;
  /** True when `token` is one of server.auth_tokens. */
  matches(token: string): boolean;
  /** The token in Authorization: Bearer or x-api-key, if the request sent one. */
  presented(headers: IncomingHttpHeaders): string | undefined;
}

export const LOGIN_PATH = `${DASHBOARD_PREFIX}/login`;
const OPEN_PATHS = new Set([LOGIN_PATH]);
const ASSETS_PREFIX = `${DASHBOARD_PREFIX}/assets/`;

export interface GuardOptions {
  tokens: DashboardTokens;
  hosts: HostGuard;
  sessions: DashboardSessions;
}

export class DashboardGuard {
  constructor(private readonly options: GuardOptions) {}

  get tokensEnabled(): boolean {
    return this.options.tokens.enabled;
  }

  /** The onRequest hook of every dashboard route: answers the request itself when it is refused. */
  readonly check = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { tokens, hosts, sessions } = this.options;
    const path = request.url.split("?")[0] ?? "";
    const headers = request.headers;
    if (!hosts.allowsHost(headers.host)) {
      return refuse(
        reply,
        path,
        403,
        `This dashboard does not answer to the host name "${headers.host ?? ""}". Open it by the Brain's address, or add the name to server.allowed_hosts`,
      );
    }
    if (!HostGuard.sameOrigin(headers.origin, headers.host))
      return refuse(reply, path, 403, "Refused: the request came from another site's page");
    const presented = tokens.enabled ? tokens.presented(headers) : undefined;
    if (request.method === "POST" && headers.origin === undefined && presented === undefined)
      return refuse(
        reply,
        path,
        403,
        "Refused: a form post must come from the dashboard's own page (no Origin header)",
      );
    if (!tokens.enabled || OPEN_PATHS.has(path) || path.startsWith(ASSETS_PREFIX)) return;

    const query = request.query as Record<string, unknown> | undefined;
    if (typeof query?.token === "string") return this.exchangeLinkToken(request, reply, query.token);
    if (presented !== undefined) {
      if (tokens.matches(presented)) return;
      return refuse(reply, path, 401, "Invalid API token: it matches none of server.auth_tokens");
    }
    if (sessions.touch(readCookie(headers.cookie, SESSION_COOKIE))) return;
    return this.askForToken(request, reply, path);
  };

  /** Starts a session when `token` is valid; the cookie to set, or undefined. */
  signIn(token: string, secure: boolean): string | undefined {
    if (!this.options.tokens.matches(token)) return undefined;
    return sessionCookie(this.options.sessions.create(), { secure });
  }

  signOut(headers: IncomingHttpHeaders): string {
    this.options.sessions.end(readCookie(headers.cookie, SESSION_COOKIE));
    return clearedSessionCookie();
  }

  private async exchangeLinkToken(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
  ): Promise<void> {
    const url = new URL(request.url, "http://dashboard.invalid");
    url.searchParams.delete("token");
    const target = url.pathname + url.search;
    const cookie = this.signIn(token, request.protocol === "https");
    reply.header("referrer-policy", "no-referrer").header("cache-control", "no-store");
    if (!cookie) {
      await reply.redirect(`${LOGIN_PATH}?error=invalid&next=${encodeURIComponent(target)}`, 303);
      return;
    }
    await reply.header("set-cookie", cookie).redirect(target, 303);
  }

  private async askForToken(request: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    const hadSession = readCookie(request.headers.cookie, SESSION_COOKIE) !== undefined;
    const login = `${LOGIN_PATH}?${hadSession ? "error=expired&" : ""}next=${encodeURIComponent(request.url)}`;
    if (path.startsWith(`${DASHBOARD_PREFIX}/api/`))
      return refuse(reply, path, 401, `Sign in at ${LOGIN_PATH}, or send Authorization: Bearer <token>`);
    if (request.headers["hx-request"] === "true") {
      // htmx follows HX-Redirect with a full page load, so a fragment never lands on the prompt.
      await reply.code(401).header("hx-redirect", login).send("");
      return;
    }
    await reply.redirect(login, 303);
  }
}

/** Refuses in the shape the caller reads: JSON on the data endpoints, a page elsewhere. */
async function refuse(reply: FastifyReply, path: string, status: number, message: string): Promise<void> {
  if (path.startsWith(`${DASHBOARD_PREFIX}/api/`)) {
    await reply
      .code(status)
      .send({ error: { message, code: status === 401 ? "authentication" : "forbidden" } });
    return;
  }
  await reply
    .code(status)
    .type("text/html; charset=utf-8")
    .send(
      page({
        title: status === 401 ? "Sign-in needed" : "Refused",
        body: html`<p class="error" role="alert">${message}</p>`,
      }),
    );
}

const LOGIN_ERRORS: Record<string, string> = {
  invalid: "That token matches none of server.auth_tokens. Check it and try again.",
  expired: "Your session has ended. Enter the token again to carry on.",
};

/** The token prompt. `next` must be a dashboard path (never another site). */
export function loginPage(options: { next: string; error?: string | undefined }): string {
  const message = options.error ? (LOGIN_ERRORS[options.error] ?? undefined) : undefined;
  return page({
    title: "Sign in",
    body: html`<form method="post" action="${LOGIN_PATH}" class="login">
${message ? html`<p class="error" role="alert">${message}</p>` : ""}
<p>Enter one of the Brain's tokens (<code>server.auth_tokens</code>). It is asked once and kept for this browser session only.</p>
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${safeNext(options.next)}">
<button type="submit">Sign in</button>
</form>`,
  });
}

/** Only a path inside the dashboard: a prompt must never send the browser elsewhere. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/dashboard(?:[/?]|$)/.test(next) && !next.startsWith("//")
    ? next
    : DASHBOARD_PREFIX;
}

/**
 * The address to open the dashboard at, for a command to print (`switchyard demo`): with a token,
 * a `?token=` link that signs the browser in and is stripped from the address at once.
 */
export function dashboardLink(baseUrl: string, token?: string): string {
  const url = new URL(DASHBOARD_PREFIX, baseUrl);
  if (token) url.searchParams.set("token", token);
  return url.toString();
}
