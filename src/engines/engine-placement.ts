/**
 * Where a request for a model should run, given the Engines that serve its alias. The rules, in
 * order:
 *  1. only Engines whose circuit lets a request through, with a free slot for the model, and not
 *     draining to switch to another model;
 *  2. prefer one that has the model resident (or may have: not polled yet), then the fewest
 *     requests in flight, then a known-resident one over an unknown one;
 *  3. never make an Engine load the model while another healthy Engine has it resident (even a busy
 *     one: waiting a moment for its slot is cheaper than a load that may evict something else);
 *  4. on an Engine that is full of models (its capacity is known), the load evicts an idle model;
 *     if none is idle, the caller may ask the Engine to drain for a switch (`switchCandidate`,
 *     when `switchIsDue`).
 * The capacity planner's simulation uses the same rules.
 */
import type { EngineState } from "./engine-state.js";

export type Placement =
  | { kind: "start"; engine: EngineState; evicts: string | undefined }
  /** Nothing can start now; `switchCandidate` could take the model once its resident models drain. */
  | { kind: "wait"; switchCandidate: EngineState | undefined }
  /** No Engine serving the alias is up. */
  | { kind: "down" };

interface Option {
  engine: EngineState;
  /** 0 resident or unknown, 2 load into free room, 3 load evicting an idle model. */
  rank: number;
  unknown: boolean;
  evicts: string | undefined;
}

export function placeRequest(servers: EngineState[], model: string): Placement {
  const available = servers.filter((engine) => engine.circuit.available());
  if (available.length === 0) return { kind: "down" };
  const residentSomewhere = available.some((engine) => engine.residencyOf(model) !== "absent");
  const options: Option[] = [];
  let switchCandidate: EngineState | undefined;
  for (const engine of available) {
    if (engine.switchingTo !== undefined && engine.switchingTo !== model) continue;
    if (!engine.hasFreeSlot(model)) continue;
    const residency = engine.residencyOf(model);
    if (residency !== "absent")
      options.push({ engine, rank: 0, unknown: residency === "unknown", evicts: undefined });
    else if (residentSomewhere) continue;
    else if (engine.capacity === undefined || engine.residentCount() < engine.capacity)
      options.push({ engine, rank: 2, unknown: false, evicts: undefined });
    else {
      const victim = idleResident(engine, model);
      if (victim !== undefined) options.push({ engine, rank: 3, unknown: false, evicts: victim });
      else if (!switchCandidate || engine.totalInFlight() < switchCandidate.totalInFlight())
        switchCandidate = engine;
    }
  }
  const best = options.sort(
    (left, right) =>
      left.rank - right.rank ||
      left.engine.totalInFlight() - right.engine.totalInFlight() ||
      Number(left.unknown) - Number(right.unknown),
  )[0];
  if (best) return { kind: "start", engine: best.engine, evicts: best.evicts };
  return { kind: "wait", switchCandidate };
}

/** A resident served model with nothing in flight, that a load may push out. */
function idleResident(engine: EngineState, model: string): string | undefined {
  // A model Switchyard does not serve is the first to go (Ollama evicts the least recently used).
  if (engine.strangers.length > 0) return engine.strangers[0];
  return engine.models.find(
    (candidate) =>
      candidate !== model &&
      engine.residencyOf(candidate) === "resident" &&
      engine.inFlightFor(candidate) === 0,
  );
}

/**
 * Whether an Engine should stop starting its resident models and drain them so the oldest waiter's
 * model can be loaded: once nobody waits for them and a short grace has passed (the rest of a burst
 * for the resident model goes first), or once the waiter is older than their oldest waiter by half
 * of queue.max_wait_ms. Models are served in batches by age rather than swapped per request, and
 * nobody is starved. (A resident model that falls idle is replaced at once by placement itself.)
 */
export function switchIsDue(waitedMs: number, otherWaitsMs: number[], maxWaitMs: number): boolean {
  if (otherWaitsMs.length === 0) return waitedMs >= switchGraceMs(maxWaitMs);
  return waitedMs - Math.max(...otherWaitsMs) >= maxWaitMs / 2;
}

export function switchGraceMs(maxWaitMs: number): number {
  return Math.min(1_000, maxWaitMs / 10);
}
