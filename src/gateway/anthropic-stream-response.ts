/**
 * Writes a streamed `/v1/messages` answer while the spine is still looking for a rung that
 * answers. The answer resolves only after the first upstream event (so the spine can fall back up
 * the ladder before any byte is sent), and a cold model load takes a minute — far longer than
 * clients such as Claude Code wait in silence. So:
 *
 * 1. Wait for the budget's decision (it asks no model, so it is quick even under a burst), then up
 *    to `firstByteWaitMs` for the answer. Refusals and quick failures (an unknown upstream model, a
 *    402 or 429 at the top of the ladder) still become real HTTP error statuses, which the SDKs and
 *    Claude Code act on (retry a 429/529, report billing); and the headers name what answers.
 * 2. Then commit: SSE headers and `message_start`, and a `ping` whenever nothing was written for
 *    `pingIntervalMs` (while the model loads, and in any later silence). Committed before the
 *    answer, the headers carry only what the plan knows (`planHeaders`).
 * 3. A failure after the commit — of the dispatch or mid-stream — is an `event: error` frame with
 *    Anthropic's error body; nothing follows it.
 */
import type { FastifyReply } from "fastify";
import type { Logger } from "pino";
import type { ChatAnswer, ChatCall } from "../core/chat-call.js";
import { type SwitchyardError, toSwitchyardError } from "../errors/switchyard-error.js";
import type { AnthropicStreamRenderer } from "../protocol/anthropic/chat-to-anthropic.js";
import { SSE_HEADERS, writeChunk } from "./http-stream.js";
import { answerHeaders, planHeaders } from "./route-headers.js";

export interface AnthropicStreamTiming {
  /** How long the dispatch may take before `message_start` is sent anyway. */
  firstByteWaitMs: number;
  /** A `ping` is sent after this long without any other write. */
  pingIntervalMs: number;
}

export interface AnthropicStreamInput {
  reply: FastifyReply;
  call: ChatCall;
  renderer: AnthropicStreamRenderer;
  timing: AnthropicStreamTiming;
  logger: Logger;
}

type Early = { state: "resolved"; answer: ChatAnswer } | { state: "pending" };

/** Streams the answer; throws (before anything is written) when the answer fails quickly. */
export async function streamAnthropicAnswer(input: AnthropicStreamInput): Promise<void> {
  const { reply, call, renderer, timing } = input;
  // The budget decides before any model is asked and takes no model's time: wait for it whatever
  // it takes, so a refusal under a burst is still a real 402, never an error event after a 200.
  await call.admitted;
  const early = await settleWithin(call.answer, timing.firstByteWaitMs);

  reply.hijack();
  const response = reply.raw;
  const headers = early.state === "resolved" ? answerHeaders(early.answer) : planHeaders(call);
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

  let answer: ChatAnswer | undefined = early.state === "resolved" ? early.answer : undefined;
  try {
    await send(renderer.start());
    answer ??= await call.answer;
    for await (const event of answer.events) {
      if (!(await send(renderer.push(event)))) break;
    }
    await send(renderer.finish());
  } catch (thrown) {
    const error = toSwitchyardError(thrown);
    if (error.code !== "aborted") {
      logFailure(input.logger, error, call.id, answer === undefined ? "dispatch" : "stream");
      await send(renderer.error(error));
    }
  } finally {
    clearInterval(keepAlive);
    response.end();
  }
}

/**
 * The answer if it settles within `milliseconds`; its rejection is rethrown. An answer still
 * pending is left to the caller, whose later `await` handles its rejection.
 */
async function settleWithin(answering: Promise<ChatAnswer>, milliseconds: number): Promise<Early> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Early>((resolve) => {
    timer = setTimeout(() => resolve({ state: "pending" }), milliseconds);
  });
  try {
    return await Promise.race([answering.then((answer): Early => ({ state: "resolved", answer })), pending]);
  } finally {
    clearTimeout(timer);
  }
}

function logFailure(
  logger: Logger,
  error: SwitchyardError,
  requestId: string,
  phase: "dispatch" | "stream",
): void {
  logger.warn(
    { requestId, code: error.code, backend: error.backend, phase, frontDoor: "anthropic" },
    error.message,
  );
}
