/**
 * An incremental Server-Sent Events parser over raw body chunks. Owns the SSE framing only
 * (lines, fields, blank-line dispatch); what the `data` means is the wire converter's business.
 * Follows the WHATWG event-stream rules: `\n`, `\r\n` and `\r` all end a line, lines starting
 * with `:` are comments (OpenRouter's `: OPENROUTER PROCESSING` keep-alives), several `data:`
 * lines join with `\n`, and an event without data is not dispatched.
 */

/** One dispatched event. `event` is "message" unless the stream named it. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** The `data` OpenAI-style streams send as their last event. */
export const SSE_DONE_DATA = "[DONE]";

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

export class SseParser {
  private readonly decoder = new TextDecoder("utf-8");
  private buffer = "";
  private dataLines: string[] = [];
  private eventType: string | undefined;
  private lastEventId: string | undefined;
  /** A chunk ended in `\r`: a `\n` at the start of the next chunk belongs to the same line break. */
  private skipLeadingLineFeed = false;

  /** Feeds the next body chunk; returns the events it completed, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.consume(text);
  }

  /**
   * Signals the end of the body. Strictly, an event without its closing blank line is dropped;
   * we dispatch it anyway, because a server that closes right after its last `data:` line still
   * meant it.
   */
  end(): SseEvent[] {
    const events = this.consume(this.decoder.decode());
    if (this.buffer.length > 0) {
      this.processLine(this.buffer, events);
      this.buffer = "";
    }
    this.dispatch(events);
    return events;
  }

  private consume(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (text.length === 0) return events;
    let input = text;
    if (this.skipLeadingLineFeed) {
      this.skipLeadingLineFeed = false;
      if (input.charCodeAt(0) === LINE_FEED) input = input.slice(1);
    }
    // Only the unfinished tail of the previous chunk is rescanned, so parsing stays linear.
    const scanFrom = this.buffer.length;
    this.buffer += input;
    const buffer = this.buffer;
    let lineStart = 0;
    if (buffer.indexOf("\r", scanFrom) === -1) {
      // The common case (no carriage returns): let the native indexOf find line ends.
      for (let end = buffer.indexOf("\n", scanFrom); end !== -1; end = buffer.indexOf("\n", lineStart)) {
        this.processLine(buffer.slice(lineStart, end), events);
        lineStart = end + 1;
      }
      this.buffer = lineStart === 0 ? buffer : buffer.slice(lineStart);
      return events;
    }
    for (let position = scanFrom; position < buffer.length; position++) {
      const code = buffer.charCodeAt(position);
      if (code !== LINE_FEED && code !== CARRIAGE_RETURN) continue;
      this.processLine(buffer.slice(lineStart, position), events);
      if (code === CARRIAGE_RETURN) {
        if (position + 1 < buffer.length) {
          if (buffer.charCodeAt(position + 1) === LINE_FEED) position++;
        } else {
          this.skipLeadingLineFeed = true;
        }
      }
      lineStart = position + 1;
    }
    this.buffer = lineStart === 0 ? buffer : buffer.slice(lineStart);
    return events;
  }

  private processLine(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ":" */) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* " " */) value = value.slice(1);
    switch (field) {
      case "data":
        this.dataLines.push(value);
        return;
      case "event":
        this.eventType = value;
        return;
      case "id":
        if (!value.includes("\u0000")) this.lastEventId = value;
        return;
      default:
        // `retry` and unknown fields carry nothing we use.
        return;
    }
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length === 0) {
      this.eventType = undefined;
      return;
    }
    const event: SseEvent = {
      event: this.eventType ?? "message",
      data: this.dataLines.length === 1 ? (this.dataLines[0] as string) : this.dataLines.join("\n"),
    };
    if (this.lastEventId !== undefined) event.id = this.lastEventId;
    events.push(event);
    this.dataLines = [];
    this.eventType = undefined;
  }
}
