/**
 * The answer of the rung that answered, passed through event by event while the attempt notes what
 * it needs: the first token's time and the usage. However the stream ends — in full, broken off
 * upstream, or abandoned by the caller — the Engine slot is freed, the reservation settled and the
 * attempt marked ended, before the consumer's loop returns.
 */

import type { BackendLease } from "../backends/backend-admission.js";
import type { Reservation } from "../budget/budget-guard.js";
import { type SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent } from "../protocol/chat-types.js";
import type { RequestStatus } from "../store/ledger-store.js";
import type { Attempt } from "./attempt.js";
import type { RungBudget } from "./rung-budget.js";

export interface AttemptStreamInput {
  /** The first event, already pulled (it decided that this rung answers). */
  first: IteratorResult<ChatEvent>;
  iterator: AsyncIterator<ChatEvent>;
  attempt: Attempt;
  lease: BackendLease;
  reservation: Reservation | undefined;
  budget: RungBudget;
  signal: CancelSignal;
}

export async function* attemptStream(input: AttemptStreamInput): AsyncGenerator<ChatEvent> {
  const { attempt, iterator } = input;
  let status: RequestStatus = "aborted";
  let failure: SwitchyardError | undefined;
  try {
    let current = input.first;
    while (!current.done) {
      const event = current.value;
      if (attempt.firstTokenAt === null && isTokenEvent(event)) attempt.firstTokenAt = performance.now();
      if (event.type === "usage")
        attempt.usage = attempt.usage ? { ...attempt.usage, ...event.usage } : event.usage;
      yield event;
      current = await iterator.next();
    }
    status = "ok";
  } catch (thrown) {
    failure = toSwitchyardError(thrown);
    status = failure.code === "aborted" || input.signal.aborted ? "aborted" : "error";
    throw failure;
  } finally {
    if (status === "aborted") await iterator.return?.();
    input.lease.release({
      ok: status !== "error" || failure?.retryable !== true,
      loadMs: attempt.usage?.loadMs,
    });
    attempt.cost = input.budget.settle(input.reservation, attempt.usage);
    attempt.end(status, failure);
  }
}

function isTokenEvent(event: ChatEvent): boolean {
  return event.type === "text-delta" || event.type === "reasoning-delta" || event.type === "tool-call-start";
}
