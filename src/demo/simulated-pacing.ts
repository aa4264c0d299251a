/**
 * Token pacing for the simulators: text cut into token-sized pieces, and a loop that releases
 * them at a (possibly changing) tokens-per-second rate in simulated time, a few pieces per real
 * tick, so a stream looks like a model generating and costs the demo little CPU.
 */
import { estimateTextTokens } from "../protocol/anthropic/text-token-estimate.js";
import type { SimulatedReply } from "./simulated-ask.js";
import type { SimulatedTime } from "./simulated-time.js";

/** How often, in real milliseconds, a paced stream releases what has been generated. */
const TICK_REAL_MS = 20;

/**
 * Cuts text into pieces of about one token each (a word with its leading space, long words in
 * chunks of four characters), keeping every character, so joining them gives the text back.
 */
export function tokenPieces(text: string): string[] {
  return text.match(/\s*[^\s]{1,4}|\s+/g) ?? [];
}

/** Prompt tokens of a conversation, by the same estimate Switchyard's router uses. */
export function promptTokenCount(texts: readonly string[]): number {
  // Each message carries a few tokens of chat template (role markers) besides its text.
  return texts.reduce((sum, text) => sum + estimateTextTokens(text) + 4, 3);
}

/** A reply cut into the pieces a server will send, and why it ends. */
export interface PlannedReply {
  reasoning: string[];
  content: string[];
  finishReason: "stop" | "length";
}

/**
 * Cuts a reply into token pieces and applies the limits a real model meets: a model that rambles
 * (`runsOutOfTokens`) stops two thirds of the way in, and the request's output limit (reasoning
 * counts against it) cuts the rest; either way the finish reason is "length".
 */
export function planReply(
  reply: { content: string; reasoning: string; runsOutOfTokens?: SimulatedReply["runsOutOfTokens"] },
  maxTokens: number,
): PlannedReply {
  let reasoning = tokenPieces(reply.reasoning);
  let content = tokenPieces(reply.content);
  let finishReason: PlannedReply["finishReason"] = "stop";
  if (reply.runsOutOfTokens) {
    content = content.slice(0, Math.ceil((content.length * 2) / 3));
    finishReason = "length";
  }
  if (reasoning.length + content.length > maxTokens) {
    reasoning = reasoning.slice(0, maxTokens);
    content = content.slice(0, Math.max(0, maxTokens - reasoning.length));
    finishReason = "length";
  }
  return { reasoning, content, finishReason };
}

export interface PaceOptions {
  /** Pieces to release in all. */
  total: number;
  /** Tokens per second now (read at every tick, so concurrency can change it). */
  rate: () => number;
  time: SimulatedTime;
  signal: AbortSignal;
  /** Called with how many pieces have been released so far, each time that grows. */
  onProgress: (released: number) => void;
}

/**
 * Releases `total` pieces at `rate`; resolves with the model time it took in simulated
 * milliseconds — each piece's share at the rate it was made at, not the timer's wall time, which
 * at high speeds is mostly the timer's own granularity.
 */
export async function pace(options: PaceOptions): Promise<number> {
  const { time, total } = options;
  const tickMs = TICK_REAL_MS * time.speed;
  let produced = 0;
  let released = 0;
  let modelMs = 0;
  let last = time.now();
  while (released < total && !options.signal.aborted) {
    const rate = Math.max(0.001, options.rate());
    const remainingMs = ((total - produced) / rate) * 1000;
    await time.wait(Math.min(remainingMs, tickMs), options.signal);
    const now = time.now();
    const made = Math.min(total - produced, (rate * (now - last)) / 1000);
    last = now;
    produced += made;
    modelMs += (made / rate) * 1000;
    // The last wait covered the rest: rounding must not leave a piece behind.
    const whole = remainingMs <= tickMs ? total : Math.floor(produced);
    if (whole > released) {
      modelMs += (Math.max(0, whole - produced) / rate) * 1000;
      produced = Math.max(produced, whole);
      released = whole;
      options.onProgress(released);
    }
  }
  return modelMs;
}
