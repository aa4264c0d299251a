/**
 * The server side of MCP over stdio: one JSON-RPC message per line. The SDK's own stdio transport
 * drops a line that is not JSON, or not JSON-RPC, without a word, and closes on a line over its
 * buffer limit; this one answers each such line with the JSON-RPC error that names the problem
 * (-32700 parse error, -32600 invalid request) and carries on, so a bad line never stops the
 * server or leaves the caller waiting.
 */
import type { Readable, Writable } from "node:stream";
import {
  INVALID_REQUEST,
  type JSONRPCMessage,
  PARSE_ERROR,
  parseJSONRPCMessage,
  type Transport,
} from "@modelcontextprotocol/server";

export interface StdioLineTransportOptions {
  input?: Readable;
  output?: Writable;
  /** A line longer than this is answered with an error and skipped. */
  maxLineBytes: number;
}

export class StdioLineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line already answered as too long: everything up to its newline is dropped. */
  private skipping = false;
  private isClosed = false;
  private resolveClosed!: () => void;
  /** Resolves when the transport has closed: stdin ended, or `close()`. */
  readonly closed = new Promise<void>((resolve) => {
    this.resolveClosed = resolve;
  });

  constructor(options: StdioLineTransportOptions) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.maxLineBytes = options.maxLineBytes;
  }

  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.on("end", this.onEnd);
    this.input.on("close", this.onEnd);
    this.input.on("error", this.onInputError);
    this.output.on("error", this.onInputError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.isClosed) return;
    const line = `${JSON.stringify(message)}\n`;
    if (!this.output.write(line)) await new Promise<void>((resolve) => this.output.once("drain", resolve));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.input.off("data", this.onData);
    this.input.off("end", this.onEnd);
    this.input.off("close", this.onEnd);
    this.input.pause();
    this.pending = [];
    this.onclose?.();
    this.resolveClosed();
  }

  private readonly onEnd = () => void this.close();

  private readonly onInputError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer) => {
    let rest = chunk;
    for (let newline = rest.indexOf(10); newline !== -1; newline = rest.indexOf(10)) {
      const piece = rest.subarray(0, newline);
      rest = rest.subarray(newline + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length > this.maxLineBytes) this.answerTooLong(line.length);
      else this.handleLine(line.toString("utf8"));
    }
    if (this.skipping || rest.length === 0) return;
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    if (this.pendingBytes > this.maxLineBytes) {
      this.answerTooLong(this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
    }
  };

  private answerTooLong(bytes: number): void {
    this.answerError(
      null,
      INVALID_REQUEST,
      `Invalid Request: a message of ${bytes}+ bytes is over this server's limit of ${this.maxLineBytes}`,
    );
  }

  private handleLine(line: string): void {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.answerError(null, PARSE_ERROR, `Parse error: ${(error as Error).message}`);
      return;
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      this.answerError(idOf(value), INVALID_REQUEST, `Invalid Request: ${whatIsWrong(value)}`);
      return;
    }
    this.onmessage?.(message);
  }

  private answerError(id: string | number | null, code: number, message: string): void {
    void this.send({ jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage);
  }
}

function idOf(value: unknown): string | number | null {
  if (typeof value !== "object" || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** The first thing that keeps a JSON value from being a JSON-RPC 2.0 message. */
function whatIsWrong(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "a message must be a JSON object (batches are not supported)";
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== "2.0") return 'jsonrpc must be "2.0"';
  if ("method" in message) {
    if (typeof message.method !== "string") return "method must be a string";
    if ("params" in message && (typeof message.params !== "object" || message.params === null))
      return "params must be an object";
    if ("id" in message && typeof message.id !== "string" && typeof message.id !== "number")
      return "id must be a string or a number";
  } else if (!("result" in message) && !("error" in message)) {
    return "a request needs a method; a response needs a result or an error";
  }
  return "not a JSON-RPC 2.0 message";
}
