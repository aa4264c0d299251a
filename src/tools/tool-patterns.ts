/**
 * Tool names and the patterns that pick them. A tool is named `<server>.<tool>`: the server name
 * has no dot, so the first dot splits them (a server's own tool names may hold dots). A pattern is
 * `*` (everything), `<server>` or `<server>.*` (all of a server's tools), or `<server>.<tool>`
 * where `*` in the tool part matches any run of characters (`git.worktree_*`).
 */

export interface ToolName {
  server: string;
  tool: string;
}

export function splitToolName(name: string): ToolName | undefined {
  const dot = name.indexOf(".");
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return { server: name.slice(0, dot), tool: name.slice(dot + 1) };
}

export function joinToolName(server: string, tool: string): string {
  return `${server}.${tool}`;
}

export interface ToolPattern {
  /** As written, for messages. */
  text: string;
  /** The server it names; undefined for `*`. */
  server: string | undefined;
  matchesTool(tool: string): boolean;
}

/** `"git.*, fs.read"` or `["git.*", "fs.read"]` → patterns; empty entries are dropped. */
export function parsePatterns(filter: string | readonly string[]): ToolPattern[] {
  const texts = (typeof filter === "string" ? [filter] : filter)
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return texts.map(parsePattern);
}

function parsePattern(text: string): ToolPattern {
  if (text === "*") return { text, server: undefined, matchesTool: () => true };
  const dot = text.indexOf(".");
  const server = dot === -1 ? text : text.slice(0, dot);
  const toolPart = dot === -1 ? "*" : text.slice(dot + 1);
  const expression = new RegExp(
    `^${toolPart
      .split("*")
      .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return { text, server, matchesTool: (tool) => expression.test(tool) };
}

/** Whether a server's allow-list lets a tool through: its exact name, or "*". */
export function isAllowed(allow: readonly string[], tool: string): boolean {
  return allow.includes("*") || allow.includes(tool);
}
