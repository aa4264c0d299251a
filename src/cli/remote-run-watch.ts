/**
 * Watching a run on the Brain until it pauses or ends: its progress stream (server-sent events
 * from GET /admin/runs/:id/events) printed by the RunProgress the local commands use. The stream
 * carries only what happens once it is open, so the steps that finished between the request that
 * set the run going and the stream's start are printed first, from the run's detail (compared with
 * the steps it had before); a step heard of both ways is printed once.
 */
import { request } from "undici";
import { SseParser } from "../backends/openai-compatible/sse-parser.js";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import type { RunStepRecord } from "../store/runs-store.js";
import { isRunHalt, type RunEvent } from "../workflows/run-events.js";
import {
  authorizationHeaders,
  type BrainTarget,
  brainCall,
  brainDispatcher,
  refused,
  unreachable,
} from "./brain-client.js";
import { runDetailSchema, runEventSchema } from "./brain-run-responses.js";
import type { CliFailure } from "./cli-context.js";
import { type ProgressOutput, RunProgress } from "./run-progress.js";

/** Connecting to the Brain: an unplugged one fails within this. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The Brain writes a keep-alive every 15 s; a stream silent for this long has been lost. */
const SILENCE_TIMEOUT_MS = 60_000;

export interface RunWatch {
  brain: BrainTarget;
  runId: string;
  /** The run's steps before the request that set it going: they are not news. */
  before: readonly RunStepRecord[];
  /** Where progress lines go; undefined watches quietly (`--json`). */
  output: ProgressOutput | undefined;
  /** The line for an error status (the caller's mapping of the Brain's errors). */
  failure: (status: number, body: string) => CliFailure | undefined;
  /** Stops watching (Ctrl-C); the run goes on on the Brain. */
  signal: AbortSignal;
}

/** Resolves once the stream ends: `halted` says whether it said the run paused or ended. */
export async function watchRemoteRun(watch: RunWatch): Promise<{ halted: boolean }> {
  const { brain, runId, failure } = watch;
  const path = `/admin/runs/${encodeURIComponent(runId)}`;
  const progress = watch.output ? new RunProgress(runId, watch.output) : undefined;
  const dispatcher = brainDispatcher(CONNECT_TIMEOUT_MS);
  try {
    const response = await request(`${brain.url}${path}/events`, {
      headers: { ...authorizationHeaders(brain), accept: "text/event-stream" },
      dispatcher,
      headersTimeout: SILENCE_TIMEOUT_MS,
      bodyTimeout: SILENCE_TIMEOUT_MS,
      signal: watch.signal,
    }).catch((error: unknown) => {
      throw watch.signal.aborted ? error : unreachable(brain, error, SILENCE_TIMEOUT_MS, CONNECT_TIMEOUT_MS);
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw failure(response.statusCode, text) ?? refused(brain, response.statusCode, text);
    }
    // The Brain listens for the run's events before it answers: whatever the detail lacks, the
    // stream brings (undici holds the stream's bytes until they are read).
    const printed = new Set<string>();
    const before = new Set(watch.before.map(stepIdentity));
    const detail = await brainCall(brain, { path, schema: runDetailSchema, failure });
    for (const step of detail.steps) {
      if (!isFinished(step) || before.has(stepIdentity(step))) continue;
      printed.add(stepIdentity(step));
      progress?.handle({ type: "step-finished", runId, step, reused: false });
    }

    let halted = false;
    const handle = (data: string) => {
      const parsed = runEventSchema.safeParse(parseJsonOrUndefined(data));
      // An event of a kind this switchyard does not know (a newer Brain's) is passed over.
      if (!parsed.success) return;
      const event = parsed.data as RunEvent;
      if (event.type === "step-finished" && !event.reused) {
        if (printed.has(stepIdentity(event.step))) return;
        printed.add(stepIdentity(event.step));
      }
      if (isRunHalt(event)) halted = true;
      progress?.handle(event);
    };
    const parser = new SseParser();
    try {
      for await (const bytes of response.body) for (const event of parser.push(bytes)) handle(event.data);
    } catch (error) {
      if (watch.signal.aborted) throw error;
      // The stream broke off (the Brain stopped, the network went): the caller asks where the run is.
      return { halted: false };
    }
    for (const event of parser.end()) handle(event.data);
    return { halted };
  } finally {
    progress?.stop();
    void dispatcher.close();
  }
}

function isFinished(step: RunStepRecord): boolean {
  return step.status === "done" || step.status === "failed" || step.status === "skipped";
}

/** A step and the end it came to: a step that runs again (a resumed run) ends anew. */
function stepIdentity(step: RunStepRecord): string {
  return `${step.key}\u0000${step.status}\u0000${step.endedAt ?? ""}`;
}
