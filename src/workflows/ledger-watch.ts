/**
 * Gathers the ledger rows of a model call as the spine writes them: the call's own row, its
 * escalations and its judge calls (which carry the call's id as parent). A workflow step reads
 * its cost, tokens and the tiers it climbed from these, so a run's totals are the ledger's own
 * figures. One listener on the spine serves every watch.
 */
import type { Switchyard } from "../core/switchyard.js";
import type { RequestRecord } from "../store/ledger-store.js";

export interface CallRows {
  readonly rows: readonly RequestRecord[];
  stop(): void;
}

export interface CallTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Tiers of the attempts that answered or tried to (not the judges). */
  tiers: number[];
}

export class LedgerWatch {
  private readonly watches = new Map<string, RequestRecord[]>();

  constructor(switchyard: Switchyard) {
    switchyard.onRecord((row) => {
      const rows = this.watches.get(row.parentId ?? row.id);
      if (rows) rows.push(row);
    });
  }

  /** Starts gathering the rows of the call with this id (call it as soon as `chat` returns). */
  watch(callId: string): CallRows {
    const rows: RequestRecord[] = [];
    this.watches.set(callId, rows);
    return { rows, stop: () => this.watches.delete(callId) };
  }
}

export function callTotals(rows: readonly RequestRecord[]): CallTotals {
  const totals: CallTotals = { costUsd: 0, inputTokens: 0, outputTokens: 0, tiers: [] };
  for (const row of rows) {
    totals.costUsd += row.costUsd;
    totals.inputTokens += row.inputTokens;
    totals.outputTokens += row.outputTokens;
    if (row.frontDoor !== "judge" && !totals.tiers.includes(row.tier)) totals.tiers.push(row.tier);
  }
  return totals;
}
