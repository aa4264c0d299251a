/**
 * The answer of the rung that answered, passed through event by event while the attempt notes what
 * it needs: the first token's time and the usage (and, for a paid answer, what it streamed). However
 * the stream ends — in full, broken off upstream, or abandoned by the caller — the Engine slot is
 * freed (and the caller's throttle: a workflow's place in its fan-out), the reservation settled
 * (from what was streamed when no usage came) and the attempt marked ended, before the consumer's
 * loop returns.
 */

import type { BackendLease } from "../backends/backend-admission.js";
import type { Reservation } from "../budget/budget-guard.js";
import { type SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";
import type { ChatEvent, ChatRequest } from "../protocol/chat-types.js";
import type { RequestStatus } from "../store/ledger-store.js";
import type { Attempt } from "./attempt.js";
import type { CutShortSettlement } from "./cut-short-settlement.js";
import type { RungBudget } from "./rung-budget.js";

export interface AttemptStreamInput {
  /** The first event, already pulled (it decided that this rung answers). */
  first: IteratorResult<ChatEvent>;
  iterator: AsyncIterator<ChatEvent>;
  attempt: Attempt;
  lease: BackendLease;
  reservation: Reservation | undefined;
  budget: RungBudget;
  /** Settles a paid answer that ends without the provider's usage. */
  cutShort: CutShortSettlement;
  request: ChatRequest;
  signal: CancelSignal;
  /** Gives back the caller's throttle for this rung (a release that acts once). */
  releaseThrottle: () => void;
}

export async function* attemptStream(input: AttemptStreamInput): AsyncGenerator<ChatEvent> {
  const { attempt, iterator } = input;
  let status: RequestStatus = "aborted";
  let failure: SwitchyardError | undefined;
  // A paid answer keeps what it streamed, in case the provider's usage never comes.
  const streamed: string[] | undefined = input.reservation ? [] : undefined;
  let responseId: string | undefined;
  try {
    let current = input.first;
    while (!current.done) {
      const event = current.value;
      if (attempt.firstTokenAt === null && isTokenEvent(event)) attempt.firstTokenAt = performance.now();
      if (event.type === "usage")
        attempt.usage = attempt.usage ? { ...attempt.usage, ...event.usage } : event.usage;
      if (streamed) {
        if (event.type === "text-delta" || event.type === "reasoning-delta") streamed.push(event.text);
        else if (event.type === "tool-call-delta") streamed.push(event.argumentsDelta);
        else if (event.type === "tool-call-start") streamed.push(event.name);
        else if (event.type === "response-metadata" && event.id) responseId = event.id;
      }
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
    input.releaseThrottle();
    attempt.cost =
      input.reservation && !attempt.usage
        ? input.cutShort.settle({
            attempt,
            reservation: input.reservation,
            request: input.request,
            streamed: streamed?.join("") ?? "",
            responseId,
          })
        : input.budget.settle(input.reservation, attempt.usage);
    attempt.end(status, failure);
  }
}

function isTokenEvent(event: ChatEvent): boolean {
  return event.type === "text-delta" || event.type === "reasoning-delta" || event.type === "tool-call-start";
}
