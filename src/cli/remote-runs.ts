/**
 * The workflow commands against a Brain (`--url`, SWITCHYARD_URL or the client config): `runs`,
 * `runs show`, `run`, `approve`, `reject`, `resume` and `cancel` through its /admin/runs API,
 * printed with the formatters the local commands use, and a run set going followed over its
 * progress stream until it pauses or ends — with the local commands' exit codes. The run works on
 * the Brain, so the paths it is given are the Brain's: a relative one is refused here. The Brain's
 * own errors (an unknown run, a run not waiting for a decision) are one line, as they are locally.
 */
import { isAbsolute } from "node:path";
import type { z } from "zod";
import type { RunStatus, RunStepRecord } from "../store/runs-store.js";
import type { ShownRun } from "../workflows/run-owner.js";
import { type BrainTarget, brainCall, brainError } from "./brain-client.js";
import {
  artefactRecordSchema,
  RUN_STATUSES,
  runAnswerSchema,
  runDetailSchema,
  runListSchema,
} from "./brain-run-responses.js";
import { CliFailure } from "./cli-context.js";
import { watchRemoteRun } from "./remote-run-watch.js";
import { formatRunDetail, formatRunList, haltSummary, unfinished } from "./run-format.js";

/** How long a POST may take (the connection itself is given the usual 10 s). */
const POST_TIMEOUT_MS = 120_000;

/** The inputs that name files or folders: the run opens them on the Brain. */
const PATH_INPUTS: Readonly<Record<string, string>> = {
  repo: "--repo",
  backlog: "--backlog",
  diff: "--diff",
};

/** `--status` of `switchyard runs`, checked (here and on the Brain alike). */
export function runStatusOption(status: string | undefined): RunStatus | undefined {
  if (status === undefined) return undefined;
  if ((RUN_STATUSES as readonly string[]).includes(status)) return status as RunStatus;
  throw new CliFailure(
    `switchyard runs: --status must be one of ${RUN_STATUSES.join(", ")}; got "${status}"`,
    2,
  );
}

export class RemoteRuns {
  constructor(private readonly brain: BrainTarget) {}

  async list(options: { limit: number; status?: RunStatus | undefined; json?: boolean | undefined }) {
    const query = `limit=${options.limit}${options.status ? `&status=${options.status}` : ""}`;
    const { data } = await this.call({ path: `/admin/runs?${query}`, schema: runListSchema });
    process.stdout.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : formatRunList(data));
  }

  async show(id: string, options: { artefact?: string | undefined; json?: boolean | undefined }) {
    if (options.artefact) {
      const artefact = await this.call({
        path: `${runPath(id)}/artefacts/${encodeURIComponent(options.artefact)}`,
        schema: artefactRecordSchema,
      });
      process.stdout.write(
        options.json ? `${JSON.stringify(artefact, null, 2)}\n` : `${artefact.content ?? "(pruned)"}\n`,
      );
      return;
    }
    const detail = await this.call({ path: runPath(id), schema: runDetailSchema });
    process.stdout.write(options.json ? `${JSON.stringify(detail, null, 2)}\n` : formatRunDetail(detail));
  }

  /** Starts a run on the Brain and follows it until it pauses or ends. */
  async start(workflow: string, input: Record<string, unknown>, options: { json?: boolean | undefined }) {
    refuseLocalPaths(workflow, input);
    const { run } = await this.call({
      path: "/admin/runs",
      method: "POST",
      body: { workflow, input },
      schema: runAnswerSchema,
    });
    if (!options.json)
      process.stdout.write(`Run ${run.id}: ${run.workflow} (on the Brain at ${this.brain.url})\n`);
    await this.follow(run.id, [], options.json);
  }

  async approve(id: string, options: { edit?: string | undefined; note?: string | undefined }) {
    const body = {
      ...(options.edit === undefined ? {} : { edit: options.edit }),
      ...(options.note ? { note: options.note } : {}),
    };
    await this.decide(id, "approve", body);
  }

  async reject(id: string, reason: string) {
    if (reason.trim() === "")
      throw new CliFailure(
        `switchyard reject: a rejection needs a reason: switchyard reject ${id} --reason "…"`,
        2,
      );
    await this.decide(id, "reject", { reason });
  }

  async resume(id: string) {
    await this.decide(id, "resume", {});
  }

  async cancel(id: string) {
    const { run } = await this.call({
      path: `${runPath(id)}/cancel`,
      method: "POST",
      body: {},
      schema: runAnswerSchema,
    });
    process.stdout.write(haltSummary(run));
  }

  /** Sets a run going again (a decision, a resume), then follows it. */
  private async decide(id: string, action: "approve" | "reject" | "resume", body: Record<string, unknown>) {
    const before = await this.call({ path: runPath(id), schema: runDetailSchema });
    await this.call({ path: `${runPath(id)}/${action}`, method: "POST", body, schema: runAnswerSchema });
    await this.follow(id, before.steps);
  }

  /** Shows the run's progress until it pauses or ends, then what happened; exit 1 unless done or paused. */
  private async follow(runId: string, before: readonly RunStepRecord[], json = false): Promise<void> {
    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once("SIGINT", interrupt);
    let halted: boolean;
    try {
      ({ halted } = await watchRemoteRun({
        brain: this.brain,
        runId,
        before,
        output: json
          ? undefined
          : { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY },
        failure: (status, body) => this.failure(status, body),
        signal: controller.signal,
      }));
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      throw new CliFailure(
        `\nStopped watching: run ${runId} keeps going on the Brain (switchyard runs show ${runId}, or switchyard cancel ${runId})`,
        130,
      );
    } finally {
      process.off("SIGINT", interrupt);
    }
    const detail = await this.call({ path: runPath(runId), schema: runDetailSchema });
    const run: ShownRun = detail.run;
    if (!halted && run.status === "running")
      throw new CliFailure(
        `switchyard: the Brain at ${this.brain.url} stopped sending run ${runId}'s progress; it may still be running there: switchyard runs show ${runId}`,
      );
    if (json) process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
    else process.stdout.write(haltSummary(run, await this.report(run)));
    if (run.status !== "done" && run.status !== "paused") throw new CliFailure(unfinished(run), 1);
  }

  /** The text of the report a finished run made (bughunt, groom, review), when it made one. */
  private async report(run: ShownRun): Promise<string | undefined> {
    const reportId = run.outcome?.report;
    if (typeof reportId !== "string") return undefined;
    const artefact = await this.call({
      path: `${runPath(run.id)}/artefacts/${encodeURIComponent(reportId)}`,
      schema: artefactRecordSchema,
    });
    return artefact.content ?? undefined;
  }

  /** A POST waits for the Brain to act: starting a run checks its repository, a cancel waits for the step. */
  private call<Schema extends z.ZodType>(call: {
    path: string;
    schema: Schema;
    method?: "POST";
    body?: unknown;
  }) {
    return brainCall(this.brain, {
      ...call,
      ...(call.method === "POST" ? { timeoutMs: POST_TIMEOUT_MS } : {}),
      failure: (status, body) => this.failure(status, body),
    });
  }

  /**
   * The Brain's own errors as the local commands word them: a usage error (an unknown run or
   * artefact, bad input) exits 2, a conflict (not waiting for a decision) 1. A Brain without the
   * runs API (its 404 names no run but the route) is an older one. A refused token is `refused`'s.
   */
  private failure(status: number, body: string): CliFailure | undefined {
    if (status === 401 || status >= 500) return undefined;
    const { message, code } = brainError(body);
    if (status === 404 && message.startsWith("No route for"))
      return new CliFailure(
        `switchyard: the Brain at ${this.brain.url} has no workflow runs API (/admin/runs): it runs an older switchyard; update it there and restart switchyard serve`,
      );
    const usage = code === "not-found" || code === "invalid-request" || status === 404 || status === 400;
    return new CliFailure(`switchyard: ${message} (the Brain at ${this.brain.url})`, usage ? 2 : 1);
  }
}

function runPath(id: string): string {
  return `/admin/runs/${encodeURIComponent(id)}`;
}

/** The Brain opens the run's files: a path relative to this machine means nothing there. */
function refuseLocalPaths(workflow: string, input: Record<string, unknown>): void {
  if (/\.ya?ml$/.test(workflow) && !isAbsolute(workflow))
    throw new CliFailure(
      `switchyard run: the workflow file is read on the Brain: give its absolute path there (got "${workflow}")`,
      2,
    );
  for (const [key, option] of Object.entries(PATH_INPUTS)) {
    const value = input[key];
    if (typeof value === "string" && !isAbsolute(value))
      throw new CliFailure(
        `switchyard run: the run works on the Brain, so ${option} must be the absolute path there (got "${value}"), e.g. ${option} /Users/you/src/app`,
        2,
      );
  }
}
