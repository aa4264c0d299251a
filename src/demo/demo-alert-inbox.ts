/**
 * Where the demo's budget alerts land: a loopback HTTP endpoint the Brain posts to as it would to
 * any `budget.alerts.webhooks` entry (format `json`), so the demo shows the real alert path. Each
 * alert is validated and handed to a listener, which prints it.
 */
import { createServer } from "node:http";
import { z } from "zod";
import { closeServer, listen, readBody } from "./simulated-http.js";

const alertSchema = z.object({
  type: z.literal("switchyard.budget.alert"),
  budget: z.string(),
  threshold_percent: z.number(),
  limit_usd: z.number(),
  spent_usd: z.number(),
  trigger: z.string(),
  message: z.string(),
});

export type ReceivedAlert = z.infer<typeof alertSchema>;

export interface AlertInbox {
  /** The webhook URL to configure. */
  url: string;
  /** Every alert received so far, oldest first. */
  received: ReceivedAlert[];
  close(): Promise<void>;
}

export async function startAlertInbox(onAlert: (alert: ReceivedAlert) => void): Promise<AlertInbox> {
  const received: ReceivedAlert[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      let parsed: ReturnType<typeof alertSchema.safeParse> | undefined;
      try {
        parsed = alertSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      if (request.method !== "POST" || !parsed?.success) {
        response
          .writeHead(400, { "content-type": "text/plain" })
          .end("expected a switchyard.budget.alert JSON body");
        return;
      }
      received.push(parsed.data);
      onAlert(parsed.data);
      response.writeHead(204).end();
    });
  });
  const origin = await listen(server, "127.0.0.1", 0);
  return { url: `${origin}/budget-alerts`, received, close: () => closeServer(server) };
}
