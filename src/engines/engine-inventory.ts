/**
 * What an Engine holds, read from Ollama (`/api/version`, `/api/tags`, `/api/ps`, `/api/show`), and
 * what changed between two readings: a configured model that was loaded and is gone while another
 * model is loaded is an eviction — a swap — with its likely cause; everything gone at once, or a new
 * version, is a restart. Reading is I/O; comparing is a pure function.
 */
import {
  getOllamaVersion,
  listInstalledOllamaModels,
  listLoadedOllamaModels,
  type OllamaApiConnection,
  type OllamaInstalledModel,
  type OllamaLoadedModel,
  type OllamaModelInfo,
  showOllamaModel,
} from "../backends/ollama/ollama-api.js";
import { sameModel } from "./engine-spec.js";

export interface EngineInventory {
  /** Epoch ms of the reading. */
  polledAt: number;
  version: string;
  installed: OllamaInstalledModel[];
  loaded: OllamaLoadedModel[];
  /** Capabilities and context length of each configured model that is installed. */
  details: Map<string, OllamaModelInfo>;
}

/**
 * Reads the Engine. `/api/show` is asked once per model and Ollama version (it does not change
 * while the model does not), reusing `previous` otherwise.
 */
export async function readInventory(
  connection: OllamaApiConnection,
  configuredModels: string[],
  previous?: EngineInventory,
): Promise<EngineInventory> {
  const version = await getOllamaVersion(connection);
  const [installed, loaded] = await Promise.all([
    listInstalledOllamaModels(connection),
    listLoadedOllamaModels(connection),
  ]);
  const details = new Map<string, OllamaModelInfo>();
  for (const model of configuredModels) {
    if (!installed.some((entry) => sameModel(entry.name, model))) continue;
    const known = previous?.version === version ? previous.details.get(model) : undefined;
    details.set(model, known ?? (await showOllamaModel(connection, model)));
  }
  return { polledAt: Date.now(), version, installed, loaded, details };
}

export interface Eviction {
  model: string;
  /** The likely cause, in words, for a warning. */
  cause: string;
}

export interface InventoryChange {
  /** Configured models that were loaded and are gone while something else is loaded. */
  evictions: Eviction[];
  /** Ollama restarted (new version) or dropped every model at once: time to warm again. */
  restarted: boolean;
}

/** Memory use above this share of the machine counts as memory pressure. */
const memoryPressureShare = 0.85;

export function compareInventories(
  previous: EngineInventory | undefined,
  current: EngineInventory,
  configuredModels: string[],
  memoryBytes?: number,
): InventoryChange {
  if (!previous) return { evictions: [], restarted: false };
  const wasLoaded = (model: string) => previous.loaded.some((entry) => sameModel(entry.name, model));
  const isLoaded = (model: string) => current.loaded.some((entry) => sameModel(entry.name, model));
  const hadConfigured = configuredModels.some(wasLoaded);
  if (previous.version !== current.version || (hadConfigured && current.loaded.length === 0)) {
    return { evictions: [], restarted: true };
  }
  const gone = configuredModels.filter((model) => wasLoaded(model) && !isLoaded(model));
  if (gone.length === 0 || current.loaded.length === 0) return { evictions: [], restarted: false };
  const cause = evictionCause(previous, current, configuredModels, memoryBytes);
  return { evictions: gone.map((model) => ({ model, cause })), restarted: false };
}

function evictionCause(
  previous: EngineInventory,
  current: EngineInventory,
  configuredModels: string[],
  memoryBytes: number | undefined,
): string {
  const strangers = current.loaded
    .filter((entry) => !configuredModels.some((model) => sameModel(model, entry.name)))
    .map((entry) => entry.name);
  const reasons: string[] = [];
  if (strangers.length > 0) {
    reasons.push(
      `another model was loaded on it (${strangers.join(", ")}, which Switchyard does not serve from this Engine)`,
    );
  }
  // What the Engine would need to hold everything it had plus what it has now.
  const needed = new Map<string, number>();
  for (const entry of [...previous.loaded, ...current.loaded]) {
    needed.set(entry.name, entry.sizeVramBytes ?? entry.sizeBytes ?? 0);
  }
  const neededBytes = [...needed.values()].reduce((sum, bytes) => sum + bytes, 0);
  if (memoryBytes !== undefined && neededBytes >= memoryBytes * memoryPressureShare) {
    reasons.push(
      `memory: holding them all needs ${gigabytes(neededBytes)} of the machine's ${gigabytes(memoryBytes)}`,
    );
  }
  if (reasons.length > 0) return reasons.join("; ");
  return (
    `it no longer fits beside ${current.loaded.map((entry) => entry.name).join(", ")} ` +
    `(${gigabytes(neededBytes)} in all): check OLLAMA_MAX_LOADED_MODELS and the context size × OLLAMA_NUM_PARALLEL`
  );
}

export function gigabytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}
