/**
 * Small helpers the task files share to write prompts and answers the way a model writes them:
 * code in fenced blocks, parts separated by blank lines.
 */

const FENCE = "```";

/** A fenced code block. */
export function fence(language: string, code: string): string {
  return `${FENCE}${language}\n${code.trim()}\n${FENCE}`;
}

/** Paragraphs and blocks, separated by blank lines. */
export function paragraphs(...parts: string[]): string {
  return parts.map((part) => part.trim()).join("\n\n");
}
