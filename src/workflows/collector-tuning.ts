/**
 * One setting of V8's garbage collector for a process that runs workflows: no allocation-site
 * pretenuring.
 *
 * V8 watches where objects are allocated, and when most objects from one place in the code are
 * still alive at a young-generation collection (a scavenge), it allocates that place's objects
 * straight into the old generation from then on. LangGraph's per-step objects (each task's merged
 * config, its abort signals, each checkpoint's copy) are alive for the whole step, so a scavenge
 * that falls inside a step sees them alive and V8 pretenures them. Pretenured, they die within the
 * step like the rest — but in the old generation, where they stay until a full collection, and
 * every young object they point to is kept alive by them through each scavenge until then. In
 * the workflow bench that doubled what each scavenge copied (about 1 MB promoted and 1 MB
 * survived, against 0.56 and 0.6 without) and made each scavenge 3.5–5 ms instead of 2–2.7; the
 * steps a scavenge fell in were the whole p99 (`workflow-bench.js steps`: runner p99 5.1–6.1 ms →
 * 3.6–3.8 ms over 3,900 steps, CPU per step unchanged).
 *
 * The setting only stops V8 from making that guess; nothing is allocated differently otherwise.
 * The gateway hardly gives V8 cause to make it: under the gateway bench's load on the paid and
 * local paths (about a minute, 16 connections) V8 made 10 pretenuring decisions, against 187 (at
 * 42 places) in four seconds of workflow steps. It is applied once, before the first workflow
 * runs (V8 reads it at every collection, so it takes effect from the next one). Anyone who sets
 * pretenuring on the command line (`--allocation-site-pretenuring`) keeps their choice.
 */
import { setFlagsFromString } from "node:v8";

let applied = false;

/** Whether the process's own options already say what pretenuring should be (that choice stands). */
export function pretenuringChosen(execArgv: readonly string[], nodeOptions = ""): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((option) =>
    /^--(no-)?allocation[-_]site[-_]pretenuring(=|$)/.test(option),
  );
}

/**
 * Turns allocation-site pretenuring off for this process (once); false when the command line
 * already chose, and nothing is changed.
 */
export function declinePretenuring(): boolean {
  if (applied) return true;
  if (pretenuringChosen(process.execArgv, process.env.NODE_OPTIONS)) return false;
  setFlagsFromString("--no-allocation-site-pretenuring");
  applied = true;
  return true;
}

/** Whether this process has turned pretenuring off (the bench's heading says so). */
export function pretenuringDeclined(): boolean {
  return applied;
}
