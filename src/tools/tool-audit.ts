/**
 * What is recorded about each tool call — enough to account for it in the ledger without storing
 * what a model sent: the arguments only as a SHA-256 digest of their canonical JSON (keys sorted),
 * so the same arguments always give the same digest.
 */
import { createHash } from "node:crypto";

/** Why a call did not give the tool's own answer. */
export type ToolFailure =
  /** Not on the server's allow-list, or outside the request's filter. */
  | "not-allowed"
  /** No such server, or the server has no such tool. */
  | "unknown-tool"
  /** Not JSON, not an object, or refused by the tool's schema or size limit. */
  | "invalid-arguments"
  /** The tool ran and answered with isError (a refusal, or a failure it reported). */
  | "tool-error"
  /** The call's time limit passed; the server was told to stop. */
  | "timeout"
  /** The server could not be started or reached, or stopped during the call. */
  | "unavailable"
  /** The caller went away. */
  | "cancelled";

export interface ToolAuditRecord {
  /** The call's `requestId`, when the caller gave one. */
  requestId?: string;
  server: string;
  tool: string;
  /** sha256 (hex) of the arguments' canonical JSON; of the raw text when it was not JSON. */
  argumentsDigest: string;
  durationMs: number;
  /** UTF-8 bytes of the answer before any cut. */
  resultBytes: number;
  isError: boolean;
  /** Set when the call failed: why, and the message the caller saw. */
  error?: { failure: ToolFailure; message: string };
}

export function argumentsDigest(value: unknown): string {
  const text = typeof value === "string" ? value : canonicalJson(value);
  return createHash("sha256").update(text).digest("hex");
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
