/**
 * When a request has been admitted: its budget step has decided (a rung is reserved, free, or a
 * stand-in took over) — or it was refused. A door that must answer before the model does (an
 * Anthropic stream that starts with `message_start` to keep its client waiting) waits for this
 * first, so a refusal is still a real HTTP status. The promise is made only when asked for.
 */
export class Admission {
  private state: "pending" | "admitted" | "refused" = "pending";
  private reason: unknown;
  private waiting:
    | { promise: Promise<void>; resolve: () => void; reject: (reason: unknown) => void }
    | undefined;

  readonly admit = (): void => {
    if (this.state !== "pending") return;
    this.state = "admitted";
    this.waiting?.resolve();
  };

  readonly refuse = (reason: unknown): void => {
    if (this.state !== "pending") return;
    this.state = "refused";
    this.reason = reason;
    this.waiting?.reject(reason);
  };

  get promise(): Promise<void> {
    if (this.state === "admitted") return Promise.resolve();
    if (this.state === "refused") return Promise.reject(this.reason);
    if (!this.waiting) {
      let resolve: () => void = () => {};
      let reject: (reason: unknown) => void = () => {};
      const promise = new Promise<void>((onResolve, onReject) => {
        resolve = onResolve;
        reject = onReject;
      });
      this.waiting = { promise, resolve, reject };
    }
    return this.waiting.promise;
  }
}
