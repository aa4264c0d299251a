/**
 * The MCP server's parts on their own: the host names `/mcp` answers to, an answer's cost from its
 * request's ledger rows, the line under an answer, the remote service's refusals in words that
 * say what to do, and the workflow seam (the three tools appear only with workflow runs).
 */
import { validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/config-load.js";
import { allowedMcpHosts } from "../../src/mcp/mcp-allowed-hosts.js";
import { localSwitchyardService } from "../../src/mcp/mcp-local-service.js";
import { remoteSwitchyardService } from "../../src/mcp/mcp-remote-service.js";
import { askFooter, switchyardToolSet } from "../../src/mcp/mcp-tools.js";
import {
  type AskOutcome,
  askCallerTag,
  askRows,
  type JsonObject,
  requestCost,
  type WorkflowRuns,
} from "../../src/mcp/switchyard-service.js";
import { closedPort } from "../helpers/closed-port.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { connectToolServer } from "../tools/tool-server-client.js";

const machine = { hostname: "Brain", addresses: ["127.0.0.1", "192.168.1.20", "::1", "fe80::1%en0"] };

describe("the names /mcp answers to", () => {
  it("on loopback: the loopback names and the machine's own, not its network addresses", () => {
    const config = parseConfigText("server: { host: 127.0.0.1, port: 8787 }", "test", {});
    const allowed = allowedMcpHosts(config, machine);
    expect(allowed).toEqual(["localhost", "127.0.0.1", "[::1]", "brain", "brain.local"]);
    expect(validateHostHeader("localhost:8787", allowed).ok).toBe(true);
    expect(validateHostHeader("192.168.1.20:8787", allowed).ok).toBe(false);
  });

  it("on every address: each of the machine's addresses, and the names in server.allowed_hosts", () => {
    const config = parseConfigText(
      'server: { host: 0.0.0.0, port: 8787, auth_tokens: [t], allowed_hosts: ["Brain.LAN", "[fd00::2]"] }',
      "test",
      {},
    );
    const allowed = allowedMcpHosts(config, machine);
    expect(allowed).toEqual([
      "localhost",
      "127.0.0.1",
      "[::1]",
      "brain",
      "brain.local",
      "192.168.1.20",
      "[fe80::1]",
      "brain.lan",
      "[fd00::2]",
    ]);
    expect(validateHostHeader("brain.lan:8787", allowed).ok).toBe(true);
    expect(validateHostHeader("[fd00::2]:8787", allowed).ok).toBe(true);
    expect(validateHostHeader("rebound.attacker.example:8787", allowed).ok).toBe(false);
    expect(validateOriginHeader("http://brain.local:8787", allowed).ok).toBe(true);
    expect(validateOriginHeader("https://attacker.example", allowed).ok).toBe(false);
  });

  it("a listen address that is one name is allowed as itself", () => {
    const config = parseConfigText("server: { host: 10.0.0.5, port: 8787, auth_tokens: [t] }", "test", {});
    expect(allowedMcpHosts(config, machine)).toContain("10.0.0.5");
    expect(allowedMcpHosts(config, machine)).not.toContain("192.168.1.20");
  });
});

describe("an ask's cost", () => {
  const row = (
    id: string,
    parentId: string | null,
    caller: string | null,
    costUsd: number,
    costEstimated = false,
  ) => ({ id, parentId, caller, costUsd, costEstimated });

  it("adds the ask's rows — every turn and escalation by its tag, the judge calls by their link — and nothing else", () => {
    const tag = "mcp-ask:1";
    const rows = [
      row("other", null, "someone", 5),
      row("turn-1", null, tag, 0),
      row("judge-1", "turn-1", null, 0),
      row("turn-1-escalated", "turn-1", tag, 0.2),
      row("turn-2", null, tag, 0.1),
      row("judge-other", "other", null, 7),
      row("other-escalated", "other", "someone", 3),
    ];
    const mine = askRows(rows, tag);
    expect(mine.map((entry) => entry.id).sort()).toEqual(["judge-1", "turn-1", "turn-1-escalated", "turn-2"]);
    expect(requestCost(mine)).toEqual({ costUsd: 0.3, costEstimated: false, attempts: 4 });
    expect(requestCost([row("a", null, tag, 0.01, true)])).toEqual({
      costUsd: 0.01,
      costEstimated: true,
      attempts: 1,
    });
    expect(askRows(rows, "mcp-ask:2")).toEqual([]);
    expect(askCallerTag()).toMatch(/^mcp-ask:[0-9a-f-]{36}$/);
    expect(askCallerTag()).not.toBe(askCallerTag());
  });

  it("the line under an answer says what ran it and what it cost", () => {
    const outcome: AskOutcome = {
      answer: "ok",
      requestId: "r1",
      task: "code-review",
      tier: 2,
      alias: "cloud-sonnet",
      model: "anthropic/claude-sonnet-4.5",
      inputTokens: 1200,
      outputTokens: 300,
      costUsd: 0.0081,
      costEstimated: false,
      attempts: 1,
      escalations: 0,
    };
    expect(askFooter(outcome)).toBe(
      "[switchyard: code-review · tier 2 · cloud-sonnet (anthropic/claude-sonnet-4.5) · 1200 in / 300 out tokens · $0.008100 · request r1]",
    );
    expect(askFooter({ ...outcome, costUsd: 1.5, costEstimated: true, escalations: 2 })).toContain(
      "$1.5000 (estimated) · escalated 2×",
    );
    expect(askFooter({ ...outcome, costUsd: null })).toContain("cost not yet recorded");
  });
});

describe("the remote service's refusals", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  it("a Brain that is not there, and one without the route", async () => {
    const port = await closedPort();
    const signal = new AbortController().signal;
    const absent = remoteSwitchyardService({ url: `http://127.0.0.1:${port}` });
    await expect(absent.costs(signal)).rejects.toThrow(
      new RegExp(
        `^Could not reach the Brain at http://127\\.0\\.0\\.1:${port} \\(.*\\): check that switchyard serve runs there and that --url \\(or SWITCHYARD_URL\\) names it$`,
      ),
    );
    const elsewhere = remoteSwitchyardService({ url: `${harness.url}/not-switchyard` });
    await expect(elsewhere.route({ prompt: "hi" }, signal)).rejects.toThrow(
      /^The Brain at http:\/\/127\.0\.0\.1:\d+\/not-switchyard has no POST \/admin\/route \(No route for POST \/not-switchyard\/admin\/route\. .*\); it may run an older Switchyard — upgrade it$/,
    );
  });
});

describe("the workflow seam", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  /** Workflow runs kept in memory: what the tools pass on, and where each run stands. */
  function runsInMemory(): WorkflowRuns & { started: JsonObject[] } {
    const started: JsonObject[] = [];
    return {
      started,
      workflows: () => [{ name: "bug-hunt", description: "hunt bugs module by module, then review" }],
      async start(input) {
        started.push(input);
        return { run_id: `run-${started.length}`, status: "running" };
      },
      async status(runId) {
        const index = Number(runId.replace("run-", "")) - 1;
        if (!started[index]) throw new Error(`no run ${runId}`);
        return { run_id: runId, status: "waiting-for-approval" };
      },
      async approve(input) {
        return { run_id: input.runId, status: input.approved ? "running" : "rejected" };
      },
    };
  }

  it("offers run_workflow, run_status and approve only with workflow runs, and passes their arguments on", async () => {
    const without = await connectToolServer(switchyardToolSet(localSwitchyardService(harness.runtime)));
    expect(await without.toolNames()).toEqual(["ask", "route", "costs", "budget_status", "engine_status"]);
    await without.close();

    const runs = runsInMemory();
    const server = await connectToolServer(
      switchyardToolSet(localSwitchyardService(harness.runtime, { runs })),
    );
    try {
      expect(await server.toolNames()).toEqual([
        "ask",
        "route",
        "costs",
        "budget_status",
        "engine_status",
        "run_workflow",
        "run_status",
        "approve",
      ]);
      const { tools } = await server.client.listTools();
      expect(tools.find((tool) => tool.name === "run_workflow")!.description).toContain(
        "bug-hunt (hunt bugs module by module, then review)",
      );
      await expect(server.call("run_workflow", { workflow: "deploy" })).rejects.toThrow(
        'Invalid arguments for "run_workflow": workflow: must name a workflow: bug-hunt',
      );
      const started = await server.call("run_workflow", { workflow: "bug-hunt", input: { path: "src/" } });
      expect(JSON.parse(started.text)).toEqual({ run_id: "run-1", status: "running" });
      expect(runs.started).toEqual([{ workflow: "bug-hunt", input: { path: "src/" } }]);
      expect(JSON.parse((await server.call("run_status", { run_id: "run-1" })).text)).toEqual({
        run_id: "run-1",
        status: "waiting-for-approval",
      });
      const approved = await server.call("approve", { run_id: "run-1", approved: false, comment: "not yet" });
      expect(JSON.parse(approved.text)).toEqual({ run_id: "run-1", status: "rejected" });
    } finally {
      await server.close();
    }
  });
});
