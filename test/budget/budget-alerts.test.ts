import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildAlert, logAlertSink, reachedThresholds } from "../../src/budget/budget-alerts.js";
import { webhookAlertSink } from "../../src/budget/webhook-alert-sink.js";

const alert = buildAlert({
  budget: "cloud-opus",
  thresholdPercent: 80,
  limitUsd: 30,
  spentUsd: 24.5,
  trigger: "threshold",
  periodKey: "2026-11-01",
  resetsAt: new Date("2026-12-01T00:00:00Z"),
  timeZone: "UTC",
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe("budget alerts", () => {
  let server: Server;
  let url: string;
  let received: Received[];
  let status: number;

  beforeEach(async () => {
    received = [];
    status = 200;
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on("end", () => {
        received.push({ headers: request.headers, body });
        response.writeHead(status).end(status === 200 ? "ok" : "nope");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("says what was reached, how much is spent, and when it resets", () => {
    expect(alert.title).toBe("Switchyard: cloud-opus budget at 80%");
    expect(alert.message).toBe(
      "cloud-opus budget has reached 80%: $24.50 of $30.00 spent; resets 2026-12-01 00:00 UTC.",
    );
  });

  it("finds the thresholds a spend has reached", () => {
    expect(reachedThresholds(49_999_999, 100_000_000, [50, 80, 100])).toEqual([]);
    expect(reachedThresholds(80_000_000, 100_000_000, [50, 80, 100])).toEqual([50, 80]);
    expect(reachedThresholds(1, 0, [50, 100])).toEqual([50, 100]);
  });

  it("posts generic JSON", async () => {
    await webhookAlertSink({ url, headers: { authorization: "Bearer hook-token" } }).send(alert);
    expect(received[0]?.headers["content-type"]).toBe("application/json");
    expect(received[0]?.headers.authorization).toBe("Bearer hook-token");
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: "switchyard.budget.alert",
      budget: "cloud-opus",
      threshold_percent: 80,
      limit_usd: 30,
      spent_usd: 24.5,
      resets_at: "2026-12-01T00:00:00.000Z",
    });
  });

  it("posts ntfy's plain text with Title, Priority and Tags headers", async () => {
    await webhookAlertSink({ url, format: "ntfy" }).send(alert);
    const [request] = received;
    expect(request?.body).toBe(alert.message);
    expect(request?.headers.title).toBe("Switchyard: cloud-opus budget at 80%");
    expect(request?.headers.priority).toBe("high");
    expect(request?.headers.tags).toBe("warning,money_with_wings");
  });

  it("posts Slack's {text}", async () => {
    await webhookAlertSink({ url, format: "slack" }).send(alert);
    expect(JSON.parse(received[0]!.body)).toEqual({ text: `*${alert.title}*\n${alert.message}` });
  });

  it("fails loudly on a non-2xx answer", async () => {
    status = 500;
    await expect(webhookAlertSink({ url }).send(alert)).rejects.toThrow(/answered 500: nope/);
  });

  it("logs through a pino-like logger", async () => {
    const lines: Array<{ details: object; message: string }> = [];
    await logAlertSink({ warn: (details, message) => void lines.push({ details, message }) }).send(alert);
    expect(lines).toEqual([
      {
        details: expect.objectContaining({ budget: "cloud-opus", thresholdPercent: 80, spentUsd: 24.5 }),
        message: alert.message,
      },
    ]);
  });
});
