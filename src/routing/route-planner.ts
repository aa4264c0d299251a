/**
 * The routing plan: one decision per request, made once, in steps. Each step takes the plan so far
 * and returns it unchanged or amended with a signal saying why:
 *
 * 1. select — the task, its ladder and how sure that is (`TaskRouter`: model, header, classifier);
 * 2. tools — rungs that cannot call tools are replaced or dropped (`tool-support.ts`);
 * 3. context — rungs whose window cannot hold the request are dropped (`context-fit.ts`);
 * 4. Opus share — a borderline Opus start begins on Sonnet while Opus is over its share
 *    (`opus-share.ts`).
 *
 * Where a budget denial goes is part of the plan from step 1 on (`Route.downgrades`), filtered by
 * steps 2 and 3 like the ladder. Nothing downstream decides the route again: the dispatcher walks
 * the plan, the escalation loop climbs it.
 */
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { ChatRequest } from "../protocol/chat-types.js";
import { type ContextWindowOf, contextWindowsFromConfig, fitRouteToContext } from "./context-fit.js";
import { OpusShareGuard } from "./opus-share.js";
import { type Route, TaskRouter } from "./task-router.js";
import { fitRouteToTools } from "./tool-support.js";

export interface PlanInput {
  request: ChatRequest;
  /** The caller's `x-switchyard-task` (or the CLI's `--task`), when it named one. */
  taskHint?: string | undefined;
}

export interface PlannerLogger {
  info(object: Record<string, unknown>, message: string): void;
}

export class RoutePlanner {
  readonly router: TaskRouter;
  readonly opusShare: OpusShareGuard;
  private readonly contextWindowOf: ContextWindowOf;

  private readonly logger: PlannerLogger | undefined;

  constructor(
    private readonly config: SwitchyardConfig,
    options: { now?: () => number; logger?: PlannerLogger } = {},
  ) {
    this.logger = options.logger;
    this.router = new TaskRouter(config);
    this.opusShare = new OpusShareGuard(config, options.now);
    this.contextWindowOf = contextWindowsFromConfig(config);
  }

  /** The plan for one request. Throws `model-not-found`, `invalid-request` or `context-too-long`. */
  plan({ request, taskHint }: PlanInput): Route {
    const hasTools = Boolean(request.tools?.length);
    const selected = this.router.route({
      model: request.model,
      taskHeader: taskHint,
      messages: request.messages,
      hasTools,
    });
    const withTools = hasTools ? fitRouteToTools(selected, this.config, this.router.allSteps()) : selected;
    const fitted = fitRouteToContext(withTools, request, this.contextWindowOf);
    const planned = this.opusShare.adjustStart(fitted);
    // The guard's decision is a route signal; the log is where it outlives the request.
    if (planned !== fitted)
      this.logger?.info({ task: planned.task, signal: planned.signals().at(-1) }, "opus-share guard");
    return planned;
  }
}
