/**
 * The one reading of a failed upstream exchange that never got an HTTP status to speak for it:
 * an undici or Node network error (looked for through `cause` chains and Node's AggregateError),
 * the caller's abort, or a timeout. From the error and the phase it struck in, it decides what
 * happened — the caller went away, a wait ran out, the server cannot be reached, it closed the
 * connection before answering, or the answer broke off — and which `SwitchyardError` code that
 * is. Every back end and every management call builds its errors through `transportError`, giving
 * only its own wording.
 */
import { type ErrorCode, SwitchyardError } from "../errors/switchyard-error.js";
import type { CancelSignal } from "../protocol/cancel-signal.js";

/** Where in the exchange the error struck. */
export type TransportPhase =
  /** Before the status and headers arrived: connecting, sending, or waiting for the answer. */
  | "before-response"
  /** While the body was read: part of the answer may already have reached the caller. */
  | "mid-stream";

export type TransportFailureKind =
  /** The caller's signal fired; the upstream was told to stop. Not the upstream's fault. */
  | "aborted"
  /** No status and headers within the configured wait. */
  | "headers-timeout"
  /** The body went silent for longer than the configured wait. */
  | "body-timeout"
  /** No connection was made: nothing listens, or the host cannot be found or routed to. */
  | "unreachable"
  /** A connection was made (or reused) and dropped before any status: the server is not answering. */
  | "closed-before-answer"
  /** The answer had begun and the connection broke. */
  | "broken-mid-answer"
  /** Before any status, an error that says nothing about reachability (TLS, a malformed response). */
  | "failed-before-answer";

export interface TransportFailure {
  kind: TransportFailureKind;
  /** The `SwitchyardError` code for `kind`. */
  code: ErrorCode;
  /** The undici or Node error code found on the error or its causes ("ECONNREFUSED"), if any. */
  systemCode: string | undefined;
  /** What the error itself says, for the message. */
  detail: string;
}

/** No connection was made. */
const NO_CONNECTION_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED", // the machine is up but nothing listens on the port (Ollama not started)
  "ENOTFOUND", // DNS knows no such name
  "EAI_AGAIN", // DNS did not answer this time
  "EHOSTUNREACH", // no route to the machine: switched off, asleep, or on another network
  "ENETUNREACH", // no route to its network at all
  "EHOSTDOWN", // the LAN reports the machine down (ARP got no reply)
  "ETIMEDOUT", // the OS gave up on the TCP handshake: a firewall drops the packets, or the machine is gone
  "UND_ERR_CONNECT_TIMEOUT", // undici's own connect timeout ran out
]);

/**
 * The connection closed under the request before any status. Mid-stream the same codes mean a
 * broken answer instead; before it, the request most likely never ran, so another rung may take it.
 */
const CLOSED_BEFORE_ANSWER_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET", // the server (or a proxy in front of it) reset us: restarting, crashed, or closed an idle keep-alive socket just as we reused it
  "EPIPE", // the server closed while we were still sending the request
  "UND_ERR_SOCKET", // undici's "other side closed": the socket ended with no response
  "UND_ERR_CLOSED", // our pool was closed under the request (shutdown)
  "UND_ERR_DESTROYED", // our pool was destroyed under the request
]);

const CODE_FOR_KIND: Record<TransportFailureKind, ErrorCode> = {
  aborted: "aborted",
  "headers-timeout": "upstream-timeout",
  "body-timeout": "upstream-timeout",
  unreachable: "upstream-unreachable",
  "closed-before-answer": "upstream-unreachable",
  "broken-mid-answer": "upstream-error",
  "failed-before-answer": "upstream-error",
};

/** What a back end knows about the exchange when it fails. */
export interface TransportContext {
  /** Whether the response had begun: a broken connection then is a broken answer, not an unreachable server. */
  phase: TransportPhase;
  /** The caller's signal: when it has fired, the failure is the caller's abort. */
  signal?: CancelSignal | undefined;
  /** The config key under `backends.<id>` that bounded the wait, for a timeout's remedy. */
  timeoutSetting?: "first_byte_timeout_ms" | "answer_timeout_ms";
}

export interface TransportErrorOptions extends TransportContext {
  /** The back end the error names (`SwitchyardError.backend`). */
  backend: string;
  /** The back end's own message for what happened: where it is, which setting bounded the wait. */
  wording: (failure: TransportFailure) => string;
}

/**
 * A thrown transport error as a `SwitchyardError` with the code `classifyTransportError` decides
 * and the back end's wording. A `SwitchyardError` passes through: it was decided where it arose
 * (a stream decoder's error line, a status error thrown inside the same `try`).
 */
export function transportError(
  error: unknown,
  { phase, signal, backend, wording }: TransportErrorOptions,
): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const failure = classifyTransportError(error, phase, signal);
  return new SwitchyardError(failure.code, wording(failure), { backend, cause: error });
}

/** Decides what a thrown transport error means. A fired caller signal wins over everything. */
export function classifyTransportError(
  error: unknown,
  phase: TransportPhase,
  signal?: CancelSignal,
): TransportFailure {
  const systemCode = systemErrorCode(error);
  const kind = failureKind(systemCode, phase, signal?.aborted === true);
  return { kind, code: CODE_FOR_KIND[kind], systemCode, detail: describeError(error, systemCode) };
}

function failureKind(
  systemCode: string | undefined,
  phase: TransportPhase,
  aborted: boolean,
): TransportFailureKind {
  if (aborted) return "aborted";
  if (systemCode === "UND_ERR_HEADERS_TIMEOUT") return "headers-timeout";
  if (systemCode === "UND_ERR_BODY_TIMEOUT") return "body-timeout";
  if (phase === "mid-stream") return "broken-mid-answer";
  if (systemCode === undefined) return "closed-before-answer";
  if (NO_CONNECTION_CODES.has(systemCode)) return "unreachable";
  if (CLOSED_BEFORE_ANSWER_CODES.has(systemCode)) return "closed-before-answer";
  return "failed-before-answer";
}

/**
 * The string `code` of the error or the first cause that has one. Node wraps the attempts of one
 * connection (IPv6 and IPv4, "happy eyeballs") in an AggregateError; `fetch` wraps undici's error
 * in a TypeError's `cause`. The depth limit guards against a cause that points back at itself.
 */
export function systemErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = systemErrorCode(inner, depth + 1);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return systemErrorCode((error as { cause?: unknown }).cause, depth + 1);
}

/** The error's message; an AggregateError's is often empty, so its inner messages stand in. */
function describeError(error: unknown, systemCode: string | undefined): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) {
    const inner = error.errors
      .map((each: unknown) => (each instanceof Error ? each.message : ""))
      .filter((message) => message !== "");
    if (inner.length > 0) return [...new Set(inner)].join("; ");
  }
  return systemCode ?? error.name;
}
