/**
 * The dashboard and /metrics over real HTTP on a real gateway (fake Ollama and OpenRouter behind
 * it, a SQLite ledger): the token prompt and sessions, the Host and Origin guards, HTML 404s,
 * validated parameters, the metrics' figures after real requests, and no secret in any page.
 */
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TEST_OPENROUTER_KEY } from "../helpers/switchyard-harness.js";

const TOKEN = "dashboard-test-token-0123456789";

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers, method: "GET" });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await request(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

const cookieOf = (headers: Record<string, string | string[] | undefined>) =>
  String(headers["set-cookie"] ?? "").split(";")[0]!;

describe("dashboard with tokens", () => {
  let harness: Harness;
  /** The dashboard's clock runs with the real one; tests move it ahead to end sessions. */
  let clockOffset = 0;

  beforeAll(async () => {
    harness = await startHarness({
      authTokens: [TOKEN],
      configYaml: "dashboard: { session_hours: 1 }",
      gateway: { now: () => Date.now() + clockOffset },
    });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: TOKEN });
    await client.chat.completions.create({
      model: "local-coder",
      messages: [{ role: "user", content: "Write a commit message for: fix pager" }],
    });
    await client.chat.completions.create({
      model: "cloud-sonnet",
      max_tokens: 50,
      messages: [{ role: "user", content: "Review this design" }],
    });
    await harness.runtime.switchyard.idle();
    await harness.runtime.ledger.flush();
  });
  afterAll(() => harness.close());

  it("sends / to the dashboard and a browser without a session to the token prompt", async () => {
    const root = await get(`${harness.url}/`);
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe("/dashboard");
    const page = await get(`${harness.url}/dashboard/live`);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe("/dashboard/login?next=%2Fdashboard%2Flive");
    const prompt = await get(`${harness.url}/dashboard/login?next=%2Fdashboard%2Flive`);
    expect(prompt.status).toBe(200);
    expect(prompt.text).toContain('type="password"');
    expect(prompt.text).toContain('value="/dashboard/live"');
    const data = await get(`${harness.url}/dashboard/api/feed`);
    expect(data.status).toBe(401);
    expect(JSON.parse(data.text).error.message).toMatch(/Sign in/);
  });

  it("refuses a wrong token at the prompt and keeps the right one as a session cookie", async () => {
    const wrong = await post(`${harness.url}/dashboard/login`, "token=nope&next=%2Fdashboard%2Flive", {
      origin: harness.url,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain("matches none of server.auth_tokens");
    expect(wrong.headers["set-cookie"]).toBeUndefined();

    const right = await post(`${harness.url}/dashboard/login`, `token=${TOKEN}&next=%2Fdashboard%2Flive`, {
      origin: harness.url,
    });
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe("/dashboard/live");
    const setCookie = String(right.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Expires|Max-Age/);
    expect(setCookie).not.toContain(TOKEN);
    const live = await get(`${harness.url}/dashboard/live`, { cookie: cookieOf(right.headers) });
    expect(live.status).toBe(200);
    expect(live.text).toContain("commit-message");
    expect(live.text).not.toContain(TOKEN);
  });

  it("never sends the browser off the dashboard after signing in", async () => {
    const response = await post(
      `${harness.url}/dashboard/login`,
      `token=${TOKEN}&next=https%3A%2F%2Fevil.example`,
      {
        origin: harness.url,
      },
    );
    expect(response.headers.location).toBe("/dashboard");
  });

  it("exchanges a ?token= link for a session and strips the token from the address", async () => {
    const link = await get(`${harness.url}/dashboard/live?token=${TOKEN}&before=99999999999999`);
    expect(link.status).toBe(303);
    expect(link.headers.location).toBe("/dashboard/live?before=99999999999999");
    expect(link.headers["referrer-policy"]).toBe("no-referrer");
    const page = await get(`${harness.url}${link.headers.location}`, { cookie: cookieOf(link.headers) });
    expect(page.status).toBe(200);
    const bad = await get(`${harness.url}/dashboard?token=wrong`);
    expect(bad.status).toBe(303);
    expect(bad.headers.location).toBe("/dashboard/login?error=invalid&next=%2Fdashboard");
  });

  it("ends a session left unused for dashboard.session_hours and asks for the token again", async () => {
    const link = await get(`${harness.url}/dashboard?token=${TOKEN}`);
    const cookie = cookieOf(link.headers);
    expect((await get(`${harness.url}/dashboard/engines`, { cookie })).status).toBe(200);
    clockOffset += 61 * 60_000;
    const expired = await get(`${harness.url}/dashboard/engines`, { cookie });
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toBe("/dashboard/login?error=expired&next=%2Fdashboard%2Fengines");
    const fragment = await get(`${harness.url}/dashboard/engines/section`, { cookie, "hx-request": "true" });
    expect(fragment.status).toBe(401);
    expect(fragment.headers["hx-redirect"]).toMatch(/^\/dashboard\/login\?error=expired/);
    const prompt = await get(`${harness.url}${expired.headers.location}`);
    expect(prompt.text).toContain("Your session has ended");
  });

  it("answers scripts that send the bearer token, and refuses a wrong one", async () => {
    const feed = await get(`${harness.url}/dashboard/api/feed?limit=1`, { authorization: `Bearer ${TOKEN}` });
    expect(feed.status).toBe(200);
    expect(JSON.parse(feed.text).data).toHaveLength(1);
    const wrong = await get(`${harness.url}/dashboard/api/feed`, { authorization: "Bearer wrong" });
    expect(wrong.status).toBe(401);
  });

  it("refuses a Host it does not know (DNS rebinding) and a cross-site Origin", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const port = new URL(harness.url).port;
    const rebound = await get(`${harness.url}/dashboard`, { ...auth, host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.text).toContain("server.allowed_hosts");
    const crossSite = await get(`${harness.url}/dashboard/api/feed`, {
      ...auth,
      origin: "https://attacker.example",
    });
    expect(crossSite.status).toBe(403);
    const noOrigin = await post(`${harness.url}/dashboard/login`, `token=${TOKEN}`);
    expect(noOrigin.status).toBe(403);
  });

  it("sends unknown pages a 404 page and bad parameters a 400 that names them", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const missing = await get(`${harness.url}/dashboard/no-such-page`, auth);
    expect(missing.status).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/text\/html/);
    expect(missing.text).toContain("There is no dashboard page at /dashboard/no-such-page");
    const cases: Array<[string, RegExp]> = [
      ["/dashboard/api/feed?limit=0", /limit must be a whole number from 1 to 500; got "0"/],
      ["/dashboard/api/feed?before=yesterday", /before must be epoch milliseconds or an ISO date-time/],
      ["/dashboard/api/feed?colour=red", /unknown parameter colour/],
      ["/dashboard/api/overview?hours=9999", /hours must be a whole number from 1 to 720/],
      ["/dashboard/api/series?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", /to must be after from/],
      ["/dashboard/api/series?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", /at most 400 days/],
      ["/dashboard/api/series?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=hour", /use "day"/],
      [
        "/dashboard/api/series?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&bucket=week",
        /bucket must be "day" or "hour"/,
      ],
    ];
    for (const [path, message] of cases) {
      const response = await get(`${harness.url}${path}`, auth);
      expect(response.status, path).toBe(400);
      expect(JSON.parse(response.text).error.message, path).toMatch(message);
    }
    const page = await get(`${harness.url}/dashboard/calibration?days=abc`, auth);
    expect(page.status).toBe(400);
    expect(page.text).toContain("days must be a whole number from 1 to 365");
    const unknownRequest = await get(`${harness.url}/dashboard/api/requests/nope`, auth);
    expect(unknownRequest.status).toBe(404);
  });

  it("serves the overview's figures from the ledger and a request's attempts", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const overview = JSON.parse((await get(`${harness.url}/dashboard/api/overview?hours=2`, auth)).text);
    expect(overview.requests).toBe(2);
    expect(
      overview.tiers.map((tier: { tier: number; requests: number }) => [tier.tier, tier.requests]),
    ).toEqual([
      [1, 1],
      [2, 1],
      [3, 0],
    ]);
    expect(overview.forecast.spentUsd).toBeGreaterThan(0);
    expect(overview.hourly.starts).toHaveLength(2);
    expect(overview.budgets.status.lines[0].budget).toBe("monthly");
    const feed = JSON.parse((await get(`${harness.url}/dashboard/api/feed?limit=5`, auth)).text);
    const attempts = JSON.parse(
      (await get(`${harness.url}/dashboard/api/requests/${feed.data[0].id}`, auth)).text,
    );
    expect(attempts.data[0].id).toBe(feed.data[0].id);
  });

  it("renders no secret on any page", async () => {
    const link = await get(`${harness.url}/dashboard?token=${TOKEN}`);
    const cookie = cookieOf(link.headers);
    for (const path of [
      "/dashboard",
      "/dashboard/live",
      "/dashboard/engines",
      "/dashboard/runs",
      "/dashboard/calibration",
    ]) {
      const page = await get(`${harness.url}${path}`, { cookie });
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain(TOKEN);
      expect(page.text, path).not.toContain(TEST_OPENROUTER_KEY);
      expect(page.headers["content-security-policy"], path).toMatch(/script-src 'self'/);
    }
  });

  it("keeps /metrics behind the token and counts the requests, tokens, cost and budgets", async () => {
    expect((await get(`${harness.url}/metrics`)).status).toBe(401);
    const metrics = await get(`${harness.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(
      /switchyard_requests_total\{task="commit-message",tier="1",alias="local-coder",status="ok"\} 1/,
    );
    expect(metrics.text).toMatch(
      /switchyard_requests_total\{task="[a-z-]+",tier="2",alias="cloud-sonnet",status="ok"\} 1/,
    );
    expect(metrics.text).toMatch(/switchyard_tokens_total\{alias="cloud-sonnet",kind="input"\} \d+/);
    expect(metrics.text).toMatch(/switchyard_cost_usd_total\{alias="cloud-sonnet"\} 0\.\d+/);
    expect(metrics.text).toMatch(
      /switchyard_request_duration_seconds_count\{tier="1",alias="local-coder"\} 1/,
    );
    expect(metrics.text).toMatch(/switchyard_budget_limit_usd\{budget="monthly"\} 100/);
    expect(metrics.text).toMatch(/switchyard_budget_spent_usd\{budget="cloud-sonnet"\} 0\.\d+/);
    expect(metrics.text).toMatch(/switchyard_engine_slots\{engine="engine",model="qwen2.5-coder:32b"\} 2/);
    expect(metrics.text).toMatch(/switchyard_process_cpu_seconds_total/);
    expect(metrics.text).not.toContain(TEST_OPENROUTER_KEY);
  });
});

describe("dashboard without tokens (loopback only)", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ configYaml: "metrics: { public: true }" });
  });
  afterAll(() => harness.close());

  it("shows the pages without a prompt and the prompt sends the browser on", async () => {
    const page = await get(`${harness.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("<h1>Overview</h1>");
    expect(page.text).not.toContain("Sign out");
    const prompt = await get(`${harness.url}/dashboard/login`);
    expect(prompt.status).toBe(303);
    expect((await get(`${harness.url}/metrics`)).status).toBe(200);
  });

  it("still refuses an unknown Host", async () => {
    const port = new URL(harness.url).port;
    expect((await get(`${harness.url}/dashboard`, { host: `rebound.example:${port}` })).status).toBe(403);
  });
});

describe("metrics.public with tokens", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ authTokens: [TOKEN], configYaml: "metrics: { public: true }" });
  });
  afterAll(() => harness.close());

  it("answers /metrics without a token and everything else still needs one", async () => {
    expect((await get(`${harness.url}/metrics`)).status).toBe(200);
    expect((await get(`${harness.url}/admin/budgets`)).status).toBe(401);
  });
});

describe("live event stream", () => {
  it("pushes each new request's row to a watching page, and a closing server ends the stream", async () => {
    const harness = await startHarness();
    let closed = false;
    try {
      const stream = await request(`${harness.url}/dashboard/api/events`);
      expect(stream.statusCode).toBe(200);
      expect(stream.headers["content-type"]).toMatch(/text\/event-stream/);
      const chunks = stream.body[Symbol.asyncIterator]();
      // The first comment says the stream is registered; rows sent from now on reach it.
      expect(String((await chunks.next()).value)).toContain(": connected");
      const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: "unused" });
      await client.chat.completions.create({
        model: "local-coder",
        messages: [{ role: "user", content: "Write a commit message for: <b>bold</b> fix" }],
      });
      let received = "";
      while (!received.includes("\n\n") || !received.includes("event: request")) {
        const next = await chunks.next();
        if (next.done) break;
        received += String(next.value);
      }
      expect(received).toMatch(/^event: request\ndata: <tr data-request-id="[^"]+" data-status="ok"/m);
      expect(received).toContain("local-coder");
      await harness.close();
      closed = true;
      // The server ended the stream rather than waiting for the page to go away.
      while (!(await chunks.next()).done) {}
    } finally {
      if (!closed) await harness.close();
    }
  });
});
