/**
 * The Workstation's thin client against a real Brain (a gateway on loopback with a token, in front
 * of the fake Ollama and OpenRouter): the admin API it reads, `switchyard ask` streaming an answer
 * with its footer, a wrong token and an absent Brain as one clear line, the read commands over the
 * admin API (by --url, SWITCHYARD_URL or the client config), and the status line for Claude Code.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderClientConfig } from "../../src/setup/client-config.js";
import { runSwitchyard } from "../helpers/cli-process.js";
import { closedPort } from "../helpers/closed-port.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";

const TOKEN = "brain-token-for-tests";
const SLOW = 90_000;
let harness: Harness;
let home: string;

beforeAll(async () => {
  harness = await startHarness({ authTokens: [TOKEN] });
  home = mkdtempSync(join(tmpdir(), "switchyard-thin-client-"));
});
afterAll(async () => {
  await harness.close();
  rmSync(home, { recursive: true, force: true });
});

const admin = (path: string, token = TOKEN) =>
  fetch(`${harness.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** The CLI pointed at the Brain by environment, with an empty user config dir. */
const remote = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
  runSwitchyard(args, {
    env: { SWITCHYARD_HOME: home, SWITCHYARD_URL: harness.url, SWITCHYARD_TOKEN: TOKEN, ...env },
    ...(input === undefined ? {} : { input }),
  });

/** One request through the OpenAI door; returns its request id. */
async function askTheBrain(model: string): Promise<string> {
  const answer = await fetch(`${harness.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  expect(answer.status).toBe(200);
  return answer.headers.get("x-switchyard-request-id")!;
}

describe("the admin API the thin client reads", () => {
  it("GET /admin/requests/:id gives one ledger row, and an unknown id is a 404 in OpenAI's shape", async () => {
    const id = await askTheBrain("local-coder");
    const row = (await (await admin(`/admin/requests/${id}`)).json()) as Record<string, unknown>;
    expect(row).toMatchObject({ id, alias: "local-coder", model: "qwen2.5-coder:32b", status: "ok" });

    const missing = await admin("/admin/requests/no-such-request");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: expect.objectContaining({
        type: "invalid_request_error",
        code: "not-found",
        message: expect.stringContaining('No request "no-such-request" in the ledger'),
      }),
    });
    expect((await admin(`/admin/requests/${id}`, "wrong")).status).toBe(401);
  });

  it("GET /admin/requests?since= gives the rows since then, newest first", async () => {
    const older = await askTheBrain("local-coder");
    const since = (await harness.ledgerRows()).find((row) => row.id === older)!.startedAt + 1;
    // The next rows must start in a later millisecond than the one left out.
    while (Date.now() < since) await new Promise((resolve) => setImmediate(resolve));
    const first = await askTheBrain("local-coder");
    const second = await askTheBrain("local-reasoner");
    // Gates may add rows of their own (a judge's call) in the background: let them finish.
    await harness.runtime.switchyard.idle();
    const listed = async (query: string) =>
      ((await (await admin(`/admin/requests?${query}`)).json()) as { data: Array<{ id: string }> }).data.map(
        (row) => row.id,
      );
    const expected = (await harness.ledgerRows())
      .filter((row) => row.startedAt >= since)
      .map((row) => row.id);
    expect(expected).toEqual(expect.arrayContaining([first, second]));
    expect(expected).not.toContain(older);
    expect(await listed(`since=${since}`)).toEqual(expected);
    expect(await listed(`since=${since}&limit=1`)).toEqual(expected.slice(0, 1));
    const bad = await admin("/admin/requests?since=yesterday");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("since");
  });
});

describe("switchyard ask", () => {
  it(
    "streams the answer to stdout and the footer (task, tier, model, tokens, settled cost, time) to stderr",
    async () => {
      const attached = join(home, "pager.ts");
      writeFileSync(attached, "export const page = (items: string[]) => items.slice(0, 10);\n");
      // Code review starts on Sonnet, which costs money: the footer shows what the ledger settled.
      const result = await remote([
        "ask",
        "--task",
        "code-review",
        "--file",
        attached,
        "is",
        "this",
        "right?",
      ]);
      expect(result.stderr).not.toMatch(/refused|not answering/);
      expect(result.code).toBe(0);
      await harness.runtime.switchyard.idle();
      const row = (await harness.ledgerRows()).find((each) => each.caller === "switchyard-ask")!;
      expect(row).toMatchObject({
        task: "code-review",
        alias: "cloud-sonnet",
        tier: 2,
        caller: "switchyard-ask",
      });
      expect(result.stdout).toBe("Hello from anthropic/claude-sonnet-4.5\n");
      const footer = result.stderr.trim().split("\n").at(-1)!;
      expect(footer).toBe(
        `── code-review · tier ${row.tier} ${row.alias} · ${row.model} · ${row.inputTokens} in / ${row.outputTokens} out tokens · $${row.costUsd.toFixed(4)} · ${(row.latencyMs / 1000).toFixed(1)} s`,
      );
      expect(row.costUsd).toBeGreaterThan(0);
      // The file went along as a fenced block under the question.
      const sent = harness.openRouter.requests.at(-1)!.body as { messages: Array<{ content: string }> };
      expect(sent.messages.at(-1)!.content).toBe(
        `is this right?\n\n${attached}:\n\`\`\`ts\nexport const page = (items: string[]) => items.slice(0, 10);\n\`\`\``,
      );
    },
    SLOW,
  );

  it(
    "says in one line that the token was refused, and exits 1",
    async () => {
      const result = await remote(["ask", "hello"], { SWITCHYARD_TOKEN: "not-the-token" });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toEqual([
        `switchyard: the Brain at ${harness.url} refused the token (Invalid API token: it matches none of server.auth_tokens); the token comes from SWITCHYARD_TOKEN; set SWITCHYARD_TOKEN to the Brain's token, or run switchyard setup workstation --token-file …`,
      ]);
    },
    SLOW,
  );

  it(
    "says in one line that the Brain is not answering, and exits 1",
    async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const result = await remote(["ask", "hello"], { SWITCHYARD_URL: url });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split("\n")).toEqual([
        `switchyard: the Brain at ${url} is not answering (connection refused); is switchyard serve running there? (the URL comes from SWITCHYARD_URL)`,
      ]);
    },
    SLOW,
  );

  it(
    "refuses an unknown task and a missing file before calling anyone",
    async () => {
      const before = (await harness.ledgerRows()).length;
      const [task, file] = await Promise.all([
        remote(["ask", "--task", "poetry", "hi"]),
        remote(["ask", "--file", "/no/such/file", "hi"]),
      ]);
      expect(task.code).toBe(2);
      expect(task.stderr).toContain("switchyard ask: --task must be one of code-generation, test-generation");
      expect(task.stderr).toContain('got "poetry"');
      expect(file.code).toBe(2);
      expect(file.stderr.trim()).toBe("switchyard ask: cannot read --file /no/such/file: no such file");
      expect(await harness.ledgerRows()).toHaveLength(before);
    },
    SLOW,
  );
});

describe("read commands against the Brain's admin API", () => {
  it(
    "log and env claude follow the client config (no --url, no SWITCHYARD_URL), with its token",
    async () => {
      await askTheBrain("local-coder");
      await harness.runtime.switchyard.idle();
      const workstation = mkdtempSync(join(tmpdir(), "switchyard-workstation-"));
      const client = renderClientConfig({ url: harness.url, token: TOKEN });
      writeFileSync(join(workstation, "client.yaml"), client, { mode: 0o600 });
      const [result, claude] = await Promise.all([
        runSwitchyard(["log", "-n", "3", "--json"], { env: { SWITCHYARD_HOME: workstation } }),
        runSwitchyard(["env", "claude"], { env: { SWITCHYARD_HOME: workstation } }),
      ]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const rows = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { id: string });
      const expected = (await harness.ledgerRows()).slice(0, 3).map((row) => row.id);
      expect(rows.map((row) => row.id)).toEqual(expected);
      // Claude Code started from this Workstation goes to the same Brain with the same token.
      expect(claude.stdout).toContain(`export ANTHROPIC_BASE_URL='${harness.url}'`);
      expect(claude.stdout).toContain(`export ANTHROPIC_AUTH_TOKEN='${TOKEN}'`);
      rmSync(workstation, { recursive: true, force: true });
    },
    SLOW,
  );

  it(
    "status and costs render the Brain's figures as the local commands do",
    async () => {
      const [status, costs] = await Promise.all([
        runSwitchyard(["status", "--url", `${harness.url}/v1`], {
          env: { SWITCHYARD_HOME: home, SWITCHYARD_TOKEN: TOKEN },
        }),
        remote(["costs"]),
      ]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /^Budget period \d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} \(UTC\); at a cap: downgrade/,
      );
      expect(status.stdout).toMatch(/monthly\s+\$100\.00/);
      expect(status.stdout).toContain(`Engines (live, from ${harness.url}):`);
      expect(costs.code).toBe(0);
      const spent = (await harness.ledgerRows()).reduce((sum, row) => sum + row.costUsd, 0);
      expect(costs.stdout).toContain(`$${spent.toFixed(2)}`);
    },
    SLOW,
  );

  it(
    "savings --json and engine status --json pass the Brain's objects on",
    async () => {
      const [savings, engines] = await Promise.all([
        remote(["savings", "--json"]),
        remote(["engine", "status", "--json"]),
      ]);
      expect(savings.code).toBe(0);
      expect(JSON.parse(savings.stdout)).toMatchObject({ sonnetModel: "anthropic/claude-sonnet-4.5" });
      expect(engines.code).toBe(0);
      expect(JSON.parse(engines.stdout)).toMatchObject({
        source: harness.url,
        fleet: { engines: [expect.objectContaining({ id: "engine" })] },
      });
    },
    SLOW,
  );
});

describe("switchyard statusline", () => {
  it(
    "shows the tier, model and cost of the session's last request and the session's total",
    async () => {
      const session = "3f1e9c2a-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
      const client = new Anthropic({ baseURL: harness.url, apiKey: TOKEN, maxRetries: 0 });
      const userId = JSON.stringify({ device_id: "d", account_uuid: "", session_id: session });
      for (const model of ["local-coder", "cloud-sonnet"]) {
        await client.messages.create({
          model,
          max_tokens: 50,
          metadata: { user_id: userId },
          messages: [{ role: "user", content: "hi" }],
        });
      }
      const rows = (await harness.ledgerRows()).filter((row) => row.caller?.includes(session));
      expect(rows).toHaveLength(2);
      const last = rows[0]!;
      const total = rows.reduce((sum, row) => sum + row.costUsd, 0);
      const money = (usd: number) =>
        usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
      // Claude Code points ANTHROPIC_BASE_URL at the Brain; the status line finds it there.
      const result = await runSwitchyard(["statusline"], {
        env: { SWITCHYARD_HOME: home, ANTHROPIC_BASE_URL: harness.url, ANTHROPIC_AUTH_TOKEN: TOKEN },
        input: JSON.stringify({
          session_id: session,
          model: { display_name: "Sonnet" },
          cost: { total_cost_usd: 9 },
        }),
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        `\x1b[33mT2 cloud-sonnet\x1b[0m · ${last.model} · last ${money(last.costUsd)} · session ${money(total)} (2 requests)\n`,
      );
    },
    SLOW,
  );

  it(
    "prints a dim reason and exits 0 when the Brain is away or there is no session",
    async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const input = JSON.stringify({ session_id: "a-session-id-0001" });
      const [away, awayFastPath, noSession] = await Promise.all([
        runSwitchyard(["statusline", "--url", url], { env: { SWITCHYARD_HOME: home }, input }),
        // How bin/switchyard.js starts it: without the rest of the CLI.
        runSwitchyard(["statusline", "--url", url], {
          env: { SWITCHYARD_HOME: home },
          input,
          script: "statusline-main.ts",
        }),
        remote(["statusline"], {}, "not json"),
      ]);
      expect(away.code).toBe(0);
      expect(away.stdout).toBe(
        `\x1b[2mswitchyard · the Brain at ${url} is not answering (connection refused)\x1b[0m\n`,
      );
      expect(awayFastPath).toEqual(away);
      expect(noSession.code).toBe(0);
      expect(noSession.stdout).toBe(
        `\x1b[2mswitchyard · ${harness.url} · no session id from Claude Code\x1b[0m\n`,
      );
    },
    SLOW,
  );
});
