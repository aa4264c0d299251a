/**
 * The MCP client side of a warm spare (tool-server-spares.ts): the SDK's stdio framing
 * (`serializeMessage`, and the spare's `ReadBuffer`) over a process that is already running.
 * `start()` hands the spare its settings as the first line of its stdin; from then on it behaves
 * as the SDK's StdioClientTransport does for a process it spawned — the same `pid` and `stderr`,
 * `onclose` when the process has gone, and the same `close()`: stdin ended, then SIGTERM, then
 * SIGKILL, two seconds apart.
 */
import type { Readable } from "node:stream";
import {
  type JSONRPCMessage,
  SdkError,
  SdkErrorCode,
  serializeMessage,
  type Transport,
} from "@modelcontextprotocol/client";
import type { WarmSpare } from "./tool-server-spares.js";

const CLOSE_STEP_MS = 2_000;

export class SpareServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private running = false;

  constructor(
    private readonly spare: WarmSpare,
    /** The server's settings, JSON on one line (what a spawned server reads from its environment). */
    private readonly settingsJson: string,
  ) {}

  get pid(): number | null {
    return this.spare.pid ?? null;
  }

  get stderr(): Readable {
    return this.spare.stderr;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error("SpareServerTransport already started");
    const child = this.spare.process;
    if (!this.spare.alive)
      throw new SdkError(SdkErrorCode.ConnectionClosed, `the warm spare (pid ${this.spare.pid}) had exited`);
    this.running = true;
    child.once("close", () => {
      this.running = false;
      this.onclose?.();
    });
    this.spare.attach({
      message: (message) => this.onmessage?.(message),
      error: (error) => this.onerror?.(error),
    });
    child.stdin.write(`${this.settingsJson}\n`);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) throw new SdkError(SdkErrorCode.NotConnected, "Not connected");
      if (this.spare.process.stdin.write(serializeMessage(message))) resolve();
      else this.spare.process.stdin.once("drain", resolve);
    });
  }

  async close(): Promise<void> {
    const child = this.spare.process;
    if (!this.running) return;
    this.running = false;
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const within = () =>
      Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_STEP_MS).unref())]);
    child.stdin.end();
    await within();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await within();
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
