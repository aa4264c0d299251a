/**
 * The one transport-error classifier, on the errors undici and Node really throw (taken from real
 * sockets where a test can provoke them, built with their real codes where it cannot).
 */
import { createServer } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import {
  classifyTransportError,
  systemErrorCode,
  type TransportPhase,
} from "../../src/backends/transport-errors.js";

const coded = (code: string, message = `${code} happened`) => Object.assign(new Error(message), { code });

describe("classifyTransportError", () => {
  it("reads a refused connection from a real socket as unreachable", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const thrown = await request(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(classifyTransportError(thrown, "before-response")).toMatchObject({
      kind: "unreachable",
      code: "upstream-unreachable",
      systemCode: "ECONNREFUSED",
    });
  });

  it.each([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EHOSTDOWN",
    "ETIMEDOUT",
    "UND_ERR_CONNECT_TIMEOUT",
  ])("before any response, %s means no connection: unreachable", (code) => {
    expect(classifyTransportError(coded(code), "before-response")).toMatchObject({
      kind: "unreachable",
      code: "upstream-unreachable",
      systemCode: code,
    });
  });

  it.each(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_DESTROYED"])(
    "before any response, %s means the server is not answering; mid-stream, a broken answer",
    (code) => {
      expect(classifyTransportError(coded(code), "before-response")).toMatchObject({
        kind: "closed-before-answer",
        code: "upstream-unreachable",
      });
      expect(classifyTransportError(coded(code), "mid-stream")).toMatchObject({
        kind: "broken-mid-answer",
        code: "upstream-error",
      });
    },
  );

  it("an error without a code before any response is a closed connection; one that names another reason is a failure", () => {
    expect(classifyTransportError(new Error("socket hang up"), "before-response").kind).toBe(
      "closed-before-answer",
    );
    const tls = classifyTransportError(
      coded("CERT_HAS_EXPIRED", "certificate has expired"),
      "before-response",
    );
    expect(tls).toMatchObject({
      kind: "failed-before-answer",
      code: "upstream-error",
      detail: "certificate has expired",
    });
  });

  it.each<[string, TransportPhase, string]>([
    ["UND_ERR_HEADERS_TIMEOUT", "before-response", "headers-timeout"],
    ["UND_ERR_BODY_TIMEOUT", "mid-stream", "body-timeout"],
    ["UND_ERR_BODY_TIMEOUT", "before-response", "body-timeout"],
  ])("%s (%s) is a timeout whatever the phase", (code, phase, kind) => {
    expect(classifyTransportError(coded(code), phase)).toMatchObject({ kind, code: "upstream-timeout" });
  });

  it("the caller's abort wins over whatever the socket said", () => {
    const controller = new AbortController();
    controller.abort();
    for (const phase of ["before-response", "mid-stream"] as const) {
      expect(classifyTransportError(coded("ECONNRESET"), phase, controller.signal)).toMatchObject({
        kind: "aborted",
        code: "aborted",
      });
    }
    expect(
      classifyTransportError(coded("ECONNRESET"), "before-response", new AbortController().signal).kind,
    ).toBe("closed-before-answer");
  });

  it("finds the code through fetch's cause and Node's AggregateError, and says what the attempts said", () => {
    const attempts = new AggregateError(
      [
        coded("ECONNREFUSED", "connect ECONNREFUSED ::1:11434"),
        coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:11434"),
      ],
      "",
    );
    const wrapped = new TypeError("fetch failed", { cause: attempts });
    expect(classifyTransportError(wrapped, "before-response")).toMatchObject({
      kind: "unreachable",
      systemCode: "ECONNREFUSED",
      detail: "fetch failed",
    });
    expect(classifyTransportError(attempts, "before-response").detail).toBe(
      "connect ECONNREFUSED ::1:11434; connect ECONNREFUSED 127.0.0.1:11434",
    );
  });

  it("stops at a cause chain that points back at itself", () => {
    const looping = new Error("loop") as Error & { cause?: unknown };
    looping.cause = looping;
    expect(systemErrorCode(looping)).toBeUndefined();
    expect(systemErrorCode("not an error")).toBeUndefined();
  });
});
