/**
 * How a LangGraph node finds its config, made cheap. Every runnable call LangGraph makes — each
 * node, each channel write, each branch — goes through `@langchain/core`'s
 * `AsyncLocalStorageProviderSingleton.runWithConfig`, which, when no tracer is attached, still
 * builds a langsmith `RunTree` (an id, a dotted order, timestamps, a dozen environment reads) only
 * to carry the call's config in its `extra`, where `getConfig()` and `interrupt()` read it back.
 * In the workflow bench that tree was 35% of the bytes a step allocates and about half of
 * LangGraph's own time per step.
 *
 * With tracing off and no callbacks on the call, `installLightRunContext` has the same config
 * carried in a plain object of the same shape — the config under the same key in `extra`, and the
 * context variables carried over as the library carries them — so every reader finds what it
 * found before. With tracing on (LANGSMITH_TRACING and its older names), or callbacks passed, the
 * library's own path runs unchanged. A probe checks the round trip once when it installs; if the
 * library ever reads the config from somewhere else, the original stays in place.
 */
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";

/** Where `@langchain/core` keeps a call's config in the stored run (its `LC_CHILD_KEY`). */
const CHILD_CONFIG_KEY = Symbol.for("lc:child_config");
/** Where it keeps context variables (`_CONTEXT_VARIABLES_KEY`), carried from the enclosing call. */
const CONTEXT_VARIABLES_KEY = Symbol.for("lc:context_variables");

/** The environment variables that turn LangSmith tracing on, by their current and older names. */
const TRACING_VARIABLES = [
  "LANGSMITH_TRACING",
  "LANGSMITH_TRACING_V2",
  "LANGCHAIN_TRACING_V2",
  "LANGCHAIN_TRACING",
];

type Provider = typeof AsyncLocalStorageProviderSingleton;
type RunWithConfig = Provider["runWithConfig"];

interface StoredRun {
  extra?: Record<symbol, unknown>;
  [CONTEXT_VARIABLES_KEY]?: unknown;
}

let installed: RunWithConfig | undefined;

/**
 * Installs the light path (once per process); false when tracing is on or the probe fails, in
 * which case nothing is changed.
 */
export function installLightRunContext(env: NodeJS.ProcessEnv = process.env): boolean {
  if (installed) return true;
  if (TRACING_VARIABLES.some((name) => env[name] === "true")) return false;
  const provider = AsyncLocalStorageProviderSingleton;
  const original = provider.runWithConfig;
  const light = function <T>(
    this: Provider,
    config: Parameters<RunWithConfig>[0],
    callback: () => T,
    avoidCreatingRootRunTree?: boolean,
  ): T {
    if (config?.callbacks !== undefined)
      return original.call(this, config, callback, avoidCreatingRootRunTree) as T;
    const storage = this.getInstance();
    const previous = storage.getStore() as StoredRun | undefined;
    let stored: StoredRun | undefined = avoidCreatingRootRunTree
      ? undefined
      : { extra: { [CHILD_CONFIG_KEY]: config } };
    if (previous?.[CONTEXT_VARIABLES_KEY] !== undefined) {
      stored ??= {};
      stored[CONTEXT_VARIABLES_KEY] = previous[CONTEXT_VARIABLES_KEY];
    }
    return storage.run(stored, callback) as T;
  };
  provider.runWithConfig = light;
  if (!roundTrips(provider)) {
    provider.runWithConfig = original;
    return false;
  }
  installed = original;
  return true;
}

/** Whether the light path is in place. */
export function lightRunContextInstalled(): boolean {
  return installed !== undefined;
}

/** Puts the library's own path back (tests). */
export function uninstallLightRunContext(): void {
  if (!installed) return;
  AsyncLocalStorageProviderSingleton.runWithConfig = installed;
  installed = undefined;
}

/** A config stored by `runWithConfig` is the one `getRunnableConfig` reads inside the callback. */
function roundTrips(provider: Provider): boolean {
  const probe = { configurable: { probe: Symbol("light-run-context") } };
  // Before LangGraph has set up Node's AsyncLocalStorage nothing is stored by either path, and
  // this is false: install after importing LangGraph.
  try {
    return provider.runWithConfig(probe, () => provider.getRunnableConfig() === probe);
  } catch {
    return false;
  }
}
