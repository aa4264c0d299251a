/**
 * `switchyard status` and `costs` on a Workstation against a running Brain (a real gateway in
 * front of the fake upstreams): the OpenRouter key's credit and limit as the Brain last read them,
 * and money under a cent with its digits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_TIMEOUT_MS, runSwitchyard } from "../helpers/cli-process.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

let harness: Harness;
/** The Workstation: no config file, no ledger. */
let workstation: string;

const switchyard = (args: string[]) =>
  runSwitchyard(args, {
    cwd: workstation,
    env: { SWITCHYARD_HOME: workstation, SWITCHYARD_TOKEN: "brain-token" },
  });

beforeAll(async () => {
  workstation = mkdtempSync(join(tmpdir(), "switchyard-workstation-"));
  harness = await startHarness({
    authTokens: ["brain-token"],
    configYaml: "budget:\n  key_check_interval_minutes: 5\n",
  });
  harness.openRouter.setDefault({ kind: "reply", reply: { content: "ok", cost: 0.0026 } });
  const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "brain-token", maxRetries: 0 });
  await client.chat.completions.create({
    model: "switchyard/code-review",
    max_tokens: 100,
    messages: [{ role: "user", content: "Review this diff" }],
  });
  await harness.runtime.budget.idle();
  await harness.runtime.ledger.flush();
  Object.assign(harness.openRouter.keyInfo, { limit: 10, usage: 2.58, limitRemaining: 7.42 });
  await harness.runtime.keyGuard?.refresh();
});
afterAll(async () => {
  await harness.close();
  rmSync(workstation, { recursive: true, force: true });
});

describe("status and costs from the Brain", () => {
  it(
    "show the key's credit left of its limit, and spend under a cent with its digits",
    async () => {
      const [status, statusJson, costs] = await Promise.all([
        switchyard(["status", "--url", harness.url]),
        switchyard(["status", "--url", harness.url, "--json"]),
        switchyard(["costs", "--url", harness.url]),
      ]);
      expect(status.stdout).toMatch(/^monthly\s+\$100\.00\s+\$0\.0026\s+\$0\.00\s+\$100\.00\s+0%$/m);
      expect(status.stdout).toMatch(
        /^OpenRouter key credit: \$7\.42 left of its \$10\.00 limit \(\$2\.58 used; checked \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)$/m,
      );
      expect(JSON.parse(statusJson.stdout)).toMatchObject({
        status: { key: { limitUsd: 10, remainingUsd: 7.42, usageUsd: 2.58 } },
      });
      expect(costs.stdout).toContain("Month to date: $0.0026 over 1 requests");
      for (const result of [status, statusJson, costs]) expect(result.code).toBe(0);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
