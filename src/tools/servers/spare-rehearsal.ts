/**
 * A warm spare's rehearsal: once its code has loaded, and before it says it is ready, a spare
 * serves one scratch session to itself over in-memory streams — the MCP handshake, `tools/list`
 * and the read-only calls a run makes first, over a scratch directory — and then throws that tool
 * set away. Loading the code is only part of a cold start: the first settings parsed, the first
 * tool set made, the SDK's first requests handled and a tool's first call each cost more than the
 * next one (lazy work, code not yet compiled). Rehearsed, a run's first requests find that done.
 *
 * Nothing of it stays: the scratch directory is removed and the scratch tool set closed — also when
 * the spare is stopped mid-rehearsal by a signal, and a spare killed outright leaves its directory
 * (named for its pid) to the next rehearsal, which removes those of processes that are gone. A
 * rehearsal that fails (a read-only temp folder, say) only leaves the spare as cold as it was;
 * it never fails the spare, and nothing of it reaches the real stdout.
 */
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/server";
import type { BuiltinServerKind } from "../../config/tools-schema.js";
import { isProcessAlive } from "../../process-alive.js";
import { createBuiltinTools, parseBuiltinSettings } from "./builtin-tool-servers.js";
import { serveToolsOverStdio } from "./tool-server-serve.js";

/** A rehearsal that has not finished by then is abandoned: the spare announces itself anyway. */
const REHEARSAL_LIMIT_MS = 5_000;

interface Rehearsal {
  /** The kind's settings over the scratch directory. */
  settings(scratch: string): Promise<Record<string, unknown>>;
  /** The calls a run makes first on this kind: [tool, arguments]. */
  calls: ReadonlyArray<readonly [string, Record<string, unknown>]>;
}

const REHEARSALS: Partial<Record<BuiltinServerKind, Rehearsal>> = {
  // A bug hunt's plan searches the tree; every workflow's steps then read files.
  fs: {
    async settings(scratch) {
      // Two files in a folder: the walk descends, sorts and matches as it does in a repository.
      await mkdir(join(scratch, "src"));
      await writeFile(join(scratch, "src", "b.txt"), "rehearsal\n");
      await writeFile(join(scratch, "src", "a.txt"), "rehearsal\n");
      return { builtin: "fs", roots: [scratch] };
    },
    calls: [
      ["search", { glob: "*" }],
      ["read", { path: "src/a.txt" }],
    ],
  },
  // The git tools run git itself; the rehearsal stops at the handshake and the listing.
  git: {
    async settings(scratch) {
      await mkdir(join(scratch, ".git"));
      return { builtin: "git", repositories: { rehearsal: scratch } };
    },
    calls: [],
  },
};

/** What a rehearsal did: the requests answered as a run's would be, and what went wrong. */
export interface RehearsalOutcome {
  answered: string[];
  problems: string[];
}

/** Scratch directories are named for their process: `switchyard-spare-<kind>-<pid>-XXXXXX`. */
const SCRATCH_PREFIX = "switchyard-spare-";
const SCRATCH_NAME = /^switchyard-spare-[a-z]+-(\d+)-/;

/** Runs the kind's rehearsal, if it has one; resolves either way, never rejects. */
export async function rehearseSpare(kind: BuiltinServerKind): Promise<RehearsalOutcome> {
  const outcome: RehearsalOutcome = { answered: [], problems: [] };
  const rehearsal = REHEARSALS[kind];
  if (!rehearsal) return outcome;
  await removeOrphanedScratch();
  let scratch: string | undefined;
  // A spare stopped mid-rehearsal (a Brain stopping just after its start) removes its scratch
  // directory on the way out, then dies of the signal as it would have.
  const removeOnSignal = (signal: NodeJS.Signals) => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once("SIGTERM", removeOnSignal);
  process.once("SIGINT", removeOnSignal);
  try {
    scratch = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}${kind}-${process.pid}-`));
    const tools = await createBuiltinTools(parseBuiltinSettings(kind, await rehearsal.settings(scratch)));
    await serveScratchSession(tools, rehearsal.calls, outcome);
  } catch (error) {
    // Only a colder start: the spare serves its run as a spawned server would.
    outcome.problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    process.off("SIGTERM", removeOnSignal);
    process.off("SIGINT", removeOnSignal);
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }
  return outcome;
}

/**
 * Removes the scratch directories of spares that are gone without cleaning up (killed outright
 * mid-rehearsal): those whose process no longer exists.
 */
async function removeOrphanedScratch(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = SCRATCH_NAME.exec(entry)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid)))
      await rm(join(tmpdir(), entry), { recursive: true, force: true }).catch(() => {});
  }
}

async function serveScratchSession(
  tools: Awaited<ReturnType<typeof createBuiltinTools>>,
  calls: Rehearsal["calls"],
  outcome: RehearsalOutcome,
): Promise<void> {
  const input = new PassThrough();
  const output = new PassThrough();
  const running = serveToolsOverStdio(tools, { input, output, onError: () => {} });
  const session = new ScratchSession(input, output, outcome);
  const limit = setTimeout(() => input.end(), REHEARSAL_LIMIT_MS);
  try {
    await session.request("initialize", {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "switchyard-rehearsal", version: "0" },
    });
    session.notify("notifications/initialized");
    await session.request("tools/list", {});
    for (const [name, args] of calls)
      await session.request("tools/call", { name, arguments: args }, `tools/call ${name}`);
  } finally {
    clearTimeout(limit);
    input.end();
    await running.closed;
  }
}

/** The client side of the scratch session: one JSON-RPC line per message, answers matched by id. */
class ScratchSession {
  private nextId = 1;
  private buffered = "";
  private readonly waiting = new Map<number, { label: string; done: () => void }>();

  constructor(
    private readonly input: PassThrough,
    output: PassThrough,
    private readonly outcome: RehearsalOutcome,
  ) {
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => this.read(chunk));
    // The session ended before an answer (the time limit, a server that stopped): nobody waits on.
    output.on("end", () => this.releaseAll());
    input.on("close", () => this.releaseAll());
  }

  request(method: string, params: Record<string, unknown>, label = method): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { label, done: resolve });
      this.input.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  notify(method: string): void {
    this.input.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`);
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    for (let newline = this.buffered.indexOf("\n"); newline !== -1; newline = this.buffered.indexOf("\n")) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      const answer = answerOf(line);
      const waiting = answer && this.waiting.get(answer.id);
      if (!answer || !waiting) continue;
      this.waiting.delete(answer.id);
      if (answer.problem) this.outcome.problems.push(`${waiting.label}: ${answer.problem}`);
      else this.outcome.answered.push(waiting.label);
      waiting.done();
    }
  }

  private releaseAll(): void {
    for (const waiting of this.waiting.values()) {
      this.outcome.problems.push(`${waiting.label}: no answer before the session ended`);
      waiting.done();
    }
    this.waiting.clear();
  }
}

/** A response line's id and, when it is an error or a tool's error result, what it says. */
function answerOf(line: string): { id: number; problem?: string } | undefined {
  let message: {
    id?: unknown;
    error?: { message?: unknown };
    result?: { isError?: unknown; content?: unknown };
  };
  try {
    message = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof message.id !== "number") return undefined;
  if (message.error) return { id: message.id, problem: String(message.error.message) };
  if (message.result?.isError === true)
    return { id: message.id, problem: JSON.stringify(message.result.content) };
  return { id: message.id };
}
