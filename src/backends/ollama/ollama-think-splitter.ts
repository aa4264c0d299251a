/**
 * Owns the `<think>…</think>` quirk of older reasoning models (deepseek-r1 before Ollama's `think`
 * support): they write their reasoning inside `message.content`. The splitter moves that block into
 * reasoning, one streamed chunk at a time, holding back only the few characters that might be the
 * start of a tag that the next chunk completes.
 *
 * Only a block that opens the answer counts (leading whitespace allowed). A `<think>` appearing
 * later is the model talking about the tag — in HTML or in code — and is left in the text.
 */

const openTag = "<think>";
const closeTag = "</think>";

/** A piece of split output, in stream order. */
export interface ThinkSplitPiece {
  kind: "text" | "reasoning";
  text: string;
}

type SplitterState =
  /** Nothing but whitespace (or part of `<think>`) seen so far. */
  | "undecided"
  /** Inside the block; reasoning flows out. */
  | "thinking"
  /** The block closed; dropping the whitespace between `</think>` and the answer. */
  | "after-think"
  /** Plain text from here on; no more tag detection. */
  | "text";

export class ThinkSplitter {
  private state: SplitterState = "undecided";
  /** Characters held back: leading whitespace, or a possible partial tag. */
  private held = "";
  /** True until the reasoning's first non-whitespace character (deepseek-r1 opens with "\n"). */
  private reasoningStarting = true;

  /** Splits one chunk of content. Returns the pieces that can be released now. */
  push(chunk: string): ThinkSplitPiece[] {
    if (this.state === "text") return chunk.length > 0 ? [{ kind: "text", text: chunk }] : [];
    const pieces: ThinkSplitPiece[] = [];
    this.consume(this.held + chunk, pieces);
    return pieces;
  }

  /** Releases whatever was held back once the content has ended. */
  flush(): ThinkSplitPiece[] {
    const held = this.held;
    this.held = "";
    if (held.length === 0) return [];
    // An unfinished block stays reasoning; an unfinished opening tag was just text after all.
    return [{ kind: this.state === "thinking" ? "reasoning" : "text", text: held }];
  }

  private consume(input: string, pieces: ThinkSplitPiece[]): void {
    this.held = "";
    let rest = input;
    while (rest.length > 0) {
      switch (this.state) {
        case "undecided":
          rest = this.consumeUndecided(rest, pieces);
          break;
        case "thinking":
          rest = this.consumeThinking(rest, pieces);
          break;
        case "after-think": {
          const start = firstNonWhitespace(rest);
          if (start === rest.length) return;
          this.state = "text";
          rest = rest.slice(start);
          break;
        }
        case "text":
          pieces.push({ kind: "text", text: rest });
          return;
      }
    }
  }

  private consumeUndecided(input: string, pieces: ThinkSplitPiece[]): string {
    const start = firstNonWhitespace(input);
    const candidate = input.slice(start);
    if (candidate.startsWith(openTag)) {
      this.state = "thinking";
      return candidate.slice(openTag.length);
    }
    if (openTag.startsWith(candidate)) {
      // All whitespace, or whitespace then the beginning of `<think>`: wait for more.
      this.held = input;
      return "";
    }
    this.state = "text";
    pieces.push({ kind: "text", text: input });
    return "";
  }

  private consumeThinking(input: string, pieces: ThinkSplitPiece[]): string {
    let text = input;
    if (this.reasoningStarting) {
      text = text.slice(firstNonWhitespace(text));
      if (text.length === 0) return "";
      this.reasoningStarting = false;
    }
    const close = text.indexOf(closeTag);
    if (close !== -1) {
      const end = lastNonWhitespaceEnd(text, close);
      if (end > 0) pieces.push({ kind: "reasoning", text: text.slice(0, end) });
      this.state = "after-think";
      return text.slice(close + closeTag.length);
    }
    // Hold back a possible partial `</think>` and the whitespace before it, which is dropped if
    // the tag does follow (deepseek-r1 writes "\n</think>").
    const released = lastNonWhitespaceEnd(text, text.length - partialTagSuffixLength(text, closeTag));
    if (released > 0) pieces.push({ kind: "reasoning", text: text.slice(0, released) });
    this.held = text.slice(released);
    return "";
  }
}

function firstNonWhitespace(text: string): number {
  let index = 0;
  while (index < text.length && isWhitespace(text.charCodeAt(index))) index++;
  return index;
}

/** The end of `text.slice(0, end)` without its trailing whitespace. */
function lastNonWhitespaceEnd(text: string, end: number): number {
  let index = end;
  while (index > 0 && isWhitespace(text.charCodeAt(index - 1))) index--;
  return index;
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag` (0 when none). */
function partialTagSuffixLength(text: string, tag: string): number {
  const longest = Math.min(tag.length - 1, text.length);
  for (let length = longest; length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}
