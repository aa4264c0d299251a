/**
 * Budget alerts over HTTP: a generic JSON POST, an ntfy.sh message (plain-text body, the title,
 * priority and tags in headers), or a Slack incoming-webhook `{text}`. One POST per alert, with
 * a timeout; a non-2xx answer is an error the caller logs.
 */
import { type Dispatcher, request } from "undici";
import type { AlertSink, BudgetAlert } from "./budget-alerts.js";

export type WebhookFormat = "json" | "ntfy" | "slack";

export interface WebhookAlertSinkOptions {
  url: string;
  format?: WebhookFormat;
  /** Extra headers, e.g. an ntfy access token (`Authorization: Bearer tk_…`). */
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  /** Default 10 s. */
  timeoutMs?: number;
}

interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

export function webhookAlertSink(options: WebhookAlertSinkOptions): AlertSink {
  const format = options.format ?? "json";
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: `webhook:${format}`,
    async send(alert) {
      const built = buildWebhookRequest(alert, format);
      const response = await request(options.url, {
        method: "POST",
        headers: { ...built.headers, ...options.headers },
        body: built.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      const text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new Error(
          `Alert webhook ${new URL(options.url).host} answered ${response.statusCode}: ${text.slice(0, 200)}`,
        );
      }
    },
  };
}

export function buildWebhookRequest(alert: BudgetAlert, format: WebhookFormat): WebhookRequest {
  switch (format) {
    case "ntfy":
      return {
        headers: {
          "content-type": "text/plain; charset=utf-8",
          // ntfy reads these headers; HTTP header values must be ASCII, so the title stays plain.
          title: alert.title.replace(/[^\x20-\x7e]/g, "-"),
          priority:
            alert.thresholdPercent >= 100 ? "urgent" : alert.thresholdPercent >= 80 ? "high" : "default",
          tags:
            alert.thresholdPercent >= 100 ? "rotating_light,money_with_wings" : "warning,money_with_wings",
        },
        body: alert.message,
      };
    case "slack":
      return {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: `*${alert.title}*\n${alert.message}` }),
      };
    case "json":
      return {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          type: "switchyard.budget.alert",
          budget: alert.budget,
          threshold_percent: alert.thresholdPercent,
          limit_usd: alert.limitUsd,
          spent_usd: alert.spentUsd,
          trigger: alert.trigger,
          period: alert.periodKey,
          resets_at: alert.resetsAt.toISOString(),
          title: alert.title,
          message: alert.message,
        }),
      };
  }
}
