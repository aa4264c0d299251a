/**
 * The live feed's server-sent events. The spine calls `listener` with every ledger row on the
 * gateway's hot path, so it does nothing at all while nobody watches and otherwise only queues
 * the row; rows are rendered and sent to every open page a few times a second, newest first.
 */
import type { RequestRecord } from "../store/ledger-store.js";
import { feedRow } from "./live-page.js";

/** How long rows gather before they are sent (one event for a burst). */
const SEND_INTERVAL_MS = 200;
/** A comment line this often keeps proxies and browsers from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/** One open page's stream. */
export interface FeedClient {
  write(chunk: string): void;
  /** Ends the stream (the server is closing). */
  end(): void;
}

export class LiveFeed {
  private readonly clients = new Set<FeedClient>();
  private pending: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  /** For `switchyard.onRecord`. */
  readonly listener = (row: RequestRecord): void => {
    if (this.clients.size === 0) return;
    this.pending.push(row);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.send(), SEND_INTERVAL_MS);
      this.timer.unref();
    }
  };

  get watchers(): number {
    return this.clients.size;
  }

  /** Adds a page's stream; the returned function removes it (when the page goes away). */
  subscribe(client: FeedClient): () => void {
    this.clients.add(client);
    client.write(": connected\n\n");
    if (this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => this.broadcast(": ping\n\n"), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    return () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    };
  }

  /** Ends every stream, so a closing server is not held open by pages watching it. */
  close(): void {
    const clients = [...this.clients];
    this.clients.clear();
    this.stop();
    for (const client of clients) client.end();
  }

  private stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    this.pending = [];
  }

  private send(): void {
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length === 0) return;
    // Newest first, as the table reads; one event for the lot, swapped in at the top.
    const markup = rows
      .reverse()
      .map((row) => feedRow(row).text.replace(/[\r\n]+/g, ""))
      .join("");
    this.broadcast(`event: request\ndata: ${markup}\n\n`);
  }

  private broadcast(chunk: string): void {
    for (const client of this.clients) client.write(chunk);
  }
}
