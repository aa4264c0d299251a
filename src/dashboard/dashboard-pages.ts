/**
 * The dashboard's pages: Overview, Live (and a request's attempts), Engines, Runs (and the
 * decisions on a paused run), Calibration. Each reads through the dashboard's context and renders
 * with the page modules; a fragment is sent alone when htmx asks for it, a whole page otherwise.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ledgerEngineFigures } from "../engines/engine-probe.js";
import { engineSpecs } from "../engines/engine-spec.js";
import { calibrationBody } from "./calibration-page.js";
import type { DashboardContext } from "./dashboard-context.js";
import { DASHBOARD_PREFIX, type PageName, page } from "./dashboard-layout.js";
import { calibrationQuery, livePageQuery, parseQuery, rejectBody } from "./dashboard-queries.js";
import { type EnginesView, enginesBody, enginesSection } from "./engines-page.js";
import { type Html, html } from "./html-template.js";
import { attemptsFragment, liveBody } from "./live-page.js";
import { overviewData } from "./overview-data.js";
import { overviewBody } from "./overview-page.js";
import { runSection, runsBody } from "./runs-page.js";

export function registerDashboardPages(scope: FastifyInstance, context: DashboardContext): void {
  const { runtime, guard, now } = context;
  const { config } = runtime;
  const show = (reply: FastifyReply, current: PageName, title: string, body: Html) =>
    sendPage(reply, 200, { title, current, body, signedIn: guard.tokensEnabled });

  scope.get("/", async (_request, reply) => {
    const data = await overviewData({ runtime, rollup: context.rollup }, { hours: 48, now: now() });
    return show(reply, "overview", "Overview", overviewBody(data));
  });
  scope.get("/live", async (request, reply) => {
    const query = parseQuery(livePageQuery, request.query);
    if (!query.ok) return badRequest(reply, query.message);
    const rows = await runtime.ledger.recent(50, query.value.before);
    return show(reply, "live", "Live", liveBody(rows));
  });
  scope.get<{ Params: { id: string } }>("/live/requests/:id", async (request, reply) => {
    const fragment = attemptsFragment(await runtime.ledger.attemptsOf(request.params.id));
    return isHtmx(request)
      ? reply.type("text/html; charset=utf-8").send(fragment.text)
      : show(reply, "live", "Request", fragment);
  });
  scope.get("/engines", async (_request, reply) =>
    show(reply, "engines", "Engines", enginesBody(await enginesView(context))),
  );
  scope.get("/engines/section", async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .send(
        html`<div id="engines" hx-get="${DASHBOARD_PREFIX}/engines/section" hx-trigger="every 5s" hx-swap="outerHTML">${enginesSection(await enginesView(context))}</div>`
          .text,
      ),
  );
  scope.get("/runs", async (_request, reply) =>
    show(reply, "runs", "Runs", runsBody(await context.runs.list())),
  );
  scope.get<{ Params: { id: string } }>("/runs/:id", async (request, reply) => {
    const run = await context.runs.get(request.params.id);
    if (!run)
      return sendPage(reply, 404, {
        title: "Run not found",
        current: "runs",
        body: html`<p class="error" role="alert">No run ${request.params.id}.</p><p><a href="${DASHBOARD_PREFIX}/runs">All runs</a></p>`,
      });
    return show(reply, "runs", `Run ${run.id}`, runSection(run));
  });
  scope.post<{ Params: { id: string } }>("/runs/:id/approve", async (request, reply) =>
    decide(
      context,
      request,
      reply,
      () => context.runs.approve(request.params.id),
      "Approved: the run carries on.",
    ),
  );
  scope.post<{ Params: { id: string }; Body: unknown }>("/runs/:id/reject", async (request, reply) => {
    const body = parseQuery(rejectBody, request.body);
    if (!body.ok) return badRequest(reply, body.message.replace("Bad query", "Bad form"));
    return decide(
      context,
      request,
      reply,
      () => context.runs.reject(request.params.id, body.value.reason),
      "Rejected: the run was told why.",
    );
  });
  scope.get("/calibration", async (request, reply) => {
    const query = parseQuery(calibrationQuery, request.query);
    if (!query.ok) return badRequest(reply, query.message);
    const days = query.value.days ?? config.escalation.calibration.days;
    return show(reply, "calibration", "Calibration", calibrationBody(await context.calibration(days), days));
  });
}

async function decide(
  context: DashboardContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  decision: () => Promise<void>,
  notice: string,
): Promise<FastifyReply> {
  const { id } = request.params;
  let message = notice;
  try {
    await decision();
  } catch (error) {
    message = `Not done: ${(error as Error).message}`;
  }
  const run = await context.runs.get(id);
  if (!run)
    return sendPage(reply, 404, {
      title: "Run not found",
      current: "runs",
      body: html`<p class="error" role="alert">No run ${id}.</p>`,
    });
  if (isHtmx(request)) return reply.type("text/html; charset=utf-8").send(runSection(run, message).text);
  return sendPage(reply, 200, {
    title: `Run ${run.id}`,
    current: "runs",
    body: runSection(run, message),
    signedIn: context.guard.tokensEnabled,
  });
}

async function enginesView(context: DashboardContext): Promise<EnginesView> {
  const { runtime } = context;
  const at = context.now();
  const specs = engineSpecs(runtime.config);
  const recent = (await runtime.ledger.recent(2_000)).filter((row) => row.startedAt >= at - 15 * 60_000);
  return {
    fleet: runtime.engines?.snapshot() ?? {
      engines: [],
      queues: [],
      waits: { leases: 0, waited: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 },
    },
    specs,
    figures: ledgerEngineFigures(
      recent,
      specs.map((spec) => spec.id),
      15,
    ),
    now: at,
  };
}

export function sendPage(
  reply: FastifyReply,
  status: number,
  options: Parameters<typeof page>[0],
): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(page(options));
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return sendPage(reply, 400, {
    title: "Bad request",
    body: html`<p class="error" role="alert">${message}</p>`,
  });
}

const isHtmx = (request: FastifyRequest) => request.headers["hx-request"] === "true";
