/**
 * The DNS-rebinding guard: the dashboard answers only to Host names it knows — loopback names, the
 * listen address, this machine's own names and addresses, and `server.allowed_hosts` — and to
 * requests whose Origin, when a browser sends one, is the page's own. A page on another site that
 * resolves its name to the Brain's address then gets nothing back, token or no token.
 */
import { hostname, networkInterfaces } from "node:os";

export class HostGuard {
  private readonly names: Set<string>;

  constructor(listenHost: string, allowedHosts: readonly string[]) {
    const machine = hostname().toLowerCase();
    const addresses = Object.values(networkInterfaces())
      .flatMap((entries) => entries ?? [])
      .map((entry) => (entry.family === "IPv6" ? `[${entry.address}]` : entry.address));
    const wildcard = ["0.0.0.0", "::", "[::]", ""].includes(listenHost);
    this.names = new Set(
      [
        "localhost",
        "127.0.0.1",
        "[::1]",
        machine,
        `${machine}.local`,
        ...addresses,
        ...(wildcard
          ? []
          : [listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost]),
        ...allowedHosts.map((host) => hostOnly(host)),
      ].map((name) => name.toLowerCase()),
    );
  }

  /** True when the Host header names this server. */
  allowsHost(hostHeader: string | undefined): boolean {
    if (!hostHeader) return false;
    return this.names.has(hostOnly(hostHeader).toLowerCase());
  }

  /**
   * True when the Origin header is absent (not a browser's cross-origin request) or names the
   * same host and port as the Host header. `null` (a sandboxed or privacy-stripped origin) is not
   * the page's own.
   */
  static sameOrigin(originHeader: string | undefined, hostHeader: string | undefined): boolean {
    if (originHeader === undefined) return true;
    try {
      return new URL(originHeader).host.toLowerCase() === (hostHeader ?? "").toLowerCase();
    } catch {
      return false;
    }
  }
}

/** `brain.local:8787` → `brain.local`; `[::1]:8787` → `[::1]`. */
function hostOnly(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  return colon === -1 || host.indexOf(":", colon + 1) !== -1 ? host : host.slice(0, colon);
}
