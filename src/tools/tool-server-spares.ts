/**
 * Warm spare built-in tool servers: for a long-running process (the Brain's workflow runs), a few
 * `mcp-server <kind>` processes per kind already started and past loading their code (most of a
 * server's start), but with no settings and so no roots yet. A run's hub takes one instead of
 * spawning (tool-server-connection.ts), hands it its settings as the first line of stdin
 * (spare-server-transport.ts), and a replacement starts in the background. Each spare goes to one
 * hub only; spares left when the pool closes are stopped, and a spare whose parent dies exits by
 * itself when its stdin closes.
 *
 * A spare is taken ready if one is, else still loading (it is ahead of a fresh spawn either way);
 * a spare that exited is dropped. A spare that dies before it is ready is not replaced until the
 * next take, so a launcher that cannot start never spins.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { type JSONRPCMessage, ReadBuffer } from "@modelcontextprotocol/client";
import { getDefaultEnvironment } from "@modelcontextprotocol/client/stdio";
import type { BuiltinServerKind } from "../config/tools-schema.js";
import {
  BUILTIN_SETTINGS_VARIABLE,
  type BuiltinLauncher,
  SETTINGS_FROM_STDIN,
  SPARE_READY_METHOD,
  type ToolServerSpec,
} from "./tool-server-specs.js";

export interface ToolServerSparesOptions {
  launcher: BuiltinLauncher;
  /** The kinds kept warm: a run's hub starts fs, and git for a run on a repository. */
  kinds: readonly BuiltinServerKind[];
  /** Spares kept per kind (`workflows.warm_spares`); 0 keeps none. */
  perKind: number;
  /** Start a replacement for each spare taken (a long-running Brain); off for a one-shot command. */
  refill: boolean;
  /**
   * How long after a handover the replacement starts (default 0: at once). A replacement loading
   * takes a core for a few hundred milliseconds; started while the run that took the spare is
   * planning and fanning out, it slows exactly the start the spare was there to speed up.
   */
  refillDelayMs?: number;
  /** Timers for `refillDelayMs` (tests move them by hand); by default the process's own, unref'd. */
  timers?: SpareTimers;
  /** Told when a spare becomes ready or exits (logs; tests wait on it). */
  onChange?: (kind: BuiltinServerKind, change: "ready" | "exit", pid: number | undefined) => void;
}

export interface SpareTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A pending replacement never keeps a process alive. */
const processTimers: SpareTimers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What the hub reads from a spare it took: its MCP messages, and its stderr. */
export interface SpareConsumer {
  message(message: JSONRPCMessage): void;
  error(error: Error): void;
}

const STOP_GRACE_MS = 2_000;

/** One spare process. Its stdout is read from the start, so nothing is lost between owners. */
export class WarmSpare {
  state: "loading" | "ready" | "taken" | "exited" = "loading";
  readonly process: ChildProcessWithoutNullStreams;
  /** Everything it writes on stderr, for its owner to read (the SDK's stdio transport does the same). */
  readonly stderr = new PassThrough();
  /** Resolves when it exits, whoever owns it. */
  readonly exited: Promise<void>;
  private readonly readBuffer = new ReadBuffer();
  private consumer: SpareConsumer | undefined;
  private onReady: (() => void) | undefined;
  private onHandedOver: (() => void) | undefined;

  constructor(
    readonly kind: BuiltinServerKind,
    launcher: BuiltinLauncher,
    events: {
      ready(spare: WarmSpare): void;
      exit(spare: WarmSpare, wasReady: boolean): void;
      /** Taken, it has answered its new owner for the first time, or exited trying. */
      handedOver(spare: WarmSpare): void;
    },
  ) {
    this.process = spawn(launcher.command, [...launcher.args, "mcp-server", kind], {
      // The environment a spawned server gets (the SDK's minimal one), settings apart.
      env: { ...getDefaultEnvironment(), [BUILTIN_SETTINGS_VARIABLE]: SETTINGS_FROM_STDIN },
      stdio: ["pipe", "pipe", "pipe"],
      shell: false,
    });
    this.onReady = () => events.ready(this);
    this.onHandedOver = () => events.handedOver(this);
    let markExited!: () => void;
    this.exited = new Promise((resolve) => {
      markExited = () => {
        if (this.state === "exited") return;
        const wasReady = this.state === "ready";
        if (this.state === "taken") this.handOver();
        else this.state = "exited";
        events.exit(this, wasReady);
        resolve();
      };
    });
    this.process.once("exit", markExited);
    // A command that cannot be spawned at all may say so only with "error", and has no pid.
    this.process.once("error", () => {
      if (this.process.pid === undefined) markExited();
    });
    this.process.stdin.on("error", (error) => this.consumer?.error(error));
    this.process.stdout.on("error", (error) => this.consumer?.error(error));
    this.process.stdout.on("data", (chunk: Buffer) => {
      try {
        this.readBuffer.append(chunk);
      } catch (error) {
        this.consumer?.error(error as Error);
        return;
      }
      this.drain();
    });
    this.process.stderr.on("data", (chunk: Buffer) => this.stderr.write(chunk));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.state !== "exited";
  }

  /** The hub's transport starts reading: messages buffered so far, then each as it comes. */
  attach(consumer: SpareConsumer): void {
    this.consumer = consumer;
    this.drain();
  }

  /** Stops a spare nobody took: stdin closed (it exits by itself), then signals if it lingers. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.stdin.end();
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), STOP_GRACE_MS).unref();
    await this.exited;
    clearTimeout(timer);
  }

  private drain(): void {
    for (;;) {
      // Taken but not yet read by its hub: what comes is the hub's, left in the buffer for it.
      if (this.state === "taken" && !this.consumer) return;
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC: the owner hears of it; a spare nobody owns has nobody to tell.
        this.consumer?.error(error as Error);
        continue;
      }
      if (message === null) return;
      if ("method" in message && message.method === SPARE_READY_METHOD) {
        if (this.state === "loading") this.state = "ready";
        this.onReady?.();
        this.onReady = undefined;
        continue;
      }
      if (this.consumer) {
        this.consumer.message(message);
        this.handOver();
      }
    }
  }

  private handOver(): void {
    this.onHandedOver?.();
    this.onHandedOver = undefined;
  }
}

export class ToolServerSpares {
  private readonly spares = new Map<BuiltinServerKind, WarmSpare[]>();
  /** Kinds whose last spare died before it was ready: not restarted until the next take. */
  private readonly resting = new Set<BuiltinServerKind>();
  private readonly waiters: Array<() => void> = [];
  /** Replacements waiting for `refillDelayMs`, by kind. */
  private readonly refills = new Map<BuiltinServerKind, unknown>();
  private closed = false;

  private readonly timers: SpareTimers;

  constructor(private readonly options: ToolServerSparesOptions) {
    for (const kind of options.kinds) this.spares.set(kind, []);
    this.timers = options.timers ?? processTimers;
  }

  /** Starts the spares (a no-op with `perKind: 0`). */
  start(): this {
    for (const kind of this.options.kinds) this.fill(kind);
    return this;
  }

  /**
   * A spare for this server, if the spec is a built-in server this pool keeps (same launcher and
   * kind, settings in the usual variable, nothing else in its environment) and one is alive: a
   * ready one first, else one still loading. It is the caller's from now on.
   */
  take(spec: ToolServerSpec): WarmSpare | undefined {
    if (this.closed || !spec.builtin || !this.keeps(spec)) return undefined;
    const spares = this.spares.get(spec.builtin);
    if (!spares) return undefined;
    const alive = spares.filter((spare) => spare.alive);
    const spare = alive.find((candidate) => candidate.state === "ready") ?? alive[0];
    this.spares.set(
      spec.builtin,
      alive.filter((candidate) => candidate !== spare),
    );
    this.resting.delete(spec.builtin);
    if (spare) spare.state = "taken";
    // The replacement starts once the spare has answered its hub (or died), and `refillDelayMs`
    // later, so that its loading does not compete for a core with the run that took it.
    if (!spare) this.refill(spec.builtin);
    return spare;
  }

  /** The process ids of the spares waiting now, by kind (status, tests). */
  pids(kind: BuiltinServerKind): number[] {
    return (this.spares.get(kind) ?? []).flatMap((spare) => (spare.pid === undefined ? [] : [spare.pid]));
  }

  /** Whether every kind has its spares loaded and waiting. */
  get allReady(): boolean {
    if (this.options.perKind === 0) return true;
    return [...this.spares.values()].every(
      (spares) => spares.filter((spare) => spare.state === "ready").length >= this.options.perKind,
    );
  }

  /** Resolves once every kind has its spares ready (the bench: a Brain that has been up a while). */
  whenAllReady(): Promise<void> {
    if (this.allReady || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops every spare not taken; taken ones belong to their hubs. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.refills.values()) this.timers.clearTimeout(timer);
    this.refills.clear();
    const spares = [...this.spares.values()].flat();
    this.spares.clear();
    await Promise.all(spares.map((spare) => spare.stop()));
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private keeps(spec: ToolServerSpec): boolean {
    const transport = spec.transport;
    if (transport.kind !== "stdio" || transport.cwd) return false;
    const { launcher } = this.options;
    const args = [...launcher.args, "mcp-server", spec.builtin];
    const extraEnv = Object.keys(transport.env).filter((name) => name !== BUILTIN_SETTINGS_VARIABLE);
    return (
      transport.command === launcher.command &&
      transport.args.length === args.length &&
      transport.args.every((arg, index) => arg === args[index]) &&
      extraEnv.length === 0 &&
      transport.env[BUILTIN_SETTINGS_VARIABLE] !== undefined
    );
  }

  /** A replacement for a spare taken, `refillDelayMs` from now (one pending per kind). */
  private refill(kind: BuiltinServerKind): void {
    if (!this.options.refill || this.closed) return;
    const delay = this.options.refillDelayMs ?? 0;
    if (delay === 0) {
      this.fill(kind);
      return;
    }
    if (this.refills.has(kind)) return;
    const timer = this.timers.setTimeout(() => {
      this.refills.delete(kind);
      this.fill(kind);
    }, delay);
    this.refills.set(kind, timer);
  }

  private fill(kind: BuiltinServerKind): void {
    const spares = this.spares.get(kind);
    if (this.closed || !spares || this.resting.has(kind)) return;
    while (spares.length < this.options.perKind) {
      spares.push(
        new WarmSpare(kind, this.options.launcher, {
          ready: (spare) => {
            this.options.onChange?.(kind, "ready", spare.pid);
            this.notifyReady();
          },
          exit: (spare, wasReady) => this.onExit(spare, wasReady),
          handedOver: () => this.refill(kind),
        }),
      );
    }
  }

  private onExit(spare: WarmSpare, wasReady: boolean): void {
    const spares = this.spares.get(spare.kind);
    const index = spares?.indexOf(spare) ?? -1;
    if (!spares || index === -1) return;
    spares.splice(index, 1);
    this.options.onChange?.(spare.kind, "exit", spare.pid);
    if (!wasReady) this.resting.add(spare.kind);
    else if (this.options.refill) this.fill(spare.kind);
  }

  private notifyReady(): void {
    if (!this.allReady) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
