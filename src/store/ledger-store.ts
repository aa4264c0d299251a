/**
 * The request ledger's contract: one row per request that reached a back end (or failed trying),
 * with what it cost and how it went. Writes are queued and never block the response path; reads
 * serve `switchyard log` and, later, budgets and reports. SQLite is the embedded default.
 */

export type RequestStatus = "ok" | "error" | "aborted";

/** One hop to the next rung: from where, to where, and why. */
export interface FallbackHop {
  fromAlias: string;
  toAlias: string;
  reason: string;
}

export interface RequestRecord {
  id: string;
  /** Epoch milliseconds when the request arrived. */
  startedAt: number;
  /** Which front door: "openai", "anthropic", "cli". */
  frontDoor: string;
  task: string;
  /** How the task was chosen (RouteSelector). */
  selector: string;
  tier: number;
  alias: string;
  model: string;
  backend: string;
  stream: boolean;
  inputTokens: number;
  outputTokens: number;
  /** USD; 0 for local models. */
  costUsd: number;
  /** Milliseconds until the first token (text, reasoning or tool call); null when none came. */
  ttftMs: number | null;
  /** Milliseconds from arrival to the end of the response. */
  latencyMs: number;
  status: RequestStatus;
  errorCode: string | null;
  errorMessage: string | null;
  fallbackHops: FallbackHop[];
  /** Tokens per second reported by the back end (Ollama). */
  tokensPerSecond: number | null;
  caller: string | null;
  /** The cost computed from the price catalog (kept beside OpenRouter's own figure). */
  catalogCostUsd: number | null;
  /** OpenRouter's `usage.cost`, when it reported one. */
  reportedCostUsd: number | null;
  /** The worst-case cost reserved against the budget before sending. */
  reservedUsd: number | null;
  /** Set when a budget cap changed the request: run locally instead, or refused. */
  budgetAction: "downgraded" | "rejected" | null;
  /** Milliseconds the back end spent loading the model (Ollama's load_duration). */
  loadMs: number | null;
  /** The first attempt's id when this row is an escalation of it; null for a first attempt. */
  parentId: string | null;
  /** 1 for the first attempt, 2 for the first escalation, … */
  attempt: number;
  /** The quality gate's verdict on this answer, when gates ran. */
  gateVerdict: "pass" | "fail" | null;
  /** The gates' findings as JSON text (which gate, why), when gates ran. */
  gateDetail: string | null;
  /** Milliseconds spent waiting for a free Engine slot. */
  queueMs: number | null;
  /**
   * True while `costUsd` is an estimate from what was streamed: a paid answer cut short (the caller
   * went away, the upstream broke off) is billed for what it generated. False once the provider
   * confirmed the figure, or when it was known at once.
   */
  costEstimated: boolean;
  /** Prompt tokens read from the provider's cache, and written to it (Anthropic prompt caching). */
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** What those cache reads and writes cost, in USD (part of `costUsd`). */
  cacheReadCostUsd: number | null;
  cacheWriteCostUsd: number | null;
}

/** One MCP tool call an agent loop made, as the ledger keeps it (tool-call-row.ts maps it). */
export interface ToolCallRecord {
  id: string;
  /** The ledger id of the attempt whose answer asked for the call. */
  requestId: string;
  /** Epoch milliseconds. */
  startedAt: number;
  server: string;
  tool: string;
  /** sha256 (hex) of the arguments' canonical JSON: what was sent is never stored. */
  argumentsDigest: string;
  durationMs: number;
  resultBytes: number;
  isError: boolean;
  /** Why the call failed ("not-allowed", "timeout", …), and the message the model saw. */
  failure: string | null;
  errorMessage: string | null;
}

export interface LedgerStore {
  /** Queues a row; it is committed in the next batch, off the response path. */
  record(row: RequestRecord): void;
  /** Queues a tool call's audit row, committed like the requests' rows. */
  recordToolCall(call: ToolCallRecord): void;
  /** The tool calls an attempt's answer made, oldest first. */
  toolCalls(requestId: string): Promise<ToolCallRecord[]>;
  /** Resolves when everything queued so far is committed. */
  flush(): Promise<void>;
  /** The newest rows first. */
  recent(limit: number): Promise<RequestRecord[]>;
  /** Rows that started in [startMs, endMs), oldest first: what the cost reports read. */
  between(startMs: number, endMs: number): Promise<RequestRecord[]>;
  /** One row by its id (`x-switchyard-request-id`), or undefined when the ledger has none. */
  find(id: string): Promise<RequestRecord | undefined>;
  /**
   * What the rows since `sinceMs` whose caller contains `fragment` add up to. Claude Code puts its
   * session id inside `metadata.user_id`, which the ledger keeps as the caller: this is a session's
   * spend, for `switchyard statusline`.
   */
  callerSummary(fragment: string, sinceMs: number): Promise<CallerSummary>;
  close(): Promise<void>;
}

export interface CallerSummary {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** The newest of those rows; null when there are none. */
  last: RequestRecord | null;
}
