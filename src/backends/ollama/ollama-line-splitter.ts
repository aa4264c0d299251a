/**
 * Splits an NDJSON body (Ollama's `/api/chat` stream, `/api/pull` progress) into lines as its
 * chunks arrive, carrying the unfinished tail of each chunk over to the next. The streaming UTF-8
 * decoder keeps a character that straddles two chunks whole (undici's body ignores
 * `setEncoding`). Empty lines are dropped.
 */
export class NdjsonLineSplitter {
  private readonly utf8 = new TextDecoder();
  private pending = "";

  push(chunk: Uint8Array): string[] {
    const decoded = this.utf8.decode(chunk, { stream: true });
    const text = this.pending.length === 0 ? decoded : this.pending + decoded;
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      if (newline > start) lines.push(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    this.pending = start === 0 ? text : text.slice(start);
    return lines;
  }

  /** What is left after the body ended: a last line without its newline, or "". */
  rest(): string {
    const rest = this.pending + this.utf8.decode();
    this.pending = "";
    return rest;
  }
}
