/**
 * Writes a streamed `/v1/messages` answer while the dispatcher is still looking for a rung that
 * answers. The dispatcher resolves only after the first upstream event (so it can fall back up the
 * ladder before any byte is sent), and a cold model load takes a minute — far longer than clients
 * such as Claude Code wait in silence. So:
 *
 * 1. Wait up to `firstByteWaitMs` for the dispatch. Quick failures (an unknown upstream model, a 402
 *    or 429 at the top of the ladder) still become real HTTP error statuses, which the SDKs and
 *    Claude Code act on (retry a 429/529, report billing).
 * 2. Then commit: SSE headers and `message_start`, and a `ping` whenever nothing was written for
 *    `pingIntervalMs` (while the model loads, and in any later silence).
 * 3. A failure after the commit — of the dispatch or mid-stream — is an `event: error` frame with
 *    Anthropic's error body; nothing follows it.
 */
import type { FastifyReply } from "fastify";
import type { Logger } from "pino";
import type { Dispatch } from "../dispatch/chat-dispatcher.js";
import { type SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { AnthropicStreamRenderer } from "../protocol/anthropic/chat-to-anthropic.js";
import type { Route } from "../routing/task-router.js";
import { SSE_HEADERS, writeChunk } from "./http-stream.js";
import { routeHeaders } from "./route-headers.js";

export interface AnthropicStreamTiming {
  /** How long the dispatch may take before `message_start` is sent anyway. */
  firstByteWaitMs: number;
  /** A `ping` is sent after this long without any other write. */
  pingIntervalMs: number;
}

export interface AnthropicStreamInput {
  reply: FastifyReply;
  route: Route;
  dispatching: Promise<Dispatch>;
  renderer: AnthropicStreamRenderer;
  timing: AnthropicStreamTiming;
  logger: Logger;
}

type Early = { state: "resolved"; dispatch: Dispatch } | { state: "pending" };

/** Streams the answer; throws (before anything is written) when the dispatch fails quickly. */
export async function streamAnthropicAnswer(input: AnthropicStreamInput): Promise<void> {
  const { reply, route, dispatching, renderer, timing } = input;
  const early = await settleWithin(dispatching, timing.firstByteWaitMs);

  reply.hijack();
  const response = reply.raw;
  const headers = routeHeaders(route, early.state === "resolved" ? early.dispatch : undefined);
  response.writeHead(200, { ...SSE_HEADERS, ...headers });
  let lastWriteAt = performance.now();
  const send = (text: string): Promise<boolean> => {
    if (text !== "") lastWriteAt = performance.now();
    return writeChunk(response, text);
  };
  const keepAlive = setInterval(
    () => {
      if (performance.now() - lastWriteAt < timing.pingIntervalMs * 0.9) return;
      if (response.destroyed || response.writableNeedDrain) return;
      lastWriteAt = performance.now();
      response.write(renderer.ping());
    },
    Math.max(10, Math.round(timing.pingIntervalMs / 2)),
  );

  let dispatch: Dispatch | undefined = early.state === "resolved" ? early.dispatch : undefined;
  try {
    await send(renderer.start());
    dispatch ??= await dispatching;
    for await (const event of dispatch.events) {
      if (!(await send(renderer.push(event)))) break;
    }
    await send(renderer.finish());
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (error.code !== "aborted") {
      logFailure(input.logger, error, dispatch, dispatch === undefined ? "dispatch" : "stream");
      await send(renderer.error(error));
    }
  } finally {
    clearInterval(keepAlive);
    response.end();
  }
}

/**
 * The dispatch if it settles within `milliseconds`; its rejection is rethrown. A dispatch still
 * pending is left to the caller, whose later `await` handles its rejection.
 */
async function settleWithin(dispatching: Promise<Dispatch>, milliseconds: number): Promise<Early> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Early>((resolve) => {
    timer = setTimeout(() => resolve({ state: "pending" }), milliseconds);
  });
  try {
    return await Promise.race([
      dispatching.then((dispatch): Early => ({ state: "resolved", dispatch })),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function logFailure(
  logger: Logger,
  error: SwitchyardError,
  dispatch: Dispatch | undefined,
  phase: "dispatch" | "stream",
): void {
  logger.warn(
    { requestId: dispatch?.id, code: error.code, backend: error.backend, phase, frontDoor: "anthropic" },
    error.message,
  );
}
