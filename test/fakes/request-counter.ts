/**
 * Counts requests a fake server saw something happen to — arrive, or be given up by their client
 * before the response ended — and lets a test wait for a count instead of sleeping. Shared by the
 * fake Ollama and the fake OpenRouter.
 */
export class RequestCounter {
  private counted = 0;
  private readonly waiters = new Set<() => void>();

  /** `what` names the count in a timeout's message: "aborted requests", "chat requests". */
  constructor(
    private readonly serverName: string,
    private readonly what: string,
  ) {}

  count(): number {
    return this.counted;
  }

  record(): void {
    this.counted++;
    for (const wake of this.waiters) wake();
  }

  /** Resolves when the count reaches `target`; rejects, saying what it saw, after `timeoutMs`. */
  waitFor(target: number, timeoutMs = 5_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.counted < target) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `${this.serverName} saw ${this.counted} ${this.what}, not ${target}, within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
