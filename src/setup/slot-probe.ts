/**
 * Measures how many requests an Engine really runs at once for one model (what
 * `OLLAMA_NUM_PARALLEL` and Ollama's memory estimate came to), rather than trusting the setting:
 * it sends `concurrency` streaming chats at once and counts how many produce tokens together.
 * Ollama sends nothing for a request still waiting in its queue, so the streams under way when
 * the first one finishes — or when every one has started, or when the watch window closes — are
 * the slots. Each probe asks for a long count with `num_predict` capped, so a stream never ends
 * before the others had their chance; one that ends early anyway makes the answer inconclusive.
 */
import { request } from "undici";
import type { DoctorTimer } from "./doctor-check.js";
import { networkReason } from "./doctor-http.js";

export interface SlotProbeOptions {
  baseUrl: string;
  model: string;
  /** Requests sent at once: the slots configured. */
  concurrency: number;
  /** The num_ctx the model's alias uses, so the probe does not make Ollama reload it. */
  numCtx?: number;
  /** The alias's `think`, when set (Ollama refuses `think: true` for models without it). */
  think?: boolean;
  signal: AbortSignal;
  timer: DoctorTimer;
  /** How long to watch for streams to start; default 20 s. */
  windowMs?: number;
}

export interface SlotProbeResult {
  sent: number;
  /** The most streams producing tokens at the same time. */
  measured: number;
  /** How the watch ended: every stream started, one finished, the window closed, or one stopped short. */
  ending: "all-started" | "one-finished" | "window" | "stopped-early" | "all-failed";
  /** Requests that failed outright, with Ollama's reason. */
  errors: string[];
}

/** Enough tokens that a stream outlasts the others' start, few enough to stay cheap. */
const PROBE_TOKENS = 64;

export function probeSlots(options: SlotProbeOptions): Promise<SlotProbeResult> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("slot probe finished"));
  options.signal.addEventListener("abort", stop, { once: true });
  let active = 0;
  let measured = 0;
  let settled = 0;
  const errors: string[] = [];
  return new Promise<SlotProbeResult>((resolve) => {
    let done = false;
    let cancelWindow = () => {};
    const finish = (ending: SlotProbeResult["ending"]) => {
      if (done) return;
      done = true;
      cancelWindow();
      options.signal.removeEventListener("abort", stop);
      stop();
      resolve({ sent: options.concurrency, measured, ending, errors });
    };
    cancelWindow = options.timer.start(options.windowMs ?? 20_000, () => finish("window"));
    const handlers: StreamHandlers = {
      started: () => {
        active++;
        measured = Math.max(measured, active);
        if (measured >= options.concurrency) finish("all-started");
      },
      finished: (reachedLimit) => finish(reachedLimit ? "one-finished" : "stopped-early"),
      failed: (reason) => {
        if (done) return;
        errors.push(reason);
        settled++;
        if (settled === options.concurrency) finish(measured > 0 ? "one-finished" : "all-failed");
      },
    };
    for (let index = 0; index < options.concurrency; index++)
      void runStream(options, index, controller.signal, handlers);
  });
}

interface StreamHandlers {
  started(): void;
  finished(reachedLimit: boolean): void;
  failed(reason: string): void;
}

async function runStream(
  options: SlotProbeOptions,
  index: number,
  signal: AbortSignal,
  handlers: StreamHandlers,
): Promise<void> {
  const body = {
    model: options.model,
    messages: [
      {
        role: "user",
        content: `Probe ${index + 1}: count from 1 to 500, one number per line, nothing else.`,
      },
    ],
    stream: true,
    keep_alive: -1,
    ...(options.think === undefined ? {} : { think: options.think }),
    options: {
      num_predict: PROBE_TOKENS,
      temperature: 0,
      ...(options.numCtx ? { num_ctx: options.numCtx } : {}),
    },
  };
  let started = false;
  try {
    const response = await request(`${options.baseUrl.replace(/\/+$/, "")}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      return handlers.failed(`HTTP ${response.statusCode}: ${text.trim().slice(0, 200)}`);
    }
    let pending = "";
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const parsed = parseLine(line);
        if (parsed === undefined) continue;
        if (parsed.error) return handlers.failed(parsed.error);
        if (!started) {
          started = true;
          handlers.started();
        }
        if (parsed.done) return handlers.finished(parsed.doneReason === "length");
      }
    }
    handlers.finished(false);
  } catch (error) {
    if (!signal.aborted) handlers.failed(networkReason(error));
  }
}

function parseLine(line: string): { done: boolean; doneReason?: string; error?: string } | undefined {
  if (line.trim() === "") return undefined;
  try {
    const value = JSON.parse(line) as { done?: unknown; done_reason?: unknown; error?: unknown };
    if (typeof value.error === "string") return { done: false, error: value.error };
    return {
      done: value.done === true,
      ...(typeof value.done_reason === "string" ? { doneReason: value.done_reason } : {}),
    };
  } catch {
    return undefined;
  }
}
