/**
 * The MCP tools in-process, on a running Switchyard: `ask` goes through `switchyard.chat` (front
 * door "mcp") like every other door, `route` through the same planner, and the reports through
 * the budget reports and the fleet snapshot exactly as the admin API serves them. Used by `/mcp`
 * on the gateway and by `switchyard mcp` without a Brain.
 */
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { NO_ENGINES } from "../engines/engine-status.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { budgetOverview, currentCostReport, type ReportSources } from "../planning/budget-reports.js";
import { collectChatEvents } from "../protocol/chat-types.js";
import { promptChatRequest } from "../protocol/prompt-request.js";
import { explainRoute } from "../routing/route-explanation.js";
import type { RequestRecord } from "../store/ledger-store.js";
import {
  type AskOutcome,
  askCallerTag,
  askRows,
  type JsonObject,
  requestCost,
  type SwitchyardService,
  type WorkflowRuns,
} from "./switchyard-service.js";

export interface LocalServiceOptions {
  /** Workflow runs, once there are workflows. */
  runs?: WorkflowRuns | undefined;
  /** Called by `close()`: a runtime the service was started with and owns; nothing on the gateway. */
  onClose?: () => Promise<void>;
}

export function localSwitchyardService(
  runtime: SwitchyardRuntime,
  options: LocalServiceOptions = {},
): SwitchyardService {
  const rowsOfAsks = new AskRowWatch();
  runtime.switchyard.onRecord((row) => rowsOfAsks.add(row));
  const sources = (): ReportSources => ({
    config: runtime.config,
    ledger: runtime.ledger,
    evals: runtime.stores.evals,
    budget: runtime.budget,
    budgetStore: runtime.stores.budget,
    catalog: runtime.catalog(),
  });
  return {
    where: "in-process",
    runs: options.runs,
    async route(question) {
      const route = runtime.switchyard.planner.plan({
        request: promptChatRequest(question),
        taskHint: question.task,
      });
      return explainRoute(route);
    },
    async ask(question, signal) {
      const tag = askCallerTag();
      // Rows are written as each attempt's verdict is in, all before a gated answer resolves.
      const watch = rowsOfAsks.watch(tag);
      try {
        const call = runtime.switchyard.chat(promptChatRequest(question), {
          frontDoor: "mcp",
          signal,
          taskHint: question.task,
          caller: tag,
        });
        const answer = await call.answer;
        const result = answer.gated?.result ?? (await collectChatEvents(answer.events));
        const rows = askRows(watch.rows, tag);
        const answering = rows.find((row) => row.id === answer.id);
        const cost = rows.length > 0 ? requestCost(rows) : undefined;
        return {
          answer: result.text,
          requestId: answer.id,
          task: answer.route.task,
          tier: answer.step.tier,
          alias: answer.step.alias,
          model: answer.step.model,
          inputTokens: answering?.inputTokens ?? result.usage.inputTokens,
          outputTokens: answering?.outputTokens ?? result.usage.outputTokens,
          costUsd: cost?.costUsd ?? null,
          costEstimated: cost?.costEstimated ?? false,
          attempts: cost?.attempts ?? 1,
          escalations: answer.gated?.escalations ?? 0,
        } satisfies AskOutcome;
      } finally {
        rowsOfAsks.forget(tag);
      }
    },
    async costs() {
      return asJson(await currentCostReport(sources()));
    },
    async budgetStatus() {
      return asJson(await budgetOverview(sources()));
    },
    async engineStatus() {
      return asJson(runtime.engines?.snapshot() ?? NO_ENGINES);
    },
    async close() {
      await options.onClose?.();
    },
  };
}

/**
 * The ledger rows of the asks in flight, gathered as the spine writes them: each ask's own (by
 * its caller tag) and, while any ask waits, the judge calls' (no caller; `askRows` keeps those
 * linked to the ask's attempts).
 */
class AskRowWatch {
  private readonly watched = new Map<string, { rows: RequestRecord[] }>();

  watch(tag: string): { rows: RequestRecord[] } {
    const watch = { rows: [] as RequestRecord[] };
    this.watched.set(tag, watch);
    return watch;
  }

  forget(tag: string): void {
    this.watched.delete(tag);
  }

  add(row: RequestRecord): void {
    if (this.watched.size === 0) return;
    if (row.caller !== null) {
      this.watched.get(row.caller)?.rows.push(row);
      return;
    }
    if (row.parentId === null) return;
    for (const watch of this.watched.values()) watch.rows.push(row);
  }
}

/** What the admin API would send: dates as ISO strings, nothing that is not JSON. */
function asJson(value: unknown): JsonObject {
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new SwitchyardError("internal", "a report was not a JSON object");
  return json as JsonObject;
}
