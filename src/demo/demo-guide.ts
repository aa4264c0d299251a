/**
 * What the demo prints around the tour: what is running and that it is all simulated, and
 * afterwards how to explore the Brain it left up — curl, the OpenAI SDK, Claude Code, the
 * dashboard, the CLI on the demo's ledger, and the workflows on the sample repository.
 */
import { formatUsd } from "../budget/budget-money.js";
import { dashboardLink } from "../dashboard/dashboard-auth.js";
import type { ReceivedAlert } from "./demo-alert-inbox.js";
import { SIMULATED_ENGINE_ID, SIMULATED_OPENROUTER_ID } from "./demo-config.js";
import type { DemoSession } from "./demo-session.js";

export function introLines(session: DemoSession): string[] {
  const speed = session.time.speed;
  return [
    "Switchyard demo: the whole Brain on simulated back ends. No Engine, no OpenRouter key, no model runs:",
    "every answer is written by a simulator and marked [simulated].",
    "",
    `   simulated Engine (Ollama API)   ${session.engine.url}   qwen2.5-coder:32b, deepseek-r1:32b at M4 Max speeds`,
    `   simulated OpenRouter            ${session.openRouter.baseUrl}   Sonnet 4.5 and Opus 4.6 at list prices`,
    `   simulated time runs ${speed}× faster than real time${speed === 1 ? "" : " (--speed 1 for real time)"}`,
    `   ledger of its own: ${session.dataDirectory} (back ends ${SIMULATED_ENGINE_ID} / ${SIMULATED_OPENROUTER_ID})`,
    `   budget: ${formatUsd(session.config.budget.monthly_usd)} a month, alerts at 50/80/100% (--budget to change)`,
    session.typeChecks
      ? "   generated code is type-checked (tsc --strict) before it is returned"
      : "   no TypeScript compiler found: generated code is not type-checked (the escalation comes from a cut-off answer)",
  ];
}

export function alertLine(alert: ReceivedAlert): string {
  return `   ⚠ budget alert (webhook): ${alert.message}`;
}

/** `remainingUsd`: what paid traffic may still spend, to say when it is too little to explore with. */
export function exploreLines(session: DemoSession, remainingUsd: number): string[] {
  const { url, token } = session;
  const budget = session.config.budget.monthly_usd;
  const curlBody = JSON.stringify({
    model: "switchyard/auto",
    messages: [{ role: "user", content: "Write a commit message for: fix off-by-one in pager" }],
  });
  return [
    "",
    `The Brain stays up at ${url} with its simulators. Explore it with any client:`,
    "",
    `   token        ${token}`,
    `   curl         curl -si ${url}/v1/chat/completions -H 'authorization: Bearer ${token}' \\`,
    `                  -H 'content-type: application/json' -d '${curlBody}'`,
    `   OpenAI SDK   OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=${token}`,
    `   Claude Code  ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${token} ANTHROPIC_API_KEY= claude`,
    `   dashboard    ${dashboardLink(url, token)}`,
    `   admin API    ${url}/admin/requests, /admin/costs, /admin/savings, /admin/budgets, /admin/engines, /admin/runs`,
    `   the CLI      switchyard --config ${session.configPath} log   (costs, savings too)`,
    ...workflowLines(session),
    ...(remainingUsd < 1
      ? [
          "",
          `The demo's budget has ${formatUsd(remainingUsd)} of ${formatUsd(budget)} left: a paid request runs on Sonnet or Opus only`,
          "if its worst case (max_tokens × price) fits, else on the Engine (x-switchyard-downgraded).",
          "For room to explore the paid tiers: switchyard demo --no-tour (a $5 budget), or --budget 5.",
          "A workflow's paid steps run on the Engine too, until then (workflows.on_budget_exhausted: downgrade).",
        ]
      : []),
    "",
    "Every answer and every ledger row here is simulated. Ctrl-C stops the demo.",
  ];
}

/** How to try the workflows: a feature built on the sample repository, a bug hunt over it. */
function workflowLines(session: DemoSession): string[] {
  if (!session.sampleRepository)
    return ["   workflows    need git, which was not found: install it and start the demo again"];
  const repo = session.sampleRepository;
  // With the variable set, the commands a run prints next (approve, reject, resume) work as printed.
  return [
    `   workflows    export SWITCHYARD_CONFIG=${session.configPath}`,
    `                switchyard run feature --repo ${repo} --story "Add a slugify function for product titles"`,
    `                switchyard run bughunt --repo ${repo}`,
    "                a feature run waits for your approval before any code (switchyard approve <run id>);",
    "                switchyard runs lists the runs, runs show <run id> their steps, costs and branch; so does the dashboard",
  ];
}
