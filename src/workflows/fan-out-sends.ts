/**
 * A fan-out's `Send`s, with room for their abort listeners. LangGraph gives every task of a
 * superstep the same abort signal, and each task's runnable adds an "abort" listener to it while it
 * runs (langgraphjs#1494); past Node's limit of 10 listeners on one signal, a fan-out wider than
 * ten printed a MaxListenersExceededWarning on the user's terminal — a false alarm, as each listener
 * goes when its task ends. The signal is made inside LangGraph at each superstep, so its own limit
 * cannot be set; the process's default limit (which a new signal takes) is raised to the fan-out's
 * width plus Node's own margin of 10, only ever upwards, before the superstep starts. A real leak
 * still warns: it grows without bound.
 */
import { EventEmitter, setMaxListeners } from "node:events";
import type { Send } from "@langchain/langgraph";

/** Listeners a task's signal may carry besides one per parallel task: Node's own default. */
const MARGIN = 10;

/** The `Send`s as given, after making room for a superstep of that many parallel tasks. */
export function fanOutSends<T extends Send | string>(targets: T[]): T[] {
  const width = targets.filter((target) => typeof target !== "string").length;
  if (width + MARGIN > EventEmitter.defaultMaxListeners) setMaxListeners(width + MARGIN);
  return targets;
}
