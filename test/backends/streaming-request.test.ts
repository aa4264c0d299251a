/**
 * The back ends' streaming request over a real loopback server: chunks arrive in order, a slow
 * reader gets every byte without unbounded buffering, and an abort or an early stop closes the
 * upstream's socket.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { streamingRequest } from "../../src/backends/streaming-request.js";

type Handler = (response: ServerResponse) => void;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function serve(handler: Handler): Promise<{ pool: Pool; origin: string; closed: Promise<void> }> {
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const server: Server = createServer((request, response) => {
    request.resume();
    response.on("close", () => {
      if (!response.writableFinished) markClosed();
    });
    handler(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pool = new Pool(origin);
  cleanups.push(async () => {
    await pool.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { pool, origin, closed };
}

const post = (origin: string, signal = new AbortController().signal) => ({
  origin,
  path: "/stream",
  method: "POST" as const,
  headers: { "content-type": "application/json" },
  body: "{}",
  signal,
});

describe("streamingRequest", () => {
  it("resolves at the headers and yields the chunks in order", async () => {
    // The body's end is held until the test has looked at the open response: a timer here let a
    // busy machine deliver the whole body first.
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const { pool, origin } = await serve((response) => {
      response.writeHead(201, { "content-type": "application/x-ndjson", "x-extra": "yes" });
      response.write("one\n");
      void finished.then(() => response.end("two\n"));
    });
    const response = await streamingRequest(pool, post(origin));
    expect(response.statusCode).toBe(201);
    expect(response.headers["x-extra"]).toBe("yes");
    expect(response.body.destroyed).toBe(false);
    finish();
    expect(await response.body.text(1024)).toBe("one\ntwo\n");
    expect(response.body.destroyed).toBe(true);
  });

  it("delivers a large body to a slow reader byte for byte", async () => {
    const piece = Buffer.alloc(64 * 1024, "x");
    const pieces = 64;
    const { pool, origin } = await serve((response) => {
      response.writeHead(200);
      let sent = 0;
      const more = () => {
        while (sent < pieces) {
          sent++;
          if (!response.write(piece)) return void response.once("drain", more);
        }
        response.end();
      };
      more();
    });
    const response = await streamingRequest(pool, post(origin));
    let bytes = 0;
    for await (const chunk of response.body) {
      bytes += chunk.length;
      if (bytes % (512 * 1024) < chunk.length) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(bytes).toBe(piece.length * pieces);
  });

  it("reads an error body up to its limit and closes the rest", async () => {
    const { pool, origin, closed } = await serve((response) => {
      response.writeHead(500);
      response.write("x".repeat(4096));
    });
    const response = await streamingRequest(pool, post(origin));
    const text = await response.body.text(1024);
    expect(text.length).toBeGreaterThanOrEqual(1024);
    expect(response.body.destroyed).toBe(true);
    await closed;
  });

  it("aborts mid-body when the caller's signal fires, closing the upstream socket", async () => {
    const { pool, origin, closed } = await serve((response) => {
      response.writeHead(200);
      response.write("first\n");
    });
    const controller = new AbortController();
    const response = await streamingRequest(pool, post(origin, controller.signal));
    const iterator = response.body[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.toString()).toBe("first\n");
    const pending = iterator.next();
    controller.abort(new Error("caller went away"));
    await expect(pending).rejects.toThrow("caller went away");
    await closed;
  });

  it("closes the upstream socket when the reader stops early", async () => {
    const { pool, origin, closed } = await serve((response) => {
      response.writeHead(200);
      response.write("first\n");
    });
    const response = await streamingRequest(pool, post(origin));
    for await (const chunk of response.body) {
      expect(chunk.toString()).toBe("first\n");
      break;
    }
    expect(response.body.destroyed).toBe(true);
    await closed;
  });

  it("rejects before the headers on an aborted signal and on a headers timeout", async () => {
    const { pool, origin } = await serve(() => {
      // Never answers.
    });
    const aborted = new AbortController();
    aborted.abort(new Error("already gone"));
    await expect(streamingRequest(pool, post(origin, aborted.signal))).rejects.toThrow("already gone");
    await expect(streamingRequest(pool, { ...post(origin), headersTimeout: 50 })).rejects.toMatchObject({
      code: "UND_ERR_HEADERS_TIMEOUT",
    });
    const later = new AbortController();
    const waiting = streamingRequest(pool, post(origin, later.signal));
    setTimeout(() => later.abort(new Error("gave up waiting")), 20);
    await expect(waiting).rejects.toThrow("gave up waiting");
  });
});
