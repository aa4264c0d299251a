/**
 * `switchyard route "<prompt>"`: what the router would do with a prompt, and why — the task, how
 * sure the classifier is and what it would otherwise have been (the runner-up), the ladder and the
 * signals. Offline: it needs only the config, no back end.
 */
import { TaskRouter } from "../routing/task-router.js";
import { loadCliConfig } from "./cli-context.js";

export interface RouteCommandOptions {
  json?: boolean;
  model?: string;
  task?: string;
  system?: string;
  config?: string;
}

export function routeCommand(words: string[], options: RouteCommandOptions): void {
  const { config } = loadCliConfig(options.config);
  const router = new TaskRouter(config);
  const prompt = words.join(" ");
  const route = router.route({
    model: options.model ?? "switchyard/auto",
    taskHeader: options.task,
    messages: [
      ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
      { role: "user", content: prompt },
    ],
  });
  const first = route.ladder[0]!;
  const signals = route.signals();
  if (options.json) {
    const decision = {
      task: route.task,
      tier: first.tier,
      alias: first.alias,
      model: first.model,
      selector: route.selector,
      confidence: route.confidence,
      runnerUp: route.runnerUp ?? null,
      ladder: route.ladder.map((step) => step.alias),
      signals,
    };
    process.stdout.write(`${JSON.stringify(decision)}\n`);
    return;
  }
  const lines = [
    `task:    ${route.task}`,
    `tier:    ${first.tier}`,
    `alias:   ${first.alias}`,
    `model:   ${first.model} (on ${first.backend})`,
    `ladder:  ${route.ladder.map((step) => step.alias).join(" → ")}`,
    `chosen by: ${route.selector}`,
    `confidence: ${route.confidence.toFixed(2)}${route.runnerUp ? ` (runner-up: ${route.runnerUp})` : ""}`,
    "signals:",
    ...(signals.length
      ? signals.map((signal) => `  - ${signal}`)
      : ["  (none: defaulted to the lowest viable tier)"]),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
