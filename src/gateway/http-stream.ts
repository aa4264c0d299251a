/**
 * Plumbing shared by the front doors: abort the upstream when the caller disconnects, and write a
 * server-sent-event stream straight to the socket with backpressure.
 */
import type { ServerResponse } from "node:http";
import type { FastifyReply } from "fastify";
import { Cancellation, type CancelSignal } from "../protocol/cancel-signal.js";

/** A signal that fires when the caller goes away before the response is complete. */
export function abortOnDisconnect(reply: FastifyReply): CancelSignal {
  const cancellation = new Cancellation();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) cancellation.abort();
  });
  return cancellation;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/** Writes text, waiting for the socket to drain when its buffer is full. Returns false if closed. */
export async function writeChunk(response: ServerResponse, text: string): Promise<boolean> {
  if (text === "") return !response.destroyed;
  if (response.destroyed || response.writableEnded) return false;
  if (response.write(text)) return true;
  return new Promise<boolean>((resolve) => {
    const done = (drained: boolean) => {
      response.off("drain", onDrain);
      response.off("close", onClose);
      resolve(drained);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    response.once("drain", onDrain);
    response.once("close", onClose);
  });
}
