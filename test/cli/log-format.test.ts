import { describe, expect, it } from "vitest";
import { formatLogTable } from "../../src/cli/log-command.js";
import { sampleRecord } from "../store/ledger-suite.js";

describe("switchyard log's table", () => {
  it("shows the prompt cache's reads and writes, and marks an estimated cost with ~", () => {
    const text = formatLogTable([
      sampleRecord({ costUsd: 0.0123, cacheReadTokens: 1_200, cacheWriteTokens: 300, costEstimated: false }),
      sampleRecord({ costUsd: 0.004, cacheReadTokens: null, cacheWriteTokens: null, costEstimated: true }),
    ]);
    const [header, cached, estimated] = text.trimEnd().split("\n");
    expect(header).toMatch(/tokens in\/out\s+cached\s+cost \$/);
    expect(cached).toMatch(/r1200 w300\s+0\.0123/);
    expect(estimated).toMatch(/\s-\s+~0\.0040/);
  });
});
