/**
 * Watches the OpenRouter key's own credit (`GET /key`, every 5 minutes by default). A key can
 * have less left than Switchyard's monthly budget (a key limit, a card running dry, other tools
 * on the same key); then the key's remaining credit rules. A failed poll keeps the last answer:
 * the guard never blocks traffic because the account endpoint is down.
 */
import {
  fetchKeyInfo,
  type OpenRouterApiOptions,
  type OpenRouterKeyInfo,
} from "../backends/openai-compatible/openrouter-api.js";

export const DEFAULT_KEY_POLL_INTERVAL_MS = 5 * 60 * 1000;

export interface KeyGuardOptions {
  /** Base URL, the API key (required by /key), headers, dispatcher. */
  api: OpenRouterApiOptions;
  intervalMs?: number;
  /** A failed poll; the caller logs it. */
  onError?: (error: unknown) => void;
  now?: () => number;
}

export class KeyGuard {
  private info: OpenRouterKeyInfo | undefined;
  private checkedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly listeners = new Set<(info: OpenRouterKeyInfo) => void>();

  constructor(private readonly options: KeyGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Polls once (awaited, so the first request already knows the key's credit), then on a timer. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.timer) return;
    this.timer = setInterval(
      () => void this.refresh(),
      this.options.intervalMs ?? DEFAULT_KEY_POLL_INTERVAL_MS,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Polls now. Resolves to the new answer, or undefined when the poll failed. */
  async refresh(): Promise<OpenRouterKeyInfo | undefined> {
    try {
      const info = await fetchKeyInfo(this.options.api);
      this.info = info;
      this.checkedAt = this.now();
      for (const listener of this.listeners) listener(info);
      return info;
    } catch (error) {
      this.options.onError?.(error);
      return undefined;
    }
  }

  /** Called after every successful poll; returns a function that unsubscribes. */
  onRefresh(listener: (info: OpenRouterKeyInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the key may still spend, USD; null when it has no limit or has not been read yet. */
  remainingUsd(): number | null {
    const remaining = this.info?.limitRemainingUsd;
    return remaining === null || remaining === undefined ? null : Math.max(0, remaining);
  }

  /** The last successful answer, and when it came. */
  lastCheck(): { info: OpenRouterKeyInfo; checkedAt: number } | undefined {
    return this.info && this.checkedAt !== undefined
      ? { info: this.info, checkedAt: this.checkedAt }
      : undefined;
  }
}

/** The lower of Switchyard's remaining budget and the key's remaining credit (when it has a limit). */
export function effectiveRemainingUsd(budgetRemainingUsd: number, keyRemainingUsd: number | null): number {
  return keyRemainingUsd === null ? budgetRemainingUsd : Math.min(budgetRemainingUsd, keyRemainingUsd);
}
