/**
 * The host names `/mcp` answers to, against DNS rebinding: a web page that gets its own domain to
 * resolve to the Brain must not reach the tools through a browser on the LAN. A request's `Host`
 * (and `Origin`, when a browser sends one) must name this machine: a loopback name, the listen
 * address, the machine's host name (and `<name>.local`), one of its network addresses when it
 * listens on all of them, or a name in `server.allowed_hosts`.
 */
import { hostname, networkInterfaces } from "node:os";
import type { SwitchyardConfig } from "../config/config-schema.js";

/** What the machine is called and where it listens; from `node:os` unless a test says otherwise. */
export interface MachineNames {
  hostname: string;
  addresses: string[];
}

export function localMachineNames(): MachineNames {
  const addresses = Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address),
  );
  return { hostname: hostname(), addresses };
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/** Host names as the MCP SDK compares them: lower case, IPv6 addresses in brackets. */
export function allowedMcpHosts(
  config: Pick<SwitchyardConfig, "server">,
  machine: MachineNames = localMachineNames(),
): string[] {
  const listen = config.server.host;
  const names = ["localhost", "127.0.0.1", "::1", machine.hostname, `${machine.hostname}.local`];
  if (WILDCARDS.has(listen)) names.push(...machine.addresses);
  else names.push(listen);
  names.push(...config.server.allowed_hosts);
  return [...new Set(names.filter(Boolean).map(asHostname))];
}

function asHostname(name: string): string {
  const bare = name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  // An IPv6 address, possibly with a zone (fe80::1%en0): URL hostnames keep no zone.
  return bare.includes(":") ? `[${bare.replace(/%.*$/, "")}]` : bare;
}
