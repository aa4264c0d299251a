/**
 * The dashboard's data endpoints, JSON under /dashboard/api (the pages' charts, scripts, and
 * anyone with a token): the overview figures, a tier series for any range, the request feed and
 * one request's attempts, the live event stream, and whether the session is alive. Parameters are
 * validated; a bad one is a 400 that names it.
 */
import type { FastifyInstance } from "fastify";
import type { DashboardContext } from "./dashboard-context.js";
import { feedQuery, overviewQuery, parseQuery, seriesQuery } from "./dashboard-queries.js";
import { configuredTiers, overviewData, tierSeries } from "./overview-data.js";

const invalid = (message: string) => ({ error: { message, code: "invalid-request" } });

export function registerDashboardApi(scope: FastifyInstance, context: DashboardContext): void {
  const { runtime, rollup } = context;

  scope.get("/api/overview", async (request, reply) => {
    const query = parseQuery(overviewQuery, request.query);
    if (!query.ok) return reply.code(400).send(invalid(query.message));
    return overviewData({ runtime, rollup }, { hours: query.value.hours ?? 48, now: context.now() });
  });

  scope.get("/api/series", async (request, reply) => {
    const query = parseQuery(seriesQuery, request.query);
    if (!query.ok) return reply.code(400).send(invalid(query.message));
    const { from, to, bucket } = query.value;
    return tierSeries({
      totals: await rollup.hourly(from, to),
      bucket,
      startMs: from,
      endMs: to,
      timeZone: runtime.config.budget.time_zone,
      tiers: configuredTiers(runtime.config),
    });
  });

  scope.get("/api/feed", async (request, reply) => {
    const query = parseQuery(feedQuery, request.query);
    if (!query.ok) return reply.code(400).send(invalid(query.message));
    const rows = await runtime.ledger.recent(query.value.limit ?? 50, query.value.before);
    return { data: rows, next: rows.length > 0 ? rows.at(-1)!.startedAt : null };
  });

  scope.get<{ Params: { id: string } }>("/api/requests/:id", async (request, reply) => {
    const attempts = await runtime.ledger.attemptsOf(request.params.id);
    if (attempts.length === 0)
      return reply
        .code(404)
        .send({ error: { message: `No request ${request.params.id} in the ledger`, code: "not-found" } });
    return { data: attempts };
  });

  scope.get("/api/session", async () => ({ signedIn: true }));

  // Server-sent events: the raw response stays open and the feed writes rows into it.
  scope.get("/api/events", (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    const unsubscribe = context.feed.subscribe({
      write: (chunk) => response.write(chunk),
      end: () => response.end(),
    });
    request.raw.on("close", unsubscribe);
  });
}
