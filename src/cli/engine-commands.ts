/**
 * `switchyard engine status | pull | warm | simulate | profile`, and the Engine lines of `switchyard status`.
 * They talk to the Engines directly over the LAN, using the config; status reads the Brain's live
 * fleet (`GET /admin/engines`) when it can, for slots in use, queue depth and swaps. With a Brain
 * named (`--url`, SWITCHYARD_URL, the client config), status reads everything from its admin API.
 */
import { request } from "undici";
import type { SwitchyardConfig } from "../config/config-schema.js";
import { pullOllamaModel } from "../engines/engine-ollama-calls.js";
import {
  formatEngineProbes,
  type LedgerEngineFigures,
  ledgerEngineFigures,
  probeEngines,
} from "../engines/engine-probe.js";
import { pullProgressRenderer } from "../engines/engine-pull-progress.js";
import { engineSpecs, servedModels } from "../engines/engine-spec.js";
import { type FleetSnapshot, formatFleetSnapshot } from "../engines/engine-status.js";
import { warmEngine } from "../engines/engine-warmup.js";
import {
  capacityScenarios,
  formatCapacityPlan,
  localModelForTask,
  runCapacityPlan,
} from "../planning/engine-capacity.js";
import { HARDWARE } from "../planning/engine-hardware.js";
import { ledgerWorkload, type SimulatedRequest, syntheticWorkload } from "../planning/engine-workload.js";
import { parseJson } from "../protocol/safe-json.js";
import { type BrainTarget, brainJson, namedBrainFor } from "./brain-client.js";
import { fleetSnapshotSchema, requestListSchema } from "./brain-responses.js";
import { brainBaseUrl } from "./claude-command.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { localLedger, withLocalSources } from "./cli-ledger.js";

export interface EngineOptions {
  config?: string;
  engine?: string;
  json?: boolean;
  url?: string;
  minutes?: string;
}

export async function engineStatusCommand(options: EngineOptions): Promise<void> {
  const minutes = positive(options.minutes ?? "15", "--minutes");
  const brain = namedBrainFor(options);
  const section = brain
    ? await remoteEngineStatusSection(brain, minutes)
    : await (async () => {
        const loaded = loadCliConfig(options.config);
        return engineStatusSection(loaded.config, loaded.env, { minutes });
      })();
  write(options.json ? JSON.stringify(section.value, null, 2) : section.text);
}

/**
 * Engine lines for `switchyard status` and `engine status` on the Brain itself: its live fleet
 * when `switchyard serve` answers at the config's address, else the Engines probed directly.
 */
export async function engineStatusSection(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  options: { minutes?: number } = {},
): Promise<{ value: unknown; text: string }> {
  const minutes = options.minutes ?? 15;
  const ids = engineSpecs(config).map((spec) => spec.id);
  const figures = await recentLedgerFigures(config, env, ids, minutes);
  const brain = brainBaseUrl(config, {});
  const token = env.SWITCHYARD_TOKEN || config.server.auth_tokens.find(Boolean);
  const live = await fetchFleet(brain, token, 1_000);
  if (live.snapshot) {
    return {
      value: { source: brain, fleet: live.snapshot, ledger: Object.fromEntries(figures) },
      text: `Engines (live, from ${brain}):\n${formatFleetSnapshot(live.snapshot, figures)}`,
    };
  }
  const probes = await probeEngines(config);
  return {
    value: { source: "direct", engines: probes, ledger: Object.fromEntries(figures) },
    text:
      `Engines (read directly; slots in use and queue depth need the Brain: ${live.error}):\n` +
      formatEngineProbes(probes, figures),
  };
}

/** The same lines from a named Brain's admin API: its fleet, and tok/s from its recent requests. */
export async function remoteEngineStatusSection(
  brain: BrainTarget,
  minutes = 15,
): Promise<{ value: unknown; text: string }> {
  const since = Date.now() - minutes * 60_000;
  const [fleet, recent] = await Promise.all([
    brainJson(brain, "/admin/engines", fleetSnapshotSchema),
    brainJson(brain, `/admin/requests?since=${since}&limit=1000`, requestListSchema),
  ]);
  const figures = ledgerEngineFigures(
    recent.data,
    fleet.engines.map((engine) => engine.id),
    minutes,
  );
  return {
    value: { source: brain.url, fleet, ledger: Object.fromEntries(figures) },
    text: `Engines (live, from ${brain.url}):\n${formatFleetSnapshot(fleet, figures)}`,
  };
}

/** Decode speed and cold loads per Engine from the ledger; none when the ledger cannot be read. */
async function recentLedgerFigures(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  ids: string[],
  minutes: number,
) {
  const loaded = { config, env, path: undefined };
  // Without a ledger here (a Workstation) there is nothing to read, and nothing is created.
  if (!localLedger(loaded)) return new Map<string, LedgerEngineFigures>();
  try {
    return await withLocalSources(loaded, "engine status", async (sources) => {
      const rows = await sources.ledger.between(Date.now() - minutes * 60_000, Date.now() + 1);
      return ledgerEngineFigures(rows, ids, minutes);
    });
  } catch {
    return new Map<string, LedgerEngineFigures>();
  }
}

async function fetchFleet(
  baseUrl: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ snapshot?: FleetSnapshot; error?: string }> {
  try {
    const response = await request(`${baseUrl}/admin/engines`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return { error: `the Brain answered ${response.statusCode}` };
    const parsed = parseJson(text);
    if (!parsed.ok)
      return { error: `the Brain at ${baseUrl} answered something that is not JSON (${parsed.error})` };
    const snapshot = parsed.value as FleetSnapshot | null;
    if (!Array.isArray(snapshot?.engines)) return { error: "the Brain answered something else" };
    return { snapshot };
  } catch (error) {
    return { error: `the Brain at ${baseUrl} is not answering (${(error as Error).message})` };
  }
}

export async function enginePullCommand(models: string[], options: EngineOptions): Promise<void> {
  const { config } = loadCliConfig(options.config);
  const tty = process.stdout.isTTY === true;
  for (const spec of selectEngines(config, options.engine)) {
    for (const model of models.length > 0 ? models : servedModels(spec)) {
      const render = pullProgressRenderer(`${spec.id}: ${model}`, tty, (text) => process.stdout.write(text));
      try {
        await pullOllamaModel({ baseUrl: spec.baseUrl, backend: spec.id }, model, render);
      } finally {
        if (tty) process.stdout.write("\n");
      }
    }
  }
}

export async function engineWarmCommand(options: EngineOptions): Promise<void> {
  const { config } = loadCliConfig(options.config);
  const reports = [];
  const lines: string[] = [];
  let complete = true;
  for (const spec of selectEngines(config, options.engine)) {
    const models = servedModels(spec);
    try {
      const report = await warmEngine(
        { baseUrl: spec.baseUrl, backend: spec.id },
        models,
        spec.contextWindows,
      );
      reports.push(report);
      complete &&= report.resident.length === models.length;
      lines.push(`${spec.id}: ${report.resident.length} of ${models.length} served models resident`);
      for (const load of report.loads)
        lines.push(`  ${load.model.padEnd(24)} loaded in ${(load.loadMs / 1000).toFixed(1)} s`);
      for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
    } catch (error) {
      complete = false;
      reports.push({ engine: spec.id, error: (error as Error).message });
      lines.push(`${spec.id}: ${(error as Error).message}`);
    }
  }
  write(options.json ? JSON.stringify(reports, null, 2) : lines.join("\n"));
  if (!complete) throw new CliFailure("switchyard: not every served model is resident", 1);
}

export interface SimulateOptions {
  config?: string;
  fromLedger?: boolean;
  days: string;
  speedup: string;
  rate: string;
  hours: string;
  burst?: string;
  seed: string;
  context?: string;
  slots?: string;
  kvCache?: string;
  hardware: string;
  json?: boolean;
}

export async function engineSimulateCommand(options: SimulateOptions): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const config = loaded.config;
  const hardware = HARDWARE[options.hardware];
  if (!hardware)
    throw new CliFailure(`switchyard: --hardware must be one of ${Object.keys(HARDWARE).join(", ")}`, 2);
  if (options.kvCache !== undefined && options.kvCache !== "f16" && options.kvCache !== "q8_0")
    throw new CliFailure("switchyard: --kv-cache must be f16 or q8_0", 2);
  let workload: SimulatedRequest[];
  let label: string;
  if (options.fromLedger) {
    const days = positive(options.days, "--days");
    const rows = await withLocalSources(
      loaded,
      "engine simulate --from-ledger",
      (sources) => sources.ledger.between(Date.now() - days * 86_400_000, Date.now() + 1),
      { url: false },
    );
    const local = new Set(engineSpecs(config).map((spec) => spec.id));
    workload = ledgerWorkload(rows, local, positive(options.speedup, "--speedup"));
    if (workload.length === 0)
      throw new CliFailure(`switchyard: the ledger has no local requests in the last ${days} days`, 1);
    label = `ledger replay, ${workload.length} local requests from the last ${days} days`;
  } else {
    const burst = options.burst === undefined ? undefined : positive(options.burst, "--burst");
    const rate = burst ?? positive(options.rate, "--rate");
    const hours = burst === undefined ? positive(options.hours, "--hours") : 1;
    const seed = Number(options.seed) || 1;
    workload = syntheticWorkload({
      modelForTask: (task) => localModelForTask(config, task),
      requestsPerHour: rate,
      hours,
      seed,
      burst: burst !== undefined,
    });
    label =
      burst === undefined
        ? `synthetic mix, ${rate} local requests/hour for ${hours} h (${workload.length} requests, seed ${seed})`
        : `synthetic burst of ${workload.length} requests (seed ${seed})`;
  }
  const maxWaitSeconds = (engineSpecs(config)[0]?.queue.maxWaitMs ?? 30_000) / 1000;
  const scenarioOptions = {
    todayHardware: hardware,
    maxWaitSeconds,
    ...(options.context ? { contextTokens: positive(options.context, "--context") } : {}),
    ...(options.slots ? { slots: positive(options.slots, "--slots") } : {}),
    ...(options.kvCache ? { kvCache: options.kvCache as "f16" | "q8_0" } : {}),
  };
  const plan = runCapacityPlan(capacityScenarios(config, scenarioOptions), workload, label, scenarioOptions);
  write(options.json ? JSON.stringify(plan, null, 2) : formatCapacityPlan(plan));
}

function selectEngines(config: SwitchyardConfig, id: string | undefined) {
  const specs = engineSpecs(config);
  const selected = id === undefined ? specs : specs.filter((spec) => spec.id === id);
  if (selected.length === 0) {
    throw new CliFailure(
      `switchyard: ${id === undefined ? "no Engines (Ollama back ends) are configured" : `no Engine "${id}"; configured: ${specs.map((spec) => spec.id).join(", ")}`}`,
      2,
    );
  }
  return selected;
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliFailure(`switchyard: ${flag} must be a positive number; got "${text}"`, 2);
  return value;
}

function write(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}
