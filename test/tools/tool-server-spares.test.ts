/**
 * Warm spare tool servers as real processes (`mcp-server fs` from the sources): a hub takes a
 * spare instead of spawning (its server's pid is the spare's) and the pool starts a replacement;
 * the fs server handed root A still refuses paths outside A; bad settings on the settings line
 * fail the start as bad settings in the environment do; a dead spare is passed over for a spawn;
 * closing the pool stops its spares; and a spare exits by itself when its stdin closes — when the
 * pool lets it go, and when the process holding the pool is killed. Every wait is on an event.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuiltinServerKind } from "../../src/config/tools-schema.js";
import { toolsSchema } from "../../src/config/tools-schema.js";
import { McpToolHub } from "../../src/tools/mcp-tool-hub.js";
import { systemClock, ToolServerConnection } from "../../src/tools/tool-server-connection.js";
import { type SpareTimers, ToolServerSpares } from "../../src/tools/tool-server-spares.js";
import {
  BUILTIN_SETTINGS_VARIABLE,
  SETTINGS_FROM_STDIN,
  type ToolServerSpec,
  toolServerSpec,
} from "../../src/tools/tool-server-specs.js";
import { processGone } from "../helpers/process-gone.js";
import { TSX_LAUNCHER } from "../helpers/workflow-harness.js";

const TIMEOUT_MS = 120_000;
const base = mkdtempSync(join(tmpdir(), "switchyard-spares-"));
const rootA = join(base, "a");
const rootB = join(base, "b");

beforeAll(() => {
  mkdirSync(rootA);
  mkdirSync(rootB);
  writeFileSync(join(rootA, "inside.txt"), "inside A\n");
  writeFileSync(join(rootB, "outside.txt"), "secret in B\n");
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A pool whose changes a test can wait for. */
function watchedPool(options: {
  perKind: number;
  refill: boolean;
  kinds?: BuiltinServerKind[];
  refillDelayMs?: number;
  timers?: SpareTimers;
}) {
  const waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  const pool = new ToolServerSpares({
    launcher: TSX_LAUNCHER,
    kinds: options.kinds ?? ["fs"],
    perKind: options.perKind,
    refill: options.refill,
    ...(options.refillDelayMs !== undefined ? { refillDelayMs: options.refillDelayMs } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    onChange: () => {
      for (const waiter of waiters.filter((entry) => entry.test())) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  const until = (test: () => boolean) =>
    test() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }));
  return { pool, until };
}

function fsHub(root: string, spares?: ToolServerSpares): McpToolHub {
  return new McpToolHub({
    config: toolsSchema.parse({
      restart: { max_attempts: 1 },
      servers: { fs: { builtin: "fs", roots: [root], allow: ["*"] } },
    }),
    launcher: TSX_LAUNCHER,
    ...(spares ? { spares } : {}),
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("warm spare tool servers", () => {
  it(
    "hands a ready spare to a hub (the server's pid is the spare's), and starts a replacement",
    async () => {
      const { pool } = watchedPool({ perKind: 1, refill: true });
      pool.start();
      await pool.whenAllReady();
      const [spare] = pool.pids("fs");
      expect(spare).toBeTypeOf("number");
      const hub = fsHub(rootA, pool);
      try {
        const read = await hub.callTool({ name: "fs.read", arguments: { path: join(rootA, "inside.txt") } });
        expect(read).toMatchObject({ isError: false });
        expect(read.text).toContain("inside A");
        const [status] = await hub.status();
        expect(status!.pid).toBe(spare);
        const [replacement] = pool.pids("fs");
        expect(replacement).toBeTypeOf("number");
        expect(replacement).not.toBe(spare);
      } finally {
        await hub.close();
        await pool.close();
      }
      // The hub's close waited for the process to go, as for a server it spawned.
      expect(processGone(spare!)).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    "keeps the fs server a spare became to the root it was handed",
    async () => {
      const { pool } = watchedPool({ perKind: 1, refill: false });
      pool.start();
      await pool.whenAllReady();
      const [spare] = pool.pids("fs");
      const hub = fsHub(rootA, pool);
      try {
        for (const path of [join(rootB, "outside.txt"), join(rootA, "..", "b", "outside.txt")]) {
          const refused = await hub.callTool({ name: "fs.read", arguments: { path } });
          expect(refused.isError).toBe(true);
          expect(refused.text).not.toContain("secret in B");
        }
        const listing = await hub.callTool({ name: "fs.list", arguments: { path: rootB } });
        expect(listing.isError).toBe(true);
        expect((await hub.status())[0]!.pid).toBe(spare);
      } finally {
        await hub.close();
        await pool.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    "fails a start on bad settings on the settings line as on bad settings in the environment",
    async () => {
      const { pool } = watchedPool({ perKind: 1, refill: false });
      pool.start();
      await pool.whenAllReady();
      const [spare] = pool.pids("fs");
      const good = toolServerSpec("fs", fsEntry(), TSX_LAUNCHER);
      const failures: string[] = [];
      for (const [settings, expected] of [
        ['{"builtin":"fs","roots":"not a list"}', /Invalid fs server settings: roots: .*expected array/],
        ["not json", /not valid JSON/],
      ] as const) {
        for (const withSpare of [true, false]) {
          const spec = withSettings(good, settings);
          const connection = new ToolServerConnection({
            spec,
            startTimeoutMs: 60_000,
            restart: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 0 },
            clock: systemClock,
            ...(withSpare ? { spares: pool } : {}),
          });
          const error = await connection.listTools().then(
            () => undefined,
            (failure: Error) => failure,
          );
          expect(error?.message).toMatch(/^MCP server fs could not be started: /);
          expect(error?.message).toMatch(expected);
          expect(connection.state).toBe("failed");
          failures.push(error!.message.replace(/^MCP server fs could not be started: [^(]*/, ""));
          await connection.close();
        }
      }
      // The spare took the first bad line (and exited); the pool, not refilling, had no other.
      expect(processGone(spare!)).toBe(true);
      expect(pool.pids("fs")).toEqual([]);
      // Same words whether the settings came on stdin or in the environment, apart from the source's name.
      expect(failures[0]).toBe(failures[1]);
      await pool.close();
    },
    TIMEOUT_MS,
  );

  it(
    "passes over a spare that died and spawns the server instead",
    async () => {
      const { pool, until } = watchedPool({ perKind: 1, refill: false });
      pool.start();
      await pool.whenAllReady();
      const [spare] = pool.pids("fs");
      process.kill(spare!, "SIGKILL");
      await until(() => pool.pids("fs").length === 0);
      const hub = fsHub(rootA, pool);
      try {
        const read = await hub.callTool({ name: "fs.read", arguments: { path: join(rootA, "inside.txt") } });
        expect(read.text).toContain("inside A");
        const [status] = await hub.status();
        expect(status!.pid).toBeTypeOf("number");
        expect(status!.pid).not.toBe(spare);
        expect(status!.restarts).toBe(0);
      } finally {
        await hub.close();
        await pool.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    "with a refill delay, starts the replacement only when the delay has passed, and drops a pending one on close",
    async () => {
      const pending: Array<{ callback: () => void; delayMs: number; cleared: boolean }> = [];
      const timers: SpareTimers = {
        setTimeout: (callback, delayMs) => {
          const timer = { callback, delayMs, cleared: false };
          pending.push(timer);
          return timer;
        },
        clearTimeout: (handle) => {
          (handle as { cleared: boolean }).cleared = true;
        },
      };
      const { pool } = watchedPool({ perKind: 1, refill: true, refillDelayMs: 1_000, timers });
      pool.start();
      await pool.whenAllReady();
      const [first] = pool.pids("fs");
      const hub = fsHub(rootA, pool);
      const second = fsHub(rootA, pool);
      try {
        expect((await hub.callTool({ name: "fs.list", arguments: { path: rootA } })).isError).toBe(false);
        // Handed over: no replacement yet, one waiting for its delay.
        expect(pool.pids("fs")).toEqual([]);
        expect(pending.map((timer) => timer.delayMs)).toEqual([1_000]);
        pending[0]!.callback();
        await pool.whenAllReady();
        const [replacement] = pool.pids("fs");
        expect(replacement).toBeTypeOf("number");
        expect(replacement).not.toBe(first);
        // Taken again; the pool closes while that replacement still waits for its delay.
        expect((await second.callTool({ name: "fs.list", arguments: { path: rootA } })).isError).toBe(false);
        expect((await second.status())[0]!.pid).toBe(replacement);
        expect(pending).toHaveLength(2);
        await pool.close();
        expect(pending[1]!.cleared).toBe(true);
        pending[1]!.callback();
        expect(pool.pids("fs")).toEqual([]);
      } finally {
        await hub.close();
        await second.close();
        await pool.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    "stops every spare it holds when it closes, loading or ready",
    async () => {
      const { pool } = watchedPool({ perKind: 2, refill: true, kinds: ["fs", "git"] });
      pool.start();
      await pool.whenAllReady();
      const pids = [...pool.pids("fs"), ...pool.pids("git")];
      expect(pids).toHaveLength(4);
      // And a pool closed while its spare is still loading.
      const loading = watchedPool({ perKind: 1, refill: true });
      loading.pool.start();
      const loadingPids = loading.pool.pids("fs");
      await Promise.all([pool.close(), loading.pool.close()]);
      for (const pid of [...pids, ...loadingPids]) expect(processGone(pid)).toBe(true);
      expect(pool.pids("fs")).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

describe("a spare process on its own", () => {
  const start = () =>
    spawn(TSX_LAUNCHER.command, [...TSX_LAUNCHER.args, "mcp-server", "fs"], {
      env: { ...process.env, [BUILTIN_SETTINGS_VARIABLE]: SETTINGS_FROM_STDIN },
      stdio: ["pipe", "pipe", "pipe"],
    });

  it(
    "exits quietly (0, nothing on stderr) when its stdin closes before settings arrive",
    async () => {
      const child = start();
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      const ready = new Promise<string>((resolve) =>
        child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8"))),
      );
      expect(await ready).toContain("notifications/switchyard/spare-ready");
      const exited = exitOf(child);
      child.stdin.end();
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stderr).toBe("");
    },
    TIMEOUT_MS,
  );

  it(
    "exits when the process that started it is killed (its stdin closes with it)",
    async () => {
      // A parent holding a pool, killed with SIGKILL: it stops nothing, the kernel closes its pipes.
      const script = join(base, "pool-parent.mts");
      writeFileSync(
        script,
        `import { ToolServerSpares } from ${JSON.stringify(join(process.cwd(), "src/tools/tool-server-spares.ts"))};
const pool = new ToolServerSpares({ launcher: ${JSON.stringify(TSX_LAUNCHER)}, kinds: ["fs"], perKind: 1, refill: true }).start();
await pool.whenAllReady();
process.stdout.write(JSON.stringify(pool.pids("fs")) + "\\n");
setInterval(() => {}, 60_000);
`,
      );
      const parent = spawn(process.execPath, ["--import", "tsx", script], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const pids = await new Promise<number[]>((resolve) =>
        parent.stdout.once("data", (chunk: Buffer) =>
          resolve(JSON.parse(chunk.toString("utf8")) as number[]),
        ),
      );
      expect(pids).toHaveLength(1);
      const parentExit = exitOf(parent);
      parent.kill("SIGKILL");
      await parentExit;
      // The orphan is no child of this process, so there is no exit event to wait on: look until
      // it is gone (the test's own time limit bounds the wait).
      while (!processGone(pids[0]!)) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(processGone(pids[0]!)).toBe(true);
    },
    TIMEOUT_MS,
  );
});

function fsEntry() {
  return toolsSchema.parse({ servers: { fs: { builtin: "fs", roots: [rootA], allow: ["*"] } } }).servers.fs!;
}

/** The spec with other settings in its environment (what the connection hands the server). */
function withSettings(spec: ToolServerSpec, settings: string): ToolServerSpec {
  if (spec.transport.kind !== "stdio") throw new Error("a built-in server runs over stdio");
  return { ...spec, transport: { ...spec.transport, env: { [BUILTIN_SETTINGS_VARIABLE]: settings } } };
}
