/**
 * Switchyard's own MCP tools, one catalogue for every transport: `ask`, `route`, `costs`,
 * `budget_status`, `engine_status` — and `run_workflow`, `run_status`, `approve` when the service
 * has workflow runs. Each tool parses its arguments (the kit has checked them against the schema),
 * calls the service and renders: text a model reads, plus the same as structured content.
 * The descriptions are written for a model choosing among tools: what each does, when to use it,
 * what it returns.
 */
import { z } from "zod";
import { DEFAULT_TASK_START, TASK_KINDS } from "../config/task-kinds.js";
import { defineTool, jsonOutput, type ServerTool, type ToolSet } from "../tools/servers/tool-server-kit.js";
import { workflowTools } from "./mcp-workflow-tools.js";
import type { AskOutcome, JsonObject, SwitchyardService } from "./switchyard-service.js";

/** Largest `arguments` accepted by default: room for a prompt with a few files pasted in. */
export const DEFAULT_MAX_ARGUMENT_BYTES = 1_000_000;

/** The task kinds grouped by the alias each starts on by default, for the `task` argument. */
const TASKS_BY_DEFAULT_START = [...new Set(Object.values(DEFAULT_TASK_START))]
  .map(
    (alias) =>
      `${TASK_KINDS.filter((task) => DEFAULT_TASK_START[task] === alias).join(", ")} start on ${alias}`,
  )
  .join("; ");

const taskArgument = z
  .enum(TASK_KINDS, { error: `must be one of the 15 task kinds: ${TASK_KINDS.join(", ")}` })
  .optional()
  .describe(
    `The kind of work, when you know it; it decides which model tier the request starts on. By default ${TASKS_BY_DEFAULT_START} (local-* are free local models, cloud-sonnet and cloud-opus are paid). Omit it to let Switchyard classify the prompt.`,
  );

const promptArgument = z
  .string()
  .min(1, { error: "must not be empty" })
  .describe(
    "The complete request for the model, with any code or context it needs pasted in: the model sees nothing else.",
  );

const systemArgument = z
  .string()
  .optional()
  .describe("A system prompt for the model: its role, rules or the answer's format.");

const askOutput = z.object({
  answer: z.string().describe("The model's answer."),
  request_id: z.string().describe("The answer's ledger id (x-switchyard-request-id)."),
  task: z.string().describe("The task kind the request ran as."),
  tier: z.number().describe("1 = local (free), 2 = Claude Sonnet, 3 = Claude Opus."),
  alias: z.string().describe("The configured model alias that answered."),
  model: z.string().describe("The concrete model that answered."),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z
    .number()
    .nullable()
    .describe("USD for the whole request (answer, escalations, judge calls); null if not yet in the ledger."),
  cost_estimated: z.boolean().describe("True while part of the cost is an estimate."),
  attempts: z.number().describe("Ledger rows behind the answer: model attempts plus judge calls."),
  escalations: z.number().describe("Times a failed quality check moved the request to a stronger model."),
});

const routeOutput = z.object({
  task: z.string(),
  tier: z.number(),
  alias: z.string(),
  model: z.string(),
  backend: z.string(),
  selector: z.string().describe("How the task was chosen: classifier, task-header, task-model, alias, …"),
  confidence: z.number().describe("0–1: 1 when the task was named, else the classifier's confidence."),
  ladder: z.array(z.string()).describe("Aliases a failed answer may climb, from the start."),
  downgrades: z.array(z.string()).describe("Where a budget cap would send it instead, best first."),
  signals: z.array(z.string()).describe("Why: the selector and the signals that decided."),
});

const noArguments = z.strictObject({});

export interface SwitchyardToolSetOptions {
  /** Largest `arguments` accepted, in bytes of JSON; default DEFAULT_MAX_ARGUMENT_BYTES. */
  maxArgumentBytes?: number;
}

/** Switchyard's tools over a service, ready to serve over stdio or HTTP with the tool-server kit. */
export function switchyardToolSet(
  service: SwitchyardService,
  options: SwitchyardToolSetOptions = {},
): ToolSet {
  const tools: ServerTool[] = [
    defineTool({
      name: "ask",
      description:
        "Run a prompt on the cheapest model that can do it well, through Switchyard: it classifies the task, starts on the lowest viable tier (free local models first, Claude Sonnet or Opus when judgment is needed), checks the answer with the task's quality gates, moves up a tier if it fails, and charges the cost to the budget. Use it to hand off a self-contained piece of work — write or refactor a function, write tests, draft a commit message or a story, review a diff, analyse a design — or for a second opinion. The prompt must carry everything the model needs. Returns the answer, then a line with task, tier, alias, model, tokens and cost in USD.",
      inputSchema: z.strictObject({
        prompt: promptArgument,
        task: taskArgument,
        system: systemArgument,
        max_tokens: z
          .number()
          .int({ error: "must be a whole number of tokens" })
          .positive({ error: "must be a positive number of tokens" })
          .max(128_000, { error: "must be at most 128000" })
          .optional()
          .describe("Upper bound on the answer's length, in tokens."),
      }),
      outputSchema: askOutput,
      // It spends budget and calls models: not read-only, and it reaches beyond this server.
      hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      async run(args, context) {
        const outcome = await service.ask(
          { prompt: args.prompt, task: args.task, system: args.system, maxTokens: args.max_tokens },
          context.signal,
        );
        return { text: `${outcome.answer}\n\n${askFooter(outcome)}`, structured: askStructured(outcome) };
      },
    }),
    defineTool({
      name: "route",
      description:
        "Explain how Switchyard would route a prompt, without running it: the task kind it would classify the prompt as, the tier, alias and concrete model it would start on, the ladder it would climb if the answer failed its checks, where a budget cap would send it, and the signals that decided. Free and instant — no model is called, nothing is spent. Use it to see whether a request would stay local (free) or go to a paid model before using `ask`, or to explain a routing decision. Returns the plan as JSON.",
      inputSchema: z.strictObject({ prompt: promptArgument, task: taskArgument, system: systemArgument }),
      outputSchema: routeOutput,
      async run(args, context) {
        const plan = await service.route(args, context.signal);
        return jsonOutput({ ...plan });
      },
    }),
    defineTool({
      name: "costs",
      description:
        "What AI work has cost in the current budget period: total USD, requests and tokens, the share answered by the free local models, broken down by model alias, tier, task kind and day, and the forecast for the period's end. Use it when asked about spend, where the money goes, or whether it is on track. Read-only. Returns the report as JSON.",
      inputSchema: noArguments,
      run: async (_args, context) => jsonOutput(await service.costs(context.signal)),
    }),
    defineTool({
      name: "budget_status",
      description:
        "Where each budget stands now: for the monthly budget and each per-alias cap (e.g. for Opus), the limit, spent, reserved and remaining USD; the OpenRouter key's remaining credit; what happens at a cap (downgrade to a cheaper model, or refuse); and the alerts fired this period. Use it before expensive work, or to explain why a request was downgraded or refused. Read-only. Returns JSON.",
      inputSchema: noArguments,
      run: async (_args, context) => jsonOutput(await service.budgetStatus(context.signal)),
    }),
    defineTool({
      name: "engine_status",
      description:
        "The local inference machines (Engines, running Ollama): whether each is up, which models are loaded, slots in use and queue depth per model, memory, swaps, failures and recent warnings, and how long requests waited for a slot. Use it to see whether the free local models are available or busy — e.g. why an answer was slow or went to a paid model. Read-only. Returns JSON.",
      inputSchema: noArguments,
      run: async (_args, context) => jsonOutput(await service.engineStatus(context.signal)),
    }),
    ...(service.runs ? workflowTools(service.runs) : []),
  ];
  return {
    serverName: "switchyard",
    tools,
    maxArgumentBytes: options.maxArgumentBytes ?? DEFAULT_MAX_ARGUMENT_BYTES,
    instructions: `Switchyard routes AI work to the cheapest model tier that can do it well (free local models first, paid Claude models when needed) under a hard budget${service.where === "in-process" ? "" : `; these tools reach it through the Brain at ${service.where}`}. Use ask to hand off self-contained work, route to preview where a prompt would go, and costs, budget_status and engine_status to check spend, budgets and the local models.`,
    close: () => service.close(),
  };
}

/** The line under an answer: what ran it and what it cost. */
export function askFooter(outcome: AskOutcome): string {
  const cost =
    outcome.costUsd === null
      ? "cost not yet recorded"
      : `$${outcome.costUsd.toFixed(outcome.costUsd > 0 && outcome.costUsd < 0.01 ? 6 : 4)}${outcome.costEstimated ? " (estimated)" : ""}`;
  const escalated = outcome.escalations > 0 ? ` · escalated ${outcome.escalations}×` : "";
  return `[switchyard: ${outcome.task} · tier ${outcome.tier} · ${outcome.alias} (${outcome.model}) · ${outcome.inputTokens} in / ${outcome.outputTokens} out tokens · ${cost}${escalated} · request ${outcome.requestId}]`;
}

function askStructured(outcome: AskOutcome): JsonObject {
  return {
    answer: outcome.answer,
    request_id: outcome.requestId,
    task: outcome.task,
    tier: outcome.tier,
    alias: outcome.alias,
    model: outcome.model,
    input_tokens: outcome.inputTokens,
    output_tokens: outcome.outputTokens,
    cost_usd: outcome.costUsd,
    cost_estimated: outcome.costEstimated,
    attempts: outcome.attempts,
    escalations: outcome.escalations,
  };
}
