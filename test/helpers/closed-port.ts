/**
 * A loopback port that was free a moment ago and that nothing listens on now: for tests of a
 * Brain, an Engine or an upstream that is not there (connection refused, not a timeout).
 */
import { createServer } from "node:net";

export function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
