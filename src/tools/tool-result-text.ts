/**
 * An MCP tool result as the text a model reads: text blocks joined, other blocks described in a
 * line (an image is not pasted as base64), structured content as JSON when there is no text, and
 * the whole cut to a limit with a note saying so.
 */
import type { CallToolResult } from "@modelcontextprotocol/client";

export function resultText(result: CallToolResult): string {
  const parts = result.content.map((block) => {
    switch (block.type) {
      case "text":
        return block.text;
      case "image":
      case "audio":
        return `[${block.type} ${block.mimeType}, ${Math.floor((block.data.length * 3) / 4)} bytes]`;
      case "resource":
        return "text" in block.resource ? block.resource.text : `[resource ${block.resource.uri}]`;
      case "resource_link":
        return `[resource ${block.uri}]`;
      default:
        return `[${(block as { type: string }).type} content]`;
    }
  });
  if (parts.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent);
  return parts.join("\n");
}

export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n… (cut at ${maxChars} of ${text.length} characters; ask for less)`;
}
