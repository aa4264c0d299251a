/**
 * The admin API, behind the same tokens as the front doors: GET /admin/costs, /admin/savings,
 * /admin/budgets, /admin/engines, /admin/requests (newest first, or since a time),
 * /admin/requests/:id (one ledger row: what `switchyard ask` prints under an answer) and
 * /admin/sessions/:id (a Claude Code session's spend, for `switchyard statusline`), and POST
 * /admin/route (admin-route-plan.ts). Thin: every figure comes from the budget reports, the ledger
 * or the Engine fleet's snapshot.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { NO_ENGINES } from "../engines/engine-status.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import {
  budgetOverview,
  currentCostReport,
  currentSavingsReport,
  type ReportSources,
} from "../planning/budget-reports.js";
import { registerRoutePlanRoute } from "./admin-route-plan.js";
import { parseBody } from "./parse-body.js";

const epochMs = z.coerce
  .number({ error: "must be a time in epoch milliseconds" })
  .int({ error: "must be a time in epoch milliseconds" })
  .min(0, { error: "must be a time in epoch milliseconds" });

const requestsQuery = z.object({
  limit: z.coerce.number().catch(50),
  since: epochMs.optional(),
});

/** A session's window when the caller gives none: Claude Code sessions rarely outlive a week. */
const SESSION_WINDOW_MS = 7 * 86_400_000;

const sessionParams = z.object({
  // A short fragment would match unrelated callers and add up their spend.
  id: z.string().min(8, { error: "must be a session id (at least 8 characters)" }).max(200),
});
const sessionQuery = z.object({ since: epochMs.optional() });

export function registerAdminRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  registerRoutePlanRoute(app, runtime);
  const sources = (): ReportSources => ({
    config: runtime.config,
    ledger: runtime.ledger,
    evals: runtime.stores.evals,
    budget: runtime.budget,
    budgetStore: runtime.stores.budget,
    catalog: runtime.catalog(),
  });
  app.get("/admin/costs", async () => currentCostReport(sources()));
  app.get("/admin/savings", async () => currentSavingsReport(sources()));
  app.get("/admin/budgets", async () => budgetOverview(sources()));
  app.get("/admin/engines", async () => runtime.engines?.snapshot() ?? NO_ENGINES);
  app.get("/admin/requests", async (request) => {
    const query = parseBody(requestsQuery, request.query);
    const limit = Math.min(1_000, Math.max(1, Math.trunc(query.limit) || 50));
    if (query.since === undefined) return { data: await runtime.ledger.recent(limit) };
    const rows = await runtime.ledger.between(query.since, Date.now() + 1);
    return { data: rows.slice(-limit).reverse() };
  });
  app.get("/admin/requests/:id", async (request) => {
    const { id } = request.params as { id: string };
    const row = await runtime.ledger.find(id);
    if (!row) {
      throw new SwitchyardError(
        "not-found",
        `No request ${JSON.stringify(id)} in the ledger; the id is the x-switchyard-request-id header of a response (GET /admin/requests lists the newest)`,
      );
    }
    return row;
  });
  app.get("/admin/sessions/:id", async (request) => {
    const { id } = parseBody(sessionParams, request.params);
    const { since } = parseBody(sessionQuery, request.query);
    const sinceMs = since ?? Date.now() - SESSION_WINDOW_MS;
    return { session: id, sinceMs, ...(await runtime.ledger.callerSummary(id, sinceMs)) };
  });
}
