/**
 * The Engines as the CLI sees them without the Brain: each configured Engine read directly over the
 * LAN (up or down, Ollama version, what is pulled and loaded), and recent decode speed and cold
 * loads from the ledger. Slots in use and queue depth live only in the running fleet
 * (`GET /admin/engines`); this is what can be known from outside it.
 */
import type { OllamaLoadedModel } from "../backends/ollama/ollama-api.js";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { RequestRecord } from "../store/ledger-store.js";
import { gigabytes, readInventory } from "./engine-inventory.js";
import { engineSpecs, sameModel, servedModels } from "./engine-spec.js";
import type { EngineThroughput } from "./engine-status.js";

export interface EngineProbe {
  id: string;
  baseUrl: string;
  up: boolean;
  error: string | null;
  version: string | null;
  /** Served models and whether each is pulled and loaded. */
  models: Array<{
    model: string;
    pulled: boolean;
    loaded: boolean;
    sizeVramBytes: number | null;
    contextLength: number | null;
  }>;
  /** Loaded models this Engine does not serve. */
  otherLoaded: string[];
}

export async function probeEngines(config: SwitchyardConfig, timeoutMs = 2_000): Promise<EngineProbe[]> {
  return Promise.all(
    engineSpecs(config).map(async (spec): Promise<EngineProbe> => {
      const models = servedModels(spec);
      try {
        const inventory = await readInventory({ baseUrl: spec.baseUrl, backend: spec.id, timeoutMs }, models);
        const loadedEntry = (model: string): OllamaLoadedModel | undefined =>
          inventory.loaded.find((entry) => sameModel(entry.name, model));
        return {
          id: spec.id,
          baseUrl: spec.baseUrl,
          up: true,
          error: null,
          version: inventory.version,
          models: models.map((model) => ({
            model,
            pulled: inventory.installed.some((entry) => sameModel(entry.name, model)),
            loaded: loadedEntry(model) !== undefined,
            sizeVramBytes: loadedEntry(model)?.sizeVramBytes ?? null,
            contextLength: loadedEntry(model)?.contextLength ?? null,
          })),
          otherLoaded: inventory.loaded
            .filter((entry) => !models.some((model) => sameModel(model, entry.name)))
            .map((entry) => entry.name),
        };
      } catch (error) {
        return {
          id: spec.id,
          baseUrl: spec.baseUrl,
          up: false,
          error: error instanceof Error ? error.message : String(error),
          version: null,
          models: models.map((model) => ({
            model,
            pulled: false,
            loaded: false,
            sizeVramBytes: null,
            contextLength: null,
          })),
          otherLoaded: [],
        };
      }
    }),
  );
}

export interface LedgerEngineFigures extends EngineThroughput {
  /** Requests that paid for a model load (load_ms above 500). */
  coldLoads: number;
}

/** Median tokens/s and cold loads per back end over rows that started in the window. */
export function ledgerEngineFigures(
  rows: RequestRecord[],
  engineIds: string[],
  minutes: number,
): Map<string, LedgerEngineFigures> {
  const figures = new Map<string, LedgerEngineFigures>();
  for (const id of engineIds) {
    const mine = rows.filter((row) => row.backend === id);
    const speeds = mine
      .map((row) => row.tokensPerSecond)
      .filter((speed): speed is number => speed !== null && speed > 0)
      .sort((left, right) => left - right);
    figures.set(id, {
      tokensPerSecond: speeds.length === 0 ? null : (speeds[Math.floor(speeds.length / 2)] ?? null),
      requests: mine.length,
      minutes,
      coldLoads: mine.filter((row) => (row.loadMs ?? 0) > 500).length,
    });
  }
  return figures;
}

export function formatEngineProbes(
  probes: EngineProbe[],
  figures: ReadonlyMap<string, LedgerEngineFigures>,
): string {
  const lines: string[] = [];
  for (const probe of probes) {
    const figure = figures.get(probe.id);
    const speed = figure
      ? `; ledger, last ${figure.minutes} min: ${figure.requests} requests, ${figure.tokensPerSecond === null ? "no" : figure.tokensPerSecond.toFixed(1)} tok/s median, ${figure.coldLoads} cold loads`
      : "";
    lines.push(
      `${probe.id.padEnd(10)} ${(probe.up ? "up" : "down").padEnd(5)} ${probe.baseUrl}${probe.version ? ` (Ollama ${probe.version})` : ""}${speed}`,
    );
    if (!probe.up) {
      lines.push(`  ${probe.error}`);
      continue;
    }
    for (const model of probe.models) {
      const state = !model.pulled
        ? "not pulled (switchyard engine pull)"
        : model.loaded
          ? "loaded"
          : "not loaded (switchyard engine warm)";
      const memory = model.sizeVramBytes === null ? "" : `  ${gigabytes(model.sizeVramBytes)}`;
      const context = model.contextLength === null ? "" : `  ctx ${model.contextLength}`;
      lines.push(`  ${model.model.padEnd(24)} ${state}${memory}${context}`);
    }
    if (probe.otherLoaded.length > 0) lines.push(`  also loaded: ${probe.otherLoaded.join(", ")}`);
  }
  return lines.join("\n");
}
