/**
 * `switchyard demo` as a user runs it: a real child process (through tsx, from the sources) with
 * time in the simulators at 1,000×. The tour's printed lines name every tier, an escalation, a
 * budget alert and the savings; the ledger is in the demo's own directory with every row from a
 * simulated back end; the Brain answers the official OpenAI client after the tour, the CLI reads
 * the demo's ledger through the config it wrote, and Ctrl-C stops it cleanly.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { startDemoSession } from "../../src/demo/demo-session.js";
import { SqliteLedger } from "../../src/store/sqlite-ledger.js";
import { TSX_LAUNCHER } from "../helpers/workflow-harness.js";

const run = promisify(execFile);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

interface DemoProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** Starts `switchyard demo` and resolves once it prints `until` (or rejects when it exits first). */
function startDemo(home: string, args: string[], until: RegExp): Promise<DemoProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "demo", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SWITCHYARD_HOME: home },
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => lines.push(line));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      if (until.test(line)) resolve({ child, lines, exited });
    });
    void exited.then((code) =>
      reject(new Error(`switchyard demo exited (${code}) early:\n${lines.join("\n")}`)),
    );
  });
}

describe("switchyard demo", () => {
  it("tours the tiers, escalates once, fires a budget alert, reports savings and stays up", async () => {
    const home = mkdtempSync(join(tmpdir(), "switchyard-demo-"));
    const demo = await startDemo(home, ["--port", "0", "--speed", "1000"], /Ctrl-C stops the demo/);
    const output = demo.lines.join("\n");

    expect(output).toContain("every answer is written by a simulator and marked [simulated]");
    expect(output).toMatch(
      /commit-message · tier 1 · local-coder · qwen2\.5-coder:32b · \d+→\d+ tokens · \$0 \(local\)/,
    );
    expect(output).toMatch(/story-drafting · tier 1 · local-reasoner · deepseek-r1:32b/);
    expect(output).toMatch(
      /code-review · tier 2 · cloud-sonnet · anthropic\/claude-sonnet-4\.5 · \d+→\d+ tokens · \$0\.0\d+/,
    );
    expect(output).toMatch(/architecture · tier 3 · cloud-opus · anthropic\/claude-opus-4\.6/);
    expect(output).toMatch(
      /code-generation · tier 2 · cloud-sonnet .*\n\s+↑ escalated local-coder → cloud-sonnet: local-coder's answer failed the executable gate \(lru-cache\.ts\(\d+,\d+\): error TS\d+/,
    );
    expect(output).toMatch(/⚠ budget alert \(webhook\): Monthly budget has reached 50%/);
    expect(output).toMatch(/Savings report \(GET \/admin\/savings\): 8 requests/);
    expect(output).toMatch(/the same tokens all on anthropic\/claude-opus-4\.6: \$0\.\d+ \(saved \$0\.\d+\)/);

    const url = /The Brain stays up at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const token = /token\s+(sy-demo-[0-9a-f]+)/.exec(output)?.[1];
    expect(output).toContain(`dashboard    ${url}/dashboard?token=${token}`);
    expect(output).toContain(`ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${token}`);

    // After the tour the Brain answers any client, on its simulated back ends.
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({
        model: "switchyard/auto",
        messages: [{ role: "user", content: "Write a commit message for: fix off-by-one in pager" }],
      })
      .withResponse();
    expect(response.headers.get("x-switchyard-alias")).toBe("local-coder");
    expect(data.choices[0]?.message.content).toContain(
      "Simulated-by: Switchyard demo stand-in for qwen2.5-coder:32b",
    );

    demo.child.kill("SIGINT");
    expect(await demo.exited).toBe(0);

    // The demo's rows are in its own directory, every one from a simulated back end.
    expect(existsSync(join(home, "ledger.db"))).toBe(false);
    const ledger = new SqliteLedger(join(home, "demo", "ledger.db"));
    const rows = await ledger.recent(100);
    await ledger.close();
    expect(rows).toHaveLength(9);
    expect(new Set(rows.map((row) => row.backend))).toEqual(
      new Set(["simulated-engine", "simulated-openrouter"]),
    );
    expect(rows.filter((row) => row.caller === "switchyard-demo-tour")).toHaveLength(8);

    const log = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "--config",
        join(home, "demo", "switchyard.yaml"),
        "log",
        "--json",
      ],
      {
        env: { ...process.env, SWITCHYARD_HOME: home },
      },
    );
    expect(log.stdout.trim().split("\n")).toHaveLength(9);
  }, 180_000);

  it("refuses a bad option and a port in use with a message that says what to do", async () => {
    const home = mkdtempSync(join(tmpdir(), "switchyard-demo-"));
    const badSpeed = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "demo", "--speed", "0"],
      {
        env: { ...process.env, SWITCHYARD_HOME: home },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(badSpeed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--speed must be a positive number"),
    });

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const busy = await run(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "demo", "--port", String(port)],
        {
          env: { ...process.env, SWITCHYARD_HOME: home },
          timeout: 60_000,
        },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(busy).toMatchObject({ code: 1, stderr: expect.stringContaining(`port ${port} is in use`) });
    } finally {
      blocker.close();
    }
  }, 120_000);
});

describe("the demo's data directory", () => {
  it("starts empty unless kept, and never touches the real ledger's directory", async () => {
    const home = mkdtempSync(join(tmpdir(), "switchyard-demo-data-"));
    const session = (keepData: boolean) =>
      startDemoSession({
        port: 0,
        speed: 1_000,
        budgetUsd: 5,
        keepData,
        env: { SWITCHYARD_HOME: home },
        onAlert: () => {},
        launcher: TSX_LAUNCHER,
      });
    const ask = async (url: string, token: string) => {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "switchyard/auto",
          messages: [{ role: "user", content: "Write a commit message for: bump version" }],
        }),
      });
      expect(response.status).toBe(200);
    };
    const rowsIn = async (running: Awaited<ReturnType<typeof session>>) => {
      await running.runtime.ledger.flush();
      return (await running.runtime.ledger.recent(10)).length;
    };

    const first = await session(false);
    expect(first.dataDirectory).toBe(join(home, "demo"));
    await ask(first.url, first.token);
    expect(await rowsIn(first)).toBe(1);
    await first.close();

    const kept = await session(true);
    expect(await rowsIn(kept)).toBe(1);
    await kept.close();

    const fresh = await session(false);
    expect(await rowsIn(fresh)).toBe(0);
    await fresh.close();
    expect(existsSync(join(home, "ledger.db"))).toBe(false);
  }, 60_000);
});
