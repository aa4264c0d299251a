/**
 * The Engines page: each Engine up or down, its models (loaded or not, slots in use, queue), decode
 * speed from the ledger, swaps and warnings, and the profile it runs under (the settings in force).
 * The section refreshes itself every few seconds.
 */
import { redactDatabaseUrl } from "../config/config-redact.js";
import type { LedgerEngineFigures } from "../engines/engine-probe.js";
import type { EngineSpec } from "../engines/engine-spec.js";
import type { EngineSnapshot, FleetSnapshot } from "../engines/engine-status.js";
import { count, DASHBOARD_PREFIX, milliseconds, utcTime } from "./dashboard-layout.js";
import { type Html, html } from "./html-template.js";

const STATE_TEXT: Record<EngineSnapshot["state"], string> = {
  up: "▲ up",
  down: "▼ down",
  probing: "◆ probing (down, checking)",
};

export interface EnginesView {
  fleet: FleetSnapshot;
  specs: EngineSpec[];
  figures: ReadonlyMap<string, LedgerEngineFigures>;
  now: number;
}

export function enginesBody(view: EnginesView): Html {
  return html`<div id="engines" hx-get="${DASHBOARD_PREFIX}/engines/section" hx-trigger="every 5s" hx-swap="outerHTML">${enginesSection(view)}</div>`;
}

export function enginesSection(view: EnginesView): Html {
  const { fleet } = view;
  if (fleet.engines.length === 0)
    return html`<p class="empty">No Engine (Ollama back end) is configured.</p>`;
  return html`<p class="hint">Updated ${utcTime(view.now)}. Queue waits over the last ${count(fleet.waits.leases)} leases: ${count(fleet.waits.waited)} waited; p50 ${milliseconds(fleet.waits.p50Ms)}, p95 ${milliseconds(fleet.waits.p95Ms)}, max ${milliseconds(fleet.waits.maxMs)}.</p>
${fleet.engines.map((engine) => engineCard(engine, view))}`;
}

function engineCard(engine: EngineSnapshot, view: EnginesView): Html {
  const spec = view.specs.find((candidate) => candidate.id === engine.id);
  const figures = view.figures.get(engine.id);
  return html`<section class="engine" data-engine="${engine.id}" data-state="${engine.state}">
<h2>${engine.id} <span class="state">${STATE_TEXT[engine.state]}</span></h2>
<p>${redactDatabaseUrl(engine.baseUrl)} · Ollama ${engine.version ?? "version unknown"}${engine.lastFailure ? html` · last failure: ${engine.lastFailure}` : ""}${engine.switchingTo ? html` · switching to ${engine.switchingTo}` : ""}</p>
<div class="table-wrap"><table class="compact"><thead><tr><th scope="col">Model</th><th scope="col">Aliases</th><th scope="col">Loaded</th><th scope="col">Slots in use</th><th scope="col">Queued</th><th scope="col">Context</th><th scope="col">Last load</th></tr></thead>
<tbody>${engine.models.map(
    (model) =>
      html`<tr><td>${model.model}</td><td>${model.aliases.join(", ")}</td><td>${model.residency}</td><td class="number">${model.inFlight} of ${model.slots}</td><td class="number">${model.queued}</td><td class="number">${model.contextLength === null ? "–" : count(model.contextLength)}</td><td class="number">${milliseconds(model.lastLoadMs)}</td></tr>`,
  )}</tbody></table></div>
<p>Served ${count(engine.counters.served)} · failures ${count(engine.counters.failures)} · busy retries ${count(engine.counters.busyRetries)} · swaps ${count(engine.counters.swaps)} · cold loads ${count(engine.counters.coldLoads)}${
    figures
      ? html` · last ${figures.minutes} min: ${count(figures.requests)} requests, ${figures.tokensPerSecond === null ? "no" : figures.tokensPerSecond.toFixed(1)} tok/s median`
      : ""
  }${engine.otherLoaded.length ? html` · also loaded: ${engine.otherLoaded.join(", ")}` : ""}</p>
${engine.warnings.length ? html`<ul class="warnings">${engine.warnings.map((warning) => html`<li>⚠ ${utcTime(Date.parse(warning.at))}: ${warning.message}</li>`)}</ul>` : ""}
${spec ? profile(spec) : ""}
</section>`;
}

function profile(spec: EngineSpec): Html {
  return html`<details><summary>Profile in force</summary><dl class="profile">
<dt>Slots per model</dt><dd>${spec.slots}</dd>
<dt>Models held at once</dt><dd>${spec.maxLoadedModels ?? "learned at warm-up"}</dd>
<dt>Memory</dt><dd>${spec.memoryBytes === undefined ? "not set" : `${(spec.memoryBytes / 1e9).toFixed(0)} GB`}</dd>
<dt>Keep warm</dt><dd>${spec.warm ? "yes" : "no"}</dd>
<dt>Queue</dt><dd>wait up to ${milliseconds(spec.queue.maxWaitMs)}, ${spec.queue.maxDepth} deep, then ${spec.queue.onTimeout}</dd>
<dt>Serves</dt><dd>${[...spec.serves].map(([alias, model]) => `${alias} → ${model}`).join(", ")}</dd>
</dl></details>`;
}
