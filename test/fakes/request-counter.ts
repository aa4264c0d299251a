/**
 * Counts requests whose client went away before the response ended, and lets a test wait for a
 * count — shared by the fake Ollama and the fake OpenRouter.
 */
export class AbortCounter {
  private aborted = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly serverName: string) {}

  count(): number {
    return this.aborted;
  }

  record(): void {
    this.aborted++;
    for (const wake of this.waiters) wake();
  }

  /** Resolves when the count reaches `target`; rejects, saying what it saw, after `timeoutMs`. */
  waitFor(target: number, timeoutMs = 5_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.aborted < target) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `${this.serverName} saw ${this.aborted} aborted requests, not ${target}, within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
