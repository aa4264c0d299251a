/**
 * The part of the fake Ollama that behaves like Ollama's scheduler, for tests and benchmarks that
 * need it: OLLAMA_NUM_PARALLEL slots per model (more requests wait inside, in the model's runner),
 * OLLAMA_MAX_LOADED_MODELS (a request for another model waits, FIFO, until the loaded one drains,
 * then evicts it and pays the load time — a swap), and OLLAMA_MAX_QUEUE (503 beyond it). Off unless
 * the fake is started with `engine` options.
 */
import { withTag } from "./fake-ollama-wire.js";

export interface FakeEngineOptions {
  /** OLLAMA_NUM_PARALLEL: requests per model decoded at once; more wait in the runner. */
  slots?: number;
  /** OLLAMA_MAX_LOADED_MODELS: models held at once; another one evicts the least recently used. */
  maxLoadedModels?: number;
  /** What loading a model costs, reported as the request's load_duration. */
  loadDelayMs?: number;
  /** OLLAMA_MAX_QUEUE: requests waiting beyond this are answered 503. */
  maxQueue?: number;
}

export interface FakeEngineTicket {
  /** Milliseconds this request spent waiting for its model to load (0 when it was resident). */
  loadMs: number;
  release(): void;
}

export interface LoadedModels {
  get(): string[];
  set(names: string[]): void;
}

interface Pending {
  model: string;
  dispatch(loadMs: number): void;
}

interface Runner {
  active: number;
  waiting: Array<() => void>;
}

export class FakeOllamaScheduler {
  loads = 0;
  evictions = 0;
  private readonly pending: Pending[] = [];
  private readonly runners = new Map<string, Runner>();
  private readonly unloading = new Set<string>();
  private readonly lastUsed = new Map<string, number>();
  private loading = false;
  private useCounter = 0;

  constructor(
    private readonly options: FakeEngineOptions,
    private readonly loaded: LoadedModels,
  ) {}

  /** Waits for the model to be loaded and a slot in its runner; undefined when the queue is full. */
  admit(model: string): Promise<FakeEngineTicket> | undefined {
    if (this.options.maxQueue !== undefined && this.waitingCount() >= this.options.maxQueue) return undefined;
    const key = withTag(model);
    return new Promise((resolve) => {
      this.pending.push({
        model: key,
        dispatch: (loadMs) => this.enterRunner(key, () => resolve(this.ticket(key, loadMs))),
      });
      this.pump();
    });
  }

  /** Loads the model without taking a slot (what `/api/generate` with no prompt does). */
  ensureLoaded(model: string): Promise<number> {
    return new Promise((resolve) => {
      this.pending.push({ model: withTag(model), dispatch: resolve });
      this.pump();
    });
  }

  private ticket(model: string, loadMs: number): FakeEngineTicket {
    let released = false;
    return {
      loadMs,
      release: () => {
        if (released) return;
        released = true;
        const runner = this.runner(model);
        runner.active--;
        const next = runner.waiting.shift();
        if (next) {
          runner.active++;
          next();
        } else if (runner.active === 0 && this.unloading.has(model)) {
          this.pump();
        }
      },
    };
  }

  private enterRunner(model: string, start: () => void): void {
    this.lastUsed.set(model, ++this.useCounter);
    const runner = this.runner(model);
    if (runner.active < (this.options.slots ?? Number.POSITIVE_INFINITY)) {
      runner.active++;
      start();
    } else {
      runner.waiting.push(start);
    }
  }

  /** Ollama's scheduler: pending requests in order; one that needs a load blocks those behind it. */
  private pump(): void {
    while (this.pending.length > 0 && !this.loading) {
      const head = this.pending[0]!;
      if (this.isLoaded(head.model) && !this.unloading.has(head.model)) {
        this.pending.shift();
        head.dispatch(0);
        continue;
      }
      const loaded = this.loaded.get().map(withTag);
      const limit = this.options.maxLoadedModels ?? Number.POSITIVE_INFINITY;
      if (loaded.length >= limit) {
        const victim = this.victim(loaded, head.model);
        if (victim === undefined) return;
        this.unloading.add(victim);
        if (this.busy(victim)) return;
        this.unloading.delete(victim);
        this.loaded.set(this.loaded.get().filter((name) => withTag(name) !== victim));
        this.evictions++;
      }
      this.startLoad(head);
      return;
    }
  }

  private startLoad(head: Pending): void {
    this.loading = true;
    const delay = this.options.loadDelayMs ?? 0;
    setTimeout(() => {
      this.loading = false;
      this.loads++;
      this.loaded.set([...this.loaded.get().filter((name) => withTag(name) !== head.model), head.model]);
      this.pending.splice(this.pending.indexOf(head), 1);
      head.dispatch(delay);
      this.pump();
    }, delay);
  }

  /** The least recently used loaded model, preferring one with nothing running. */
  private victim(loaded: string[], incoming: string): string | undefined {
    const candidates = loaded.filter((name) => name !== incoming);
    const already = candidates.find((name) => this.unloading.has(name));
    if (already) return already;
    const byAge = candidates.sort(
      (left, right) => (this.lastUsed.get(left) ?? 0) - (this.lastUsed.get(right) ?? 0),
    );
    return byAge.find((name) => !this.busy(name)) ?? byAge[0];
  }

  private isLoaded(model: string): boolean {
    return this.loaded.get().some((name) => withTag(name) === model);
  }

  private busy(model: string): boolean {
    const runner = this.runners.get(model);
    return runner !== undefined && (runner.active > 0 || runner.waiting.length > 0);
  }

  private runner(model: string): Runner {
    let runner = this.runners.get(model);
    if (!runner) {
      runner = { active: 0, waiting: [] };
      this.runners.set(model, runner);
    }
    return runner;
  }

  private waitingCount(): number {
    let count = this.pending.length;
    for (const runner of this.runners.values()) count += runner.waiting.length;
    return count;
  }
}
