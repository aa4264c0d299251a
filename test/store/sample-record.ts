/** A complete ledger row with plausible values, for tests and benchmarks (no test runner needed). */
import type { RequestRecord } from "../../src/store/ledger-store.js";

export function sampleRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: overrides.id ?? `req-${Math.random().toString(36).slice(2)}`,
    startedAt: Date.now(),
    frontDoor: "openai",
    task: "code-generation",
    selector: "classifier",
    tier: 1,
    alias: "local-coder",
    model: "qwen2.5-coder:32b",
    backend: "engine",
    stream: false,
    inputTokens: 120,
    outputTokens: 48,
    costUsd: 0,
    ttftMs: 35.5,
    latencyMs: 410.25,
    status: "ok",
    errorCode: null,
    errorMessage: null,
    fallbackHops: [],
    tokensPerSecond: 21.5,
    caller: null,
    catalogCostUsd: null,
    reportedCostUsd: null,
    reservedUsd: null,
    budgetAction: null,
    loadMs: null,
    parentId: null,
    attempt: 1,
    gateVerdict: null,
    gateDetail: null,
    queueMs: null,
    ...overrides,
  };
}
