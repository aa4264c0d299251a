/**
 * Workflow runs over HTTP, under `/admin/runs` behind the gateway's tokens: list, start, show (with
 * steps, artefacts and the graph's outline), an artefact's text, approve / reject / edit, resume,
 * cancel, and live progress as server-sent events — one event per step started or finished, per
 * node ended, and when the run pauses or ends (the graph's "updates" and "custom" streams). Thin:
 * everything is the runs service's.
 */
import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { RunRecord, RunStatus } from "../store/runs-store.js";
import { isRunHalt, type RunEvent } from "../workflows/run-events.js";
import { shownRun } from "../workflows/run-owner.js";
import type { RunsService } from "../workflows/runs-service.js";
import { SSE_HEADERS, writeChunk } from "./http-stream.js";

const startBody = z.object({
  workflow: z
    .string()
    .min(1, { error: 'name the workflow: "feature", "bughunt", "groom", "review" or a .yaml path' }),
  input: z.record(z.string(), z.unknown()).default({}),
});
const approveBody = z.object({ edit: z.string().optional(), note: z.string().optional() }).default({});
const rejectBody = z.object({ reason: z.string().trim().min(1, { error: 'a rejection needs a "reason"' }) });

const KEEP_ALIVE_MS = 15_000;

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success)
    throw new SwitchyardError("invalid-request", parsed.error.issues[0]?.message ?? "bad body");
  return parsed.data;
}

export function registerRunsRoutes(app: FastifyInstance, runs: RunsService): void {
  app.get<{ Querystring: { limit?: string; status?: string } }>("/admin/runs", async (request) => {
    const limit = Math.min(1_000, Math.max(1, Number(request.query.limit ?? 50) || 50));
    const status = request.query.status ? (request.query.status.split(",") as RunStatus[]) : undefined;
    return { data: (await runs.list({ limit, ...(status ? { status } : {}) })).map(shownRun) };
  });
  app.post("/admin/runs", async (request, reply) => {
    const { workflow, input } = parseBody(startBody, request.body);
    reply.status(201);
    return { run: await runs.start(workflow, input) };
  });
  app.get<{ Params: { id: string } }>("/admin/runs/:id", async (request) => {
    const detail = await runs.show(request.params.id);
    return { ...detail, run: shownRun(detail.run) };
  });
  app.get<{ Params: { id: string; artefact: string } }>(
    "/admin/runs/:id/artefacts/:artefact",
    async (request) => {
      const artefact = await runs.artefact(request.params.artefact);
      if (artefact.runId !== request.params.id)
        throw new SwitchyardError(
          "not-found",
          `Run ${request.params.id} has no artefact ${request.params.artefact}`,
        );
      return artefact;
    },
  );
  app.post<{ Params: { id: string } }>("/admin/runs/:id/approve", async (request) => {
    const { edit, note } = parseBody(approveBody, request.body);
    return {
      run: await runs.approve(request.params.id, { ...(edit ? { edit } : {}), ...(note ? { note } : {}) }),
    };
  });
  app.post<{ Params: { id: string } }>("/admin/runs/:id/reject", async (request) => ({
    run: await runs.reject(request.params.id, parseBody(rejectBody, request.body).reason),
  }));
  app.post<{ Params: { id: string } }>("/admin/runs/:id/resume", async (request) => ({
    run: await runs.resume(request.params.id),
  }));
  app.post<{ Params: { id: string } }>("/admin/runs/:id/cancel", async (request) => ({
    run: await runs.cancel(request.params.id),
  }));
  app.get<{ Params: { id: string } }>("/admin/runs/:id/events", async (request, reply) => {
    await runs.show(request.params.id);
    reply.hijack();
    reply.raw.writeHead(200, SSE_HEADERS);
    // Headers now, not with the first event: a watcher sees at once that it is listening.
    reply.raw.flushHeaders();
    await streamEvents(runs, reply.raw, request.params.id);
  });
  app.get("/admin/runs/events", async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, SSE_HEADERS);
    reply.raw.flushHeaders();
    await streamEvents(runs, reply.raw, undefined);
  });
}

/**
 * Writes events as they come until the run halts (one run) or the caller goes away (all runs).
 * A run not executing here gets its current state as one event, and the stream ends. One that is
 * executing is followed until its execution is over — not by its stored status, which can lag
 * (a decision stored "paused" until the run takes up again) or lead (its halt event sent before
 * the execution is let go) — and its halt, if that was sent before the stream began, is sent anew.
 */
async function streamEvents(
  runs: RunsService,
  response: ServerResponse,
  runId: string | undefined,
): Promise<void> {
  let chain = Promise.resolve(true);
  let halted = false;
  const send = (event: RunEvent) => {
    if (runId && isRunHalt(event)) halted = true;
    chain = chain.then((open) => (open ? writeChunk(response, frame(event)) : false));
  };
  const finished = new Promise<void>((resolve) => {
    const stop = runs.subscribe((event) => {
      if (runId && event.runId !== runId) return;
      send(event);
      if (runId && isRunHalt(event)) void chain.then(done);
    });
    const keepAlive = setInterval(() => {
      chain = chain.then((open) => (open ? writeChunk(response, ": keep-alive\n\n") : false));
    }, KEEP_ALIVE_MS);
    function done() {
      stop();
      clearInterval(keepAlive);
      if (!response.writableEnded) response.end();
      resolve();
    }
    response.once("close", done);
    if (runId) {
      // Subscribed first: a halt from now on is heard; one from before is in the stored run.
      const sendState = async (executing: boolean) => {
        if (executing) await runs.halted(runId);
        if (halted) return;
        send(haltEvent((await runs.show(runId)).run));
        void chain.then(done);
      };
      sendState(runs.runner.isExecuting(runId)).catch(() => done());
    }
  });
  await finished;
}

/** What a run that is not executing here says to a watcher: where it stands. */
function haltEvent(run: RunRecord): RunEvent {
  return run.status === "paused"
    ? { type: "run-paused", runId: run.id, reason: run.reason ?? "", gate: run.gate }
    : { type: "run-ended", runId: run.id, status: run.status, reason: run.reason };
}

function frame(event: RunEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
