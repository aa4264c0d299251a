/**
 * One behaviour suite, run against every back end with its protocol-faithful fake on loopback (the
 * Ollama back end with fake-ollama.ts, the OpenAI-compatible one with fake-openrouter.ts): what a
 * back end must do whatever it speaks. It aborts the upstream request when the caller goes away
 * (before the answer and during it) and when the consumer stops reading; it times out on its
 * configured waits; it reports an unreachable server, a mid-stream error, and busy or
 * rate-limited answers with their Retry-After; and a caller that does not stream gets the events
 * the stream would have given. Each protocol's own peculiarities stay in its own test file.
 *
 * Nothing here sleeps: the fakes hold an answer until the test's own event, and the suite waits on
 * the fakes' counts of arrived and abandoned requests.
 */
import { Agent, type Dispatcher } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backend, BackendCall } from "../../src/backends/backend.js";
import { SwitchyardError } from "../../src/errors/switchyard-error.js";
import {
  type ChatEvent,
  type ChatRequest,
  type ChatResult,
  collectChatEvents,
  type Usage,
} from "../../src/protocol/chat-types.js";
import { closedPort } from "../helpers/closed-port.js";

/** What the suite asks a fake to do with the next chat request, in words every fake understands. */
export type Scene =
  /** Answers `content`; `until` holds the answer (headers included) until it settles. */
  | { kind: "reply"; content: string; until?: Promise<unknown> }
  /** Answers the fixture's `richAnswer`: reasoning, text, a tool call and usage. */
  | { kind: "rich-reply" }
  /** An error status with the protocol's error body carrying `message`. */
  | { kind: "status"; status: number; message: string; headers?: Record<string, string> }
  /** Streams `afterContent`, then reports `message` as a failure during generation. */
  | { kind: "error-mid-stream"; afterContent: string; message: string }
  /** Sends nothing at all until the client goes away. */
  | { kind: "no-answer" }
  /** Streams `afterContent`, then nothing until the client goes away (nothing at all unstreamed). */
  | { kind: "stall-mid-stream"; afterContent: string }
  /** Destroys the socket before any answer. */
  | { kind: "destroy" };

/** The options every back end takes, under the same names. */
export interface SharedBackendOptions {
  firstByteTimeoutMs?: number;
  answerTimeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** How a back end words the failures the suite provokes (the codes are the suite's to check). */
export interface BackendWording {
  /** Part of the message for an error status that carried `upstreamMessage`. */
  status(status: number, upstreamMessage: string): string;
  /** Nothing listens at the address. */
  refused: RegExp;
  /** The socket was closed before any answer. */
  closedBeforeAnswer: RegExp;
  /** A stream went silent for longer than the dispatcher's body timeout. */
  silentMidStream: RegExp;
}

/** What the suite reads from a fake server itself; both fakes have it under these names. */
export interface FakeServer {
  abortedCount(): number;
  waitForAborts(count: number): Promise<void>;
  waitForChatRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface BackendFixture {
  /** The fake the back end talks to: its counts of abandoned and arrived requests. */
  fake: FakeServer;
  /** The back end's configured id, which every error must name. */
  id: string;
  /** The upstream model the calls ask for. */
  model: string;
  /** A back end against the fake; the suite closes it. */
  backend(options?: SharedBackendOptions): Backend;
  /** The same back end aimed at `origin`, where nothing listens. */
  backendAt(origin: string): Backend;
  enqueue(...scenes: Scene[]): void;
  /** The chat requests the fake received, in order. */
  chatRequests(): Array<{ headers: Record<string, string | string[] | undefined>; body: unknown }>;
  /** What `rich-reply` collects to. */
  richAnswer: {
    reasoning: string;
    text: string;
    toolCalls: Array<{ name: string; arguments: string }>;
    usage: Partial<Usage>;
  };
  /** Fields the request body for a caller that does not stream must carry. */
  wholeAnswerBody: Record<string, unknown>;
  /** The upstream status of a failure during a generation that was not streamed. */
  wholeAnswerFailureStatus: number;
  wording: BackendWording;
  /** A credential the back end holds, which no error may repeat. */
  secret: string;
}

export function describeBackendBehaviour(name: string, start: () => Promise<BackendFixture>): void {
  describe(`back end behaviour: ${name}`, () => {
    let fixture: BackendFixture;
    let opened: Backend[];
    let backend: Backend;
    const open = (options?: SharedBackendOptions) => {
      const created = fixture.backend(options);
      opened.push(created);
      return created;
    };

    beforeEach(async () => {
      fixture = await start();
      opened = [];
      backend = open();
    });
    afterEach(async () => {
      await Promise.all(opened.map((each) => each.close()));
      await fixture.fake.close();
    });

    const call = (request: Partial<ChatRequest> = {}, signal?: AbortSignal): BackendCall => ({
      request: { model: "alias", messages: [{ role: "user", content: "Hi" }], stream: true, ...request },
      model: fixture.model,
      options: {},
      signal: signal ?? new AbortController().signal,
    });
    const whole = (request: Partial<ChatRequest> = {}, signal?: AbortSignal) =>
      call({ stream: false, ...request }, signal);

    /** Checks what every error must be: a SwitchyardError naming the back end, with no secret. */
    const checked = (error: unknown): SwitchyardError => {
      expect(error).toBeInstanceOf(SwitchyardError);
      const switchyardError = error as SwitchyardError;
      expect(switchyardError.backend).toBe(fixture.id);
      expect(switchyardError.message).not.toContain(fixture.secret);
      return switchyardError;
    };

    /** `chat()` itself must reject: the failure came before any event. */
    const rejection = async (pending: Promise<unknown>): Promise<SwitchyardError> => {
      try {
        await pending;
      } catch (error) {
        return checked(error);
      }
      throw new Error("expected chat() to reject");
    };

    /** The failure may reject `chat()` or come from the events; `seen` keeps what arrived first. */
    const failure = async (
      pending: Promise<AsyncIterable<ChatEvent>>,
      seen: ChatEvent[] = [],
    ): Promise<SwitchyardError> => {
      try {
        for await (const event of await pending) seen.push(event);
      } catch (error) {
        return checked(error);
      }
      throw new Error("expected the call to fail");
    };

    const texts = (events: ChatEvent[]) =>
      events
        .filter((event) => event.type === "text-delta")
        .map((event) => event.text)
        .join("");

    it("streams an answer: metadata first, then the text, and a finish", async () => {
      fixture.enqueue({ kind: "reply", content: "Hello there, friend!" });
      const events: ChatEvent[] = [];
      for await (const event of await backend.chat(call())) events.push(event);
      expect(events[0]).toMatchObject({ type: "response-metadata", model: fixture.model });
      expect(texts(events)).toBe("Hello there, friend!");
      expect(events.at(-1)).toEqual({ type: "finish", reason: "stop" });
    });

    it("throws a mid-stream error from the iterator, after the text that came before it", async () => {
      fixture.enqueue({
        kind: "error-mid-stream",
        afterContent: "Partial answer",
        message: "llama runner process has terminated",
      });
      const seen: ChatEvent[] = [];
      const error = await failure(backend.chat(call()), seen);
      expect(texts(seen)).toBe("Partial answer");
      expect(error.code).toBe("upstream-error");
      expect(error.message).toContain("llama runner process has terminated");
    });

    it("rejects chat() with upstream-busy on 503, keeping Retry-After in seconds", async () => {
      fixture.enqueue({
        kind: "status",
        status: 503,
        message: "server busy",
        headers: { "retry-after": "3" },
      });
      const error = await rejection(backend.chat(call()));
      expect(error).toMatchObject({ code: "upstream-busy", upstreamStatus: 503, retryAfterSeconds: 3 });
      expect(error.message).toContain(fixture.wording.status(503, "server busy"));
      expect(error.retryable).toBe(true);
    });

    it("reads Retry-After on 429 (seconds) and on 503 (an HTTP date)", async () => {
      fixture.enqueue({
        kind: "status",
        status: 429,
        message: "Rate limit exceeded",
        headers: { "Retry-After": "7" },
      });
      const rateLimited = await rejection(backend.chat(call()));
      expect(rateLimited).toMatchObject({ code: "upstream-rate-limited", upstreamStatus: 429 });
      expect(rateLimited.retryAfterSeconds).toBe(7);
      expect(rateLimited.message).toContain("Rate limit exceeded");
      expect(rateLimited.retryable).toBe(true);

      const inTwentySeconds = new Date(Date.now() + 20_000).toUTCString();
      fixture.enqueue({
        kind: "status",
        status: 503,
        message: "overloaded",
        headers: { "Retry-After": inTwentySeconds },
      });
      const busy = await rejection(backend.chat(call()));
      expect(busy.code).toBe("upstream-busy");
      expect(busy.retryAfterSeconds).toBeGreaterThanOrEqual(18);
      expect(busy.retryAfterSeconds).toBeLessThanOrEqual(21);
    });

    it("rejects chat() with upstream-unreachable when nothing listens", async () => {
      const nowhere = fixture.backendAt(`http://127.0.0.1:${await closedPort()}`);
      opened.push(nowhere);
      const refused = await rejection(nowhere.chat(call()));
      expect(refused.code).toBe("upstream-unreachable");
      expect(refused.retryable).toBe(true);
      expect(refused.message).toContain("ECONNREFUSED");
      expect(refused.message).toMatch(fixture.wording.refused);
    });

    it("rejects chat() with upstream-unreachable when the socket is closed before any answer", async () => {
      fixture.enqueue({ kind: "destroy" });
      const closed = await rejection(backend.chat(call()));
      expect(closed.code).toBe("upstream-unreachable");
      expect(closed.message).toMatch(fixture.wording.closedBeforeAnswer);
    });

    it("aborts the upstream request when the caller goes away mid-stream", async () => {
      fixture.enqueue({ kind: "stall-mid-stream", afterContent: "Hel" });
      const controller = new AbortController();
      const abortsBefore = fixture.fake.abortedCount();
      const iterator = (await backend.chat(call({}, controller.signal)))[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({
        type: "response-metadata",
        model: fixture.model,
      });
      expect((await iterator.next()).value).toEqual({ type: "text-delta", text: "Hel" });
      const pending = iterator.next();
      controller.abort();
      expect((await rejection(pending)).code).toBe("aborted");
      await fixture.fake.waitForAborts(abortsBefore + 1);
    });

    it("rejects chat() with aborted when the caller goes away before the first byte", async () => {
      fixture.enqueue({ kind: "no-answer" });
      const controller = new AbortController();
      const abortsBefore = fixture.fake.abortedCount();
      const pending = backend.chat(call({}, controller.signal));
      await fixture.fake.waitForChatRequests(1);
      controller.abort();
      const error = await rejection(pending);
      expect(error.code).toBe("aborted");
      expect(error.retryable).toBe(false);
      await fixture.fake.waitForAborts(abortsBefore + 1);
    });

    it("closes the upstream request when the consumer stops reading early", async () => {
      fixture.enqueue({ kind: "stall-mid-stream", afterContent: "Hel" });
      const abortsBefore = fixture.fake.abortedCount();
      for await (const event of await backend.chat(call())) if (event.type === "text-delta") break;
      await fixture.fake.waitForAborts(abortsBefore + 1);
    });

    it("times out with upstream-timeout when the first byte is too slow, naming the setting", async () => {
      const impatient = open({ firstByteTimeoutMs: 100 });
      fixture.enqueue({ kind: "no-answer" });
      const abortsBefore = fixture.fake.abortedCount();
      const error = await rejection(impatient.chat(call()));
      expect(error.code).toBe("upstream-timeout");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("did not start answering in time");
      expect(error.message).toContain(`backends.${fixture.id}.first_byte_timeout_ms`);
      await fixture.fake.waitForAborts(abortsBefore + 1);
    });

    it("times out with upstream-timeout when a stream goes silent, after what arrived", async () => {
      const dispatcher = new Agent({ bodyTimeout: 100 });
      try {
        const watchful = open({ dispatcher });
        fixture.enqueue({ kind: "stall-mid-stream", afterContent: "Partial" });
        const abortsBefore = fixture.fake.abortedCount();
        const seen: ChatEvent[] = [];
        const error = await failure(watchful.chat(call()), seen);
        expect(texts(seen)).toBe("Partial");
        expect(error.code).toBe("upstream-timeout");
        expect(error.message).toMatch(fixture.wording.silentMidStream);
        await fixture.fake.waitForAborts(abortsBefore + 1);
      } finally {
        await dispatcher.close();
      }
    });

    describe("a caller that does not stream", () => {
      it("asks for one whole answer and gets exactly the events the stream would have given", async () => {
        fixture.enqueue({ kind: "rich-reply" }, { kind: "rich-reply" });
        const streamed = await collectChatEvents(await backend.chat(call({ reasoning: { enabled: true } })));
        const events: ChatEvent[] = [];
        for await (const event of await backend.chat(whole({ reasoning: { enabled: true } })))
          events.push(event);
        const request = fixture.chatRequests()[1];
        expect(request?.body).toMatchObject({ stream: false, ...fixture.wholeAnswerBody });
        expect(request?.headers.accept).toBe("application/json");
        // One event of each kind: the answer is not re-chunked.
        expect(events.map((event) => event.type)).toEqual([
          "response-metadata",
          "reasoning-delta",
          "text-delta",
          "tool-call-start",
          "tool-call-delta",
          "usage",
          "finish",
        ]);
        const result = await collectChatEvents(
          (async function* () {
            yield* events;
          })(),
        );
        // Tool-call ids are made up per answer, and so is OpenRouter's generation id.
        const comparable = ({ toolCalls, id: _answerId, ...rest }: ChatResult) => ({
          ...rest,
          toolCalls: toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })),
        });
        expect(comparable(result)).toEqual(comparable(streamed));
        const { richAnswer } = fixture;
        expect(result).toMatchObject({
          reasoning: richAnswer.reasoning,
          text: richAnswer.text,
          finishReason: "tool-calls",
        });
        expect(comparable(result).toolCalls).toEqual(richAnswer.toolCalls);
        expect(result.usage).toMatchObject(richAnswer.usage);
      });

      it("a failure during generation fails the call before any event, retryable", async () => {
        fixture.enqueue({
          kind: "error-mid-stream",
          afterContent: "Partial",
          message: "llama runner process has terminated",
        });
        const seen: ChatEvent[] = [];
        const error = await failure(backend.chat(whole()), seen);
        expect(seen).toEqual([]);
        expect(error.code).toBe("upstream-error");
        expect(error.retryable).toBe(true);
        expect(error.upstreamStatus).toBe(fixture.wholeAnswerFailureStatus);
        expect(error.message).toContain("llama runner process has terminated");
      });

      it("waits for the whole answer up to answer_timeout_ms, not first_byte_timeout_ms", async () => {
        const bounded = open({ firstByteTimeoutMs: 50, answerTimeoutMs: 60_000 });
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        fixture.enqueue({ kind: "reply", content: "in time", until: released }, { kind: "no-answer" });
        const pending = bounded.chat(whole());
        await fixture.fake.waitForChatRequests(1);
        // A streamed call on the same back end gives up after first_byte_timeout_ms meanwhile.
        expect((await rejection(bounded.chat(call()))).code).toBe("upstream-timeout");
        release();
        expect((await collectChatEvents(await pending)).text).toBe("in time");

        const impatient = open({ firstByteTimeoutMs: 60_000, answerTimeoutMs: 100 });
        fixture.enqueue({ kind: "no-answer" });
        const error = await failure(impatient.chat(whole()));
        expect(error.code).toBe("upstream-timeout");
        expect(error.message).toContain("did not finish its answer in time");
        expect(error.message).toContain(`backends.${fixture.id}.answer_timeout_ms`);
      });

      it("aborts the upstream request when the caller goes away while the answer is generated", async () => {
        fixture.enqueue({ kind: "no-answer" });
        const controller = new AbortController();
        const abortsBefore = fixture.fake.abortedCount();
        const pending = backend.chat(whole({}, controller.signal));
        await fixture.fake.waitForChatRequests(1);
        controller.abort();
        expect((await rejection(pending)).code).toBe("aborted");
        await fixture.fake.waitForAborts(abortsBefore + 1);
      });
    });
  });
}
