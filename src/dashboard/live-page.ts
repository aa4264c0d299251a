/**
 * The Live page: the newest requests, with new ones pushed in over server-sent events as their
 * ledger rows are written, and a request's attempts and gate findings a click away.
 */
import type { RequestRecord } from "../store/ledger-store.js";
import { count, DASHBOARD_PREFIX, milliseconds, usd, utcTime } from "./dashboard-layout.js";
import { type Html, html } from "./html-template.js";

const STATUS_TEXT: Record<RequestRecord["status"], string> = {
  ok: "✓ ok",
  error: "✗ error",
  aborted: "⊘ aborted",
};

export function liveBody(rows: readonly RequestRecord[]): Html {
  return html`<p class="hint">New requests appear at the top as they finish. Select a row for its attempts and gate findings.</p>
<p id="live-status" class="live-status" data-live="connecting" role="status">Live updates: connecting…</p>
<div class="live">
<div class="table-wrap">
<table class="feed">
<caption class="visually-hidden">Recent requests, newest first</caption>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Task</th><th scope="col">Tier</th><th scope="col">Alias</th><th scope="col">Status</th><th scope="col">Tokens in/out</th><th scope="col">Cost</th><th scope="col">Latency</th><th scope="col">Fallback / escalation</th></tr></thead>
<tbody id="feed-rows" hx-ext="sse" sse-connect="${DASHBOARD_PREFIX}/api/events" sse-swap="request" hx-swap="afterbegin">${rows.map(feedRow)}</tbody>
</table>
</div>
<section id="attempts" class="attempts" aria-live="polite"><p class="hint">No request selected.</p></section>
</div>
${
  rows.length > 0
    ? html`<p><a href="${DASHBOARD_PREFIX}/live?before=${rows.at(-1)!.startedAt}">Older requests →</a></p>`
    : html`<p class="empty">No requests yet. Send one to the gateway and it shows up here.</p>`
}`;
}

/** One row of the feed; the same markup is pushed over the event stream. */
export function feedRow(row: RequestRecord): Html {
  const detailUrl = `${DASHBOARD_PREFIX}/live/requests/${encodeURIComponent(row.id)}`;
  return html`<tr data-request-id="${row.id}" data-status="${row.status}" hx-get="${detailUrl}" hx-target="#attempts" hx-swap="innerHTML">
<td><a href="${detailUrl}" hx-get="${detailUrl}" hx-target="#attempts">${utcTime(row.startedAt).slice(11, 19)}</a></td>
<td>${row.task}</td><td>T${row.tier}</td><td>${row.alias}</td><td class="status">${STATUS_TEXT[row.status]}</td>
<td class="number">${count(row.inputTokens)}/${count(row.outputTokens)}</td><td class="number">${usd(row.costUsd)}</td>
<td class="number">${milliseconds(row.latencyMs)}</td><td>${movesOf(row)}</td></tr>`;
}

function movesOf(row: RequestRecord): string {
  const moves: string[] = [];
  if (row.fallbackHops.length > 0)
    moves.push(`fallback ${row.fallbackHops.map((hop) => `${hop.fromAlias}→${hop.toAlias}`).join(", ")}`);
  if (row.attempt > 1) moves.push(`escalation, attempt ${row.attempt}`);
  if (row.gateVerdict) moves.push(`gate ${row.gateVerdict === "pass" ? "✓ pass" : "✗ fail"}`);
  if (row.budgetAction) moves.push(`budget: ${row.budgetAction}`);
  return moves.length === 0 ? "–" : moves.join("; ");
}

interface GateDetail {
  gates?: string[];
  findings?: Array<{ gate?: string; check?: string; message?: string }>;
  judge?: { alias?: string; score?: number | null; threshold?: number };
}

/** A request's attempts, first first, with each one's gate findings; a judge's call says whom it graded. */
export function attemptsFragment(attempts: readonly RequestRecord[]): Html {
  if (attempts.length === 0) return html`<p class="empty">No such request in the ledger.</p>`;
  return html`<h2>Request ${attempts[0]!.id}</h2>
<ol class="attempt-list">${attempts.map(
    (attempt) => html`<li>
<p><strong>${attempt.frontDoor === "judge" ? `Judge of attempt ${attempt.attempt}` : `Attempt ${attempt.attempt}`}</strong>: ${attempt.alias} (${attempt.model}, tier ${attempt.tier}) — ${STATUS_TEXT[attempt.status]}${attempt.errorCode ? html`, ${attempt.errorCode}: ${attempt.errorMessage ?? ""}` : ""}</p>
<p>${utcTime(attempt.startedAt)} · ${count(attempt.inputTokens)} in / ${count(attempt.outputTokens)} out · ${usd(attempt.costUsd)} · ${milliseconds(attempt.latencyMs)}${attempt.queueMs ? html` · queued ${milliseconds(attempt.queueMs)}` : ""}</p>
${attempt.fallbackHops.length > 0 ? html`<p>Fallbacks: ${attempt.fallbackHops.map((hop) => `${hop.fromAlias}→${hop.toAlias} (${hop.reason})`).join("; ")}</p>` : ""}
${gateSection(attempt)}
</li>`,
  )}</ol>`;
}

function gateSection(attempt: RequestRecord): Html | string {
  if (!attempt.gateVerdict) return html`<p>Gates: none ran.</p>`;
  let detail: GateDetail = {};
  try {
    detail = JSON.parse(attempt.gateDetail ?? "{}") as GateDetail;
  } catch {
    // An unreadable detail still shows the verdict.
  }
  return html`<p>Gate verdict: ${attempt.gateVerdict === "pass" ? "✓ pass" : "✗ fail"}${detail.gates?.length ? ` (${detail.gates.join(", ")})` : ""}${
    detail.judge
      ? `; judge ${detail.judge.alias ?? ""} scored ${detail.judge.score ?? "–"} of ${detail.judge.threshold ?? "–"} needed`
      : ""
  }</p>${
    detail.findings?.length
      ? html`<ul class="findings">${detail.findings.map((finding) => html`<li>${finding.gate ?? "gate"} / ${finding.check ?? "check"}: ${finding.message ?? ""}</li>`)}</ul>`
      : ""
  }`;
}
