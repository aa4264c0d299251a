/**
 * The admin API, behind the same tokens as the front doors: GET /admin/costs, /admin/savings,
 * /admin/budgets, /admin/requests and /admin/engines, and POST /admin/route (admin-route-plan.ts).
 * Thin: every figure comes from the budget reports or the Engine fleet's snapshot.
 */
import type { FastifyInstance } from "fastify";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import type { FleetSnapshot } from "../engines/engine-status.js";
import {
  budgetOverview,
  currentCostReport,
  currentSavingsReport,
  type ReportSources,
} from "../planning/budget-reports.js";
import { registerRoutePlanRoute } from "./admin-route-plan.js";

const noEngines: FleetSnapshot = {
  engines: [],
  queues: [],
  waits: { leases: 0, waited: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 },
};

export function registerAdminRoutes(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  registerRoutePlanRoute(app, runtime);
  const sources = (): ReportSources => ({
    config: runtime.config,
    ledger: runtime.ledger,
    budget: runtime.budget,
    budgetStore: runtime.stores.budget,
    catalog: runtime.catalog(),
  });
  app.get("/admin/costs", async () => currentCostReport(sources()));
  app.get("/admin/savings", async () => currentSavingsReport(sources()));
  app.get("/admin/budgets", async () => budgetOverview(sources()));
  app.get("/admin/engines", async () => runtime.engines?.snapshot() ?? noEngines);
  app.get<{ Querystring: { limit?: string } }>("/admin/requests", async (request) => {
    const limit = Math.min(1_000, Math.max(1, Number(request.query.limit ?? 50) || 50));
    return { data: await runtime.ledger.recent(limit) };
  });
}
