/**
 * The doctor's own HTTP GET (for the Brain's health and token checks and the Engine's LAN check)
 * and the one place a network failure is put into words a person can act on: refused, a name that
 * does not resolve, no route, a dropped connection, or the time limit.
 */
import { request } from "undici";

export interface HttpAnswer {
  status: number;
  text: string;
}

export async function httpGet(
  url: string,
  options: { signal: AbortSignal; headers?: Record<string, string> },
): Promise<HttpAnswer> {
  const response = await request(url, {
    method: "GET",
    headers: { accept: "application/json", ...options.headers },
    signal: options.signal,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

const reasons: Record<string, string> = {
  ECONNREFUSED: "connection refused: nothing listens on that address and port",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve (DNS did not answer)",
  EHOSTUNREACH: "no route to the host: it is off, asleep or on another network",
  ENETUNREACH: "no route to that network",
  ETIMEDOUT: "the connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
  ECONNRESET: "the connection was dropped",
  UND_ERR_SOCKET: "the connection was dropped",
  EPIPE: "the connection was dropped",
};

/** Why a request failed, in words; `signal` tells a time-limit abort from other failures. */
export function networkReason(error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) return "no answer within the time limit";
  const code = networkCode(error);
  if (code !== undefined) return reasons[code]!;
  return error instanceof Error ? error.message : String(error);
}

/** True when nothing listens there — the signature of an Ollama bound to loopback only. */
export function isRefused(error: unknown): boolean {
  return networkCode(error) === "ECONNREFUSED";
}

/** The first known network code along `cause` (and the first of an AggregateError's errors). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && reasons[code]) return code;
    current = current instanceof AggregateError ? current.errors[0] : (current as { cause?: unknown }).cause;
  }
  return undefined;
}
