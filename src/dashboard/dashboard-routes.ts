/**
 * The dashboard at /dashboard (and / sends the browser there): the token prompt, the static files,
 * the pages (dashboard-pages.ts) and the data endpoints (dashboard-api.ts), in one Fastify scope
 * of their own with the guard in front, security headers on every answer, and HTML errors (an
 * unknown page is a 404 page, a bad parameter a 400 that says which). `registerDashboard` wires it
 * to the runtime: the live feed and the metrics listen to every ledger row the spine writes.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { registerDashboardApi } from "./dashboard-api.js";
import { loadAssets } from "./dashboard-assets.js";
import { DashboardGuard, type DashboardTokens, LOGIN_PATH, loginPage, safeNext } from "./dashboard-auth.js";
import { calibrationCache, type DashboardContext } from "./dashboard-context.js";
import { HostGuard } from "./dashboard-hosts.js";
import { DASHBOARD_PREFIX } from "./dashboard-layout.js";
import { registerDashboardPages, sendPage } from "./dashboard-pages.js";
import { DashboardSessions } from "./dashboard-session.js";
import { html } from "./html-template.js";
import { LedgerRollup } from "./ledger-rollup.js";
import { LiveFeed } from "./live-feed.js";
import { noRuns, type RunsSource } from "./runs-source.js";
import { SwitchyardMetrics } from "./switchyard-metrics.js";

export interface DashboardOptions {
  tokens: DashboardTokens;
  /** The workflow runs for the Runs page; none until the workflow runtime is connected. */
  runs?: RunsSource;
  now?: () => number;
}

/** Paths whose authentication the dashboard decides itself (the gateway's token check skips them). */
export function dashboardOwnsAuth(url: string, metricsPublic: boolean): boolean {
  return (
    url === "/" ||
    url.startsWith("/?") ||
    url === "/favicon.ico" ||
    url === DASHBOARD_PREFIX ||
    url.startsWith(`${DASHBOARD_PREFIX}/`) ||
    url.startsWith(`${DASHBOARD_PREFIX}?`) ||
    (metricsPublic && (url === "/metrics" || url.startsWith("/metrics?")))
  );
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // Not no-referrer: under it a browser sends "Origin: null" with a same-site form post.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

export function registerDashboard(
  app: FastifyInstance,
  runtime: SwitchyardRuntime,
  options: DashboardOptions,
): void {
  const { config } = runtime;
  const now = options.now ?? Date.now;
  if (config.metrics.enabled) {
    const metrics = new SwitchyardMetrics({
      budget: () => runtime.budget.status(),
      fleet: () => runtime.engines?.snapshot(),
    });
    runtime.switchyard.onRecord(metrics.listener);
    app.get("/metrics", async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.render()),
    );
  }
  if (!config.dashboard.enabled) return;

  const feed = new LiveFeed();
  runtime.switchyard.onRecord(feed.listener);
  app.addHook("preClose", (done) => {
    feed.close();
    done();
  });
  const guard = new DashboardGuard({
    tokens: options.tokens,
    hosts: new HostGuard(config.server.host, config.server.allowed_hosts),
    sessions: new DashboardSessions({ idleMs: config.dashboard.session_hours * 3_600_000, now }),
  });
  const context: DashboardContext = {
    runtime,
    // A row arrives after its request ends: at most max_request_minutes later, plus the batching.
    rollup: new LedgerRollup({
      ledger: runtime.ledger,
      settleMs: (config.budget.max_request_minutes + 5) * 60_000,
      now,
    }),
    feed,
    runs: options.runs ?? noRuns,
    guard,
    now,
    calibration: calibrationCache(runtime, now),
  };
  const assets = loadAssets();

  // Browsers ask for it on every page; there is none, and a 401 would only fill their consoles.
  app.get("/favicon.ico", async (_request, reply) => reply.code(204).send());
  app.get("/", async (request, reply) => {
    const query = request.url.indexOf("?");
    return reply.redirect(DASHBOARD_PREFIX + (query === -1 ? "" : request.url.slice(query)), 302);
  });

  app.register(
    async (scope) => {
      scope.addContentTypeParser(
        "application/x-www-form-urlencoded",
        { parseAs: "string" },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
      );
      scope.addHook("onRequest", guard.check);
      scope.addHook("onSend", async (_request, reply, payload) => {
        for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, "cache-control": "no-store" }))
          if (!reply.hasHeader(name)) reply.header(name, value);
        return payload;
      });
      scope.setNotFoundHandler((request, reply) =>
        isApi(request)
          ? reply.code(404).send({
              error: {
                message: `No data endpoint ${request.method} ${request.url.split("?")[0]}`,
                code: "not-found",
              },
            })
          : sendPage(reply, 404, {
              title: "Page not found",
              body: html`<p class="error" role="alert">There is no dashboard page at ${request.url.split("?")[0]}.</p><p><a href="${DASHBOARD_PREFIX}">Go to the overview</a></p>`,
            }),
      );
      scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
        const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
        if (status === 500) runtime.logger.error({ err: error, url: request.url }, "dashboard error");
        const message =
          status === 500 ? "Something went wrong on the Brain; the log says what." : error.message;
        return isApi(request)
          ? reply
              .code(status)
              .send({ error: { message, code: status === 500 ? "internal" : "invalid-request" } })
          : sendPage(reply, status, {
              title: status === 500 ? "Error" : "Bad request",
              body: html`<p class="error" role="alert">${message}</p>`,
            });
      });

      scope.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
        const asset = assets.get(request.params.name);
        if (!asset) return reply.callNotFound();
        reply.header("cache-control", "public, max-age=3600").header("etag", asset.etag);
        if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
        return reply.type(asset.contentType).send(asset.body);
      });

      scope.get<{ Querystring: { next?: string; error?: string } }>("/login", async (request, reply) => {
        if (!guard.tokensEnabled) return reply.redirect(DASHBOARD_PREFIX, 303);
        return reply
          .type("text/html; charset=utf-8")
          .send(loginPage({ next: safeNext(request.query.next), error: request.query.error }));
      });
      scope.post<{ Body: Record<string, string> | undefined }>("/login", async (request, reply) => {
        const next = safeNext(request.body?.next);
        const cookie = guard.signIn(String(request.body?.token ?? ""), request.protocol === "https");
        if (!cookie) {
          runtime.logger.warn(
            { ip: request.ip },
            "dashboard sign-in refused: the token matches no configured token",
          );
          return reply
            .code(401)
            .type("text/html; charset=utf-8")
            .send(loginPage({ next, error: "invalid" }));
        }
        runtime.logger.info({ ip: request.ip }, "dashboard session started");
        return reply.header("set-cookie", cookie).redirect(next, 303);
      });
      scope.post("/logout", async (request, reply) =>
        reply
          .header("set-cookie", guard.signOut(request.headers))
          .redirect(guard.tokensEnabled ? LOGIN_PATH : DASHBOARD_PREFIX, 303),
      );

      registerDashboardPages(scope, context);
      registerDashboardApi(scope, context);
    },
    { prefix: DASHBOARD_PREFIX },
  );
}

const isApi = (request: FastifyRequest) => request.url.startsWith(`${DASHBOARD_PREFIX}/api/`);
