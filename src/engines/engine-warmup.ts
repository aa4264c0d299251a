/**
 * Warming an Engine: load every model it serves with `keep_alive: -1`, one after another (Ollama
 * loads one model at a time anyway, and two 20 GB reads at once only fight over the disk), then
 * read `/api/ps` to check they are resident together. A model that loaded and is already gone
 * again means the Engine cannot hold them all: a swap waiting to happen on every request.
 */
import {
  listLoadedOllamaModels,
  type OllamaApiConnection,
  type OllamaLoadedModel,
} from "../backends/ollama/ollama-api.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { gigabytes } from "./engine-inventory.js";
import { loadOllamaModel, type ModelLoad } from "./engine-ollama-calls.js";
import { sameModel } from "./engine-spec.js";

export interface WarmUpReport {
  engine: string;
  loads: ModelLoad[];
  /** Models that could not be loaded (not pulled, out of memory), with Ollama's reason. */
  failures: Array<{ model: string; message: string }>;
  /** Served models resident after warm-up. */
  resident: string[];
  /** Served models that loaded but are not resident now: the Engine could not hold them all. */
  evicted: string[];
  /** Models Ollama holds that this Engine does not serve. */
  others: string[];
  loaded: OllamaLoadedModel[];
  warnings: string[];
}

/** `contextWindows`: the num_ctx each model's requests ask for (`EngineSpec.contextWindows`). */
export async function warmEngine(
  connection: OllamaApiConnection,
  models: string[],
  contextWindows?: ReadonlyMap<string, number>,
): Promise<WarmUpReport> {
  const engine = connection.backend ?? "ollama";
  const loads: ModelLoad[] = [];
  const failures: WarmUpReport["failures"] = [];
  for (const model of models) {
    try {
      loads.push(await loadOllamaModel(connection, model, -1, contextWindows?.get(model)));
    } catch (error) {
      // An Engine that cannot be reached is down, not short of one model: let the caller count it.
      if (!(error instanceof SwitchyardError) || isUnreachable(error)) throw error;
      failures.push({ model, message: error.message });
    }
  }
  const loaded = await listLoadedOllamaModels(connection);
  const isLoaded = (model: string) => loaded.some((entry) => sameModel(entry.name, model));
  const resident = models.filter(isLoaded);
  const evicted = loads.map((load) => load.model).filter((model) => !isLoaded(model));
  const others = loaded
    .filter((entry) => !models.some((model) => sameModel(model, entry.name)))
    .map((entry) => entry.name);
  const warnings = failures.map((failure) => `Engine "${engine}": ${failure.message}`);
  if (evicted.length > 0) {
    const used = loaded.reduce((sum, entry) => sum + (entry.sizeVramBytes ?? entry.sizeBytes ?? 0), 0);
    warnings.push(
      `Engine "${engine}" cannot hold its models together: ${evicted.join(", ")} loaded and was evicted again ` +
        `(now loaded: ${loaded.map((entry) => entry.name).join(", ") || "nothing"}, ${gigabytes(used)}). ` +
        "Requests will swap models; raise OLLAMA_MAX_LOADED_MODELS, free memory (a smaller context_window, " +
        "fewer slots, OLLAMA_KV_CACHE_TYPE=q8_0) or give the models separate Engines.",
    );
  }
  if (others.length > 0) {
    warnings.push(
      `Engine "${engine}" also holds ${others.join(", ")}, which Switchyard does not serve from it: it takes memory the served models may need.`,
    );
  }
  return { engine, loads, failures, resident, evicted, others, loaded, warnings };
}

function isUnreachable(error: SwitchyardError): boolean {
  return (
    error.code === "upstream-unreachable" || error.code === "upstream-timeout" || error.code === "aborted"
  );
}
