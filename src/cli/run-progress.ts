/**
 * A run's live progress on the command line: one line per finished step — the step, its task,
 * tier, model, tokens, cost and time (or what a tool or command step did) — and, on a terminal, a
 * spinner line below them naming the steps still running and for how long. Off a terminal the
 * spinner is left out, so a log gets the step lines only.
 */
import type { RunStepRecord } from "../store/runs-store.js";
import type { RunEvent } from "../workflows/run-events.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface ProgressOutput {
  write(text: string): void;
  isTTY?: boolean;
}

export class RunProgress {
  private readonly running = new Map<string, { label: string; alias: string | null; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private spinnerShown = false;

  constructor(
    private readonly runId: string,
    private readonly output: ProgressOutput,
    private readonly now: () => number = Date.now,
  ) {}

  handle(event: RunEvent): void {
    if (event.runId !== this.runId) return;
    if (event.type === "step-started") {
      this.running.set(event.step, { label: event.step, alias: event.alias, at: event.at });
      this.spin();
    } else if (event.type === "step-finished") {
      this.running.delete(event.step.key);
      this.print(stepLine(event.step, event.reused));
    } else if (event.type === "run-paused" || event.type === "run-ended") {
      this.running.clear();
      this.stop();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clearSpinner();
  }

  private print(line: string): void {
    this.clearSpinner();
    this.output.write(`${line}\n`);
    this.drawSpinner();
  }

  private spin(): void {
    if (!this.output.isTTY) return;
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.frame = (this.frame + 1) % FRAMES.length;
        this.drawSpinner();
      }, 100);
      this.timer.unref();
    }
    this.drawSpinner();
  }

  private drawSpinner(): void {
    if (!this.output.isTTY || this.running.size === 0) {
      if (this.running.size === 0) this.stop();
      return;
    }
    const oldest = Math.min(...[...this.running.values()].map((step) => step.at));
    const names = [...this.running.values()]
      .map((step) => (step.alias ? `${step.label} (${step.alias})` : step.label))
      .join(", ");
    const seconds = ((this.now() - oldest) / 1000).toFixed(1);
    this.output.write(`\r\x1b[2K${FRAMES[this.frame]} ${names}  ${seconds} s`);
    this.spinnerShown = true;
  }

  private clearSpinner(): void {
    if (!this.spinnerShown) return;
    this.output.write("\r\x1b[2K");
    this.spinnerShown = false;
  }
}

/** `✓ code-review#1.1  code-review  tier 2  anthropic/claude-sonnet-4.5  1,204 tok  $0.0081  3.2 s`. */
export function stepLine(step: RunStepRecord, reused = false): string {
  const mark = step.status === "failed" ? "✗" : reused ? "↺" : step.status === "skipped" ? "–" : "✓";
  const seconds = step.endedAt === null ? "" : `${((step.endedAt - step.startedAt) / 1000).toFixed(1)} s`;
  const parts: string[] = [step.key.padEnd(24)];
  if (step.kind === "model") {
    parts.push(
      (step.task ?? "").padEnd(19),
      step.tier === null ? "tier ?" : `tier ${step.tier}`,
      (step.model ?? step.alias ?? "").padEnd(28),
      `${(step.inputTokens + step.outputTokens).toLocaleString("en-US")} tok`.padStart(10),
      `$${step.costUsd.toFixed(4)}`.padStart(9),
    );
    if (step.escalations > 0)
      parts.push(`${step.escalations} escalation${step.escalations === 1 ? "" : "s"}`);
  } else {
    parts.push(step.kind.padEnd(19));
  }
  parts.push(seconds.padStart(8));
  if (reused) parts.push("(done before; not paid again)");
  else if (step.detail && (step.kind !== "model" || step.status === "failed")) parts.push(step.detail);
  return `${mark} ${parts.join("  ")}`.trimEnd();
}
