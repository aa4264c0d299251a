/**
 * The scripted tour: sends each tour step through the Brain's real front doors over HTTP, as any
 * client would, and prints one line per request from what came back — the `x-switchyard-*`
 * headers (task, tier, alias, model, escalation), the usage in the body, and the cost from the
 * ledger through the admin API. Budget alerts print as the inbox receives them; the tour waits for
 * each paid request's booking so an alert follows the request that caused it. It ends with the
 * savings of the traffic it sent, from `/admin/savings`.
 */
import { formatUsd } from "../budget/budget-money.js";
import type { SavingsReport } from "../planning/savings-report.js";
import type { RequestRecord } from "../store/ledger-store.js";
import type { DemoSession } from "./demo-session.js";
import { TOUR_STEPS, type TourStep } from "./demo-tour-steps.js";
import { SIMULATED_CLOUD_MODELS, SIMULATED_LOCAL_MODELS } from "./simulated-model-speeds.js";

export interface TourOptions {
  session: DemoSession;
  print: (line: string) => void;
  steps?: readonly TourStep[];
}

export interface TourStepResult {
  step: TourStep;
  status: number;
  headers: Record<string, string>;
  rows: RequestRecord[];
}

const TOUR_CALLER = "switchyard-demo-tour";

export async function runTour({
  session,
  print,
  steps = TOUR_STEPS,
}: TourOptions): Promise<TourStepResult[]> {
  const results: TourStepResult[] = [];
  for (const [index, step] of steps.entries()) {
    print("");
    print(`${index + 1}. ${step.title}`);
    const started = performance.now();
    const response = await send(session, step);
    const seconds = (performance.now() - started) / 1000;
    const headers = Object.fromEntries(
      [...response.headers].filter(([name]) => name.startsWith("x-switchyard-")),
    );
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      print(`   failed: HTTP ${response.status} ${errorMessage(body)}`);
      results.push({ step, status: response.status, headers, rows: [] });
      continue;
    }
    const rows = await ledgerRows(session, headers["x-switchyard-request-id"] ?? "");
    for (const line of describe(headers, body, rows, seconds, session.time.speed)) print(`   ${line}`);
    // Booking the spend and posting any alert run after the answer: wait, so an alert prints here.
    await session.runtime.budget.idle();
    results.push({ step, status: response.status, headers, rows });
  }
  print("");
  for (const line of await savingsLines(session)) print(line);
  return results;
}

function send(session: DemoSession, step: TourStep): Promise<Response> {
  const messages = [{ role: "user", content: step.prompt }];
  if (step.door === "openai") {
    return fetch(`${session.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: step.model, messages, max_tokens: step.maxTokens, user: TOUR_CALLER }),
    });
  }
  return fetch(`${session.url}/v1/messages`, {
    method: "POST",
    headers: {
      "x-api-key": session.token,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    },
    body: JSON.stringify({
      model: step.model,
      messages,
      max_tokens: step.maxTokens,
      metadata: { user_id: TOUR_CALLER },
    }),
  });
}

/** The request's ledger rows (every attempt, and any judge call), read through the admin API. */
async function ledgerRows(session: DemoSession, requestId: string): Promise<RequestRecord[]> {
  await session.runtime.switchyard.drained(10_000);
  await session.runtime.switchyard.idle();
  await session.runtime.ledger.flush();
  const response = await fetch(`${session.url}/admin/requests?limit=100`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  const { data } = (await response.json()) as { data: RequestRecord[] };
  // The id a response names may be a later attempt's; its chain starts at its parent.
  const chainId = data.find((row) => row.id === requestId)?.parentId ?? requestId;
  return data
    .filter((row) => row.id === chainId || row.parentId === chainId)
    .sort((left, right) => left.attempt - right.attempt);
}

function describe(
  headers: Record<string, string>,
  body: unknown,
  rows: readonly RequestRecord[],
  seconds: number,
  speed: number,
): string[] {
  const usage = usageOf(body);
  const cost = rows.reduce((sum, row) => sum + row.costUsd, 0);
  // The models' time runs --speed times faster here; the type checks run in real time.
  const modelSeconds = rows.reduce((sum, row) => sum + realModelSeconds(row, speed), 0);
  const checkSeconds = rows.reduce((sum, row) => sum + executableGateMs(row), 0) / 1000;
  const timing = [
    speed === 1 ? "" : `~${formatSeconds(modelSeconds)} of model time on real hardware`,
    checkSeconds > 0 ? `type checks ${formatSeconds(checkSeconds)}` : "",
  ].filter(Boolean);
  const realSpeed = timing.length > 0 ? ` (${timing.join(", ")})` : "";
  const lines = [
    [
      headers["x-switchyard-task"],
      `tier ${headers["x-switchyard-tier"]}`,
      headers["x-switchyard-alias"],
      headers["x-switchyard-model"],
      `${usage.input}→${usage.output} tokens`,
      cost === 0 ? "$0 (local)" : formatUsd(cost),
      `${formatSeconds(seconds)}${realSpeed}`,
    ].join(" · "),
  ];
  const escalations = Number(headers["x-switchyard-escalations"] ?? 0);
  if (escalations > 0) {
    const failed = rows.find((row) => row.gateVerdict === "fail");
    lines.push(
      `↑ escalated ${headers["x-switchyard-escalation-path"]?.replace(/->/g, " → ")}: ${failedCheck(failed)}`,
    );
  }
  const downgraded = headers["x-switchyard-downgraded"];
  if (downgraded) lines.push(`↓ budget cap reached: downgraded ${downgraded.replace("->", " → ")}`);
  const loaded = rows.find((row) => (row.loadMs ?? 0) > 500);
  if (loaded)
    lines.push(
      `(waited for ${loaded.model} to load: ${formatSeconds((loaded.loadMs ?? 0) / 1000)} of model time)`,
    );
  return lines;
}

/**
 * How long the attempt's model would take on the real Engine or through OpenRouter, from what the
 * ledger recorded (tokens, the Engine's own tok/s and load time) and the simulators' speeds.
 */
function realModelSeconds(row: RequestRecord, speed: number): number {
  const cloud = SIMULATED_CLOUD_MODELS.find((model) => model.id === row.model);
  if (cloud) return (cloud.firstTokenMs + (row.outputTokens / cloud.outputTokensPerSecond) * 1000) / 1000;
  const local = SIMULATED_LOCAL_MODELS.find((model) => model.name === row.model);
  if (!local) return (row.latencyMs * speed) / 1000;
  const decode = row.tokensPerSecond ?? local.decodeTokensPerSecond;
  return (row.loadMs ?? 0) / 1000 + row.inputTokens / local.promptTokensPerSecond + row.outputTokens / decode;
}

function executableGateMs(row: RequestRecord): number {
  if (!row.gateDetail) return 0;
  try {
    const detail = JSON.parse(row.gateDetail) as { gates?: string[]; ms?: number };
    return detail.gates?.includes("executable") ? (detail.ms ?? 0) : 0;
  } catch {
    return 0;
  }
}

function usageOf(body: unknown): { input: number; output: number } {
  const usage = (body as { usage?: Record<string, number> } | undefined)?.usage ?? {};
  return {
    input: usage.prompt_tokens ?? usage.input_tokens ?? 0,
    output: usage.completion_tokens ?? usage.output_tokens ?? 0,
  };
}

function failedCheck(row: RequestRecord | undefined): string {
  if (!row?.gateDetail) return "its answer failed a quality check";
  try {
    const detail = JSON.parse(row.gateDetail) as { findings?: Array<{ gate: string; message: string }> };
    const finding = detail.findings?.[0];
    if (!finding) return "its answer failed a quality check";
    const firstLine =
      finding.message.split("\n").find((line) => /error|cut off|limit/i.test(line)) ?? finding.message;
    return `${row.alias}'s answer failed the ${finding.gate} gate (${firstLine.trim().slice(0, 140)})`;
  } catch {
    return "its answer failed a quality check";
  }
}

async function savingsLines(session: DemoSession): Promise<string[]> {
  const response = await fetch(`${session.url}/admin/savings`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  const report = (await response.json()) as SavingsReport;
  const figures = report.toDate;
  const rows = (await session.runtime.ledger.recent(1_000)).filter((row) => row.frontDoor !== "judge");
  const local = rows.filter((row) => row.tier === 1).length;
  return [
    `Savings report (GET /admin/savings): ${report.requests} requests, ${report.inputTokens} input / ${report.outputTokens} output tokens`,
    `   ${local} of ${rows.length} attempts answered free on the Engine`,
    `   cost through Switchyard: ${formatUsd(figures.apiUsd)}`,
    `   the same tokens all on ${report.sonnetModel}: ${formatUsd(figures.allSonnetApiUsd)} (saved ${formatUsd(figures.allSonnetApiUsd - figures.apiUsd)})`,
    `   the same tokens all on ${report.opusModel}: ${formatUsd(figures.allOpusApiUsd)} (saved ${formatUsd(figures.allOpusApiUsd - figures.apiUsd)})`,
    `   with the subscription and electricity: switchyard --config ${session.configPath} savings`,
  ];
}

function errorMessage(body: unknown): string {
  const error = (body as { error?: { message?: string } } | undefined)?.error;
  return error?.message ?? "";
}

function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}
