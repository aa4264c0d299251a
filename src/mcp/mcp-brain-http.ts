/**
 * The remote MCP service's line to the Brain: JSON over HTTP with the bearer token, a time limit
 * per call, the caller's cancellation passed on, and every failure — a Brain that is not there, a
 * refused token, a route it does not have, an answer that is not JSON or not the expected shape —
 * a SwitchyardError that says what happened and what to do.
 */
import { request } from "undici";
import type { z } from "zod";
import { type ErrorCode, SwitchyardError } from "../errors/switchyard-error.js";
import { parseJson } from "../protocol/safe-json.js";

export interface BrainHttpOptions {
  /** The Brain's origin, e.g. http://brain:8787 (a trailing `/` or `/v1` is dropped). */
  url: string;
  token?: string | undefined;
  /** A call's time limit unless it gives its own. */
  timeoutMs: number;
}

export interface BrainCallInit {
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface BrainResponse {
  status: number;
  /** The parsed body; a body that is not JSON is an error before this. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface BrainHttp {
  /** The Brain's origin as called. */
  readonly base: string;
  /** One call, whatever the status: for callers that treat one refusal as an answer (a 404). */
  send(
    method: "GET" | "POST",
    path: string,
    signal: AbortSignal,
    init?: BrainCallInit,
  ): Promise<BrainResponse>;
  /** One call that must succeed: a 4xx or 5xx is thrown as the Brain's refusal, in words. */
  call(
    method: "GET" | "POST",
    path: string,
    signal: AbortSignal,
    init?: BrainCallInit,
  ): Promise<BrainResponse>;
  /** A body checked against the shape this client expects. */
  read<Schema extends z.ZodType>(schema: Schema, body: unknown, what: string): z.output<Schema>;
  /** The refusal a non-2xx response stands for. */
  refusal(method: string, path: string, response: BrainResponse): SwitchyardError;
}

export function brainHttp(options: BrainHttpOptions): BrainHttp {
  const base = options.url.trim().replace(/\/+$/, "").replace(/\/v1$/, "");

  const http: BrainHttp = {
    base,
    async send(method, path, signal, init = {}) {
      const timeoutMs = init.timeoutMs ?? options.timeoutMs;
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(`${base}${path}`, {
          method,
          headers: {
            accept: "application/json",
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
            ...init.headers,
          },
          ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error) {
        if (signal.aborted) throw new SwitchyardError("aborted", "The call was cancelled");
        throw new SwitchyardError(
          "upstream-unreachable",
          `Could not reach the Brain at ${base} (${(error as Error).message}): check that switchyard serve runs there and that --url (or SWITCHYARD_URL) names it`,
          { cause: error },
        );
      }
      const parsed = parseJson(await response.body.text());
      if (!parsed.ok && response.statusCode < 400)
        throw new SwitchyardError(
          "upstream-error",
          `The Brain at ${base} answered ${method} ${path} with something that is not JSON (${parsed.error}); is that a Switchyard gateway?`,
        );
      return {
        status: response.statusCode,
        body: parsed.ok ? parsed.value : undefined,
        headers: response.headers,
      };
    },
    async call(method, path, signal, init) {
      const response = await http.send(method, path, signal, init);
      if (response.status >= 400) throw http.refusal(method, path, response);
      return response;
    },
    read(schema, body, what) {
      const result = schema.safeParse(body);
      if (result.success) return result.data;
      throw new SwitchyardError(
        "upstream-error",
        `The Brain at ${base} sent ${what} in a shape this client does not know (${result.error.issues[0]?.message}); are both on the same Switchyard version?`,
      );
    },
    refusal(method, path, response) {
      return brainRefusal(base, `${method} ${path.split("?")[0]}`, response.status, response.body);
    },
  };
  return http;
}

/** The Switchyard error code in an OpenAI-shaped error body (`not-found`, `budget-exceeded`, …). */
export function brainErrorCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null | undefined)?.error?.code;
  return typeof code === "string" ? code : undefined;
}

function brainRefusal(base: string, what: string, status: number, body: unknown): SwitchyardError {
  const error = (body as { error?: { message?: unknown } } | null | undefined)?.error;
  const said = typeof error?.message === "string" ? error.message : `HTTP ${status}`;
  if (status === 401)
    return new SwitchyardError(
      "authentication",
      `The Brain at ${base} refused the token (${said}); set SWITCHYARD_TOKEN or pass --token with one of its server.auth_tokens`,
    );
  if (status === 404 && brainErrorCode(body) !== "not-found")
    return new SwitchyardError(
      "invalid-request",
      `The Brain at ${base} has no ${what} (${said}); it may run an older Switchyard — upgrade it`,
    );
  const code: ErrorCode =
    status === 402
      ? "budget-exceeded"
      : status === 404
        ? "not-found"
        : status < 500
          ? "invalid-request"
          : "upstream-error";
  return new SwitchyardError(code, `The Brain at ${base} answered ${status}: ${said}`, {
    upstreamStatus: status,
  });
}

/** Waits `ms`, or rejects with "aborted" as soon as the caller cancels. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new SwitchyardError("aborted", "The call was cancelled"));
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener("abort", cancel);
      resolve();
    }
    function cancel() {
      clearTimeout(timer);
      reject(new SwitchyardError("aborted", "The call was cancelled"));
    }
    signal.addEventListener("abort", cancel, { once: true });
  });
}
