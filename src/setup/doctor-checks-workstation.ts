/**
 * The Workstation's checklist: the Brain answers at SWITCHYARD_URL within its time limit, it takes
 * the token, and `ssh brain` / `ssh engine` have aliases in ~/.ssh/config. The Brain's service and
 * token checks are shared with the Brain's own list, pointed at its local address there.
 */
import { isLoopbackHost } from "../config/config-schema.js";
import { type DoctorCheck, failed, passed, warned } from "./doctor-check.js";
import type { DoctorEnvironment } from "./doctor-environment.js";
import { httpGet, networkReason } from "./doctor-http.js";
import { sshHostAliases } from "./ssh-host-aliases.js";

export function workstationChecks(environment: DoctorEnvironment): DoctorCheck[] {
  return [
    brainServiceCheck(environment, environment.brainUrl, "Workstation"),
    brainTokenCheck(environment, environment.brainUrl, "Workstation"),
    sshAliasesCheck(environment),
  ];
}

/** `GET /healthz` on the Brain: the service runs and this machine reaches it. */
export function brainServiceCheck(
  environment: DoctorEnvironment,
  url: string,
  from: "Brain" | "Workstation",
): DoctorCheck {
  const hint =
    from === "Brain"
      ? "Start it: npm start in its directory, or its launchd/systemd service (switchyard setup brain)"
      : environment.brainUrlGiven
        ? "Check SWITCHYARD_URL (the Brain's address and port 8787), that its service runs, and that it listens on the LAN (server.host: 0.0.0.0)"
        : "Set SWITCHYARD_URL=http://<brain>:8787 (or pass --url): without it the Brain is looked for on this machine";
  return {
    id: "brain-service",
    title: from === "Brain" ? `Switchyard serves at ${url}` : `Brain reachable at ${url}`,
    timeoutMs: environment.timeouts.networkMs,
    onTimeout: (limit) => failed(`${url} did not answer within ${limit}`, hint),
    run: async (signal) => {
      try {
        const answer = await httpGet(`${url}/healthz`, { signal });
        if (answer.status === 200) return passed(`${url}/healthz answered`);
        return failed(`${url}/healthz answered HTTP ${answer.status}: not a Switchyard gateway?`, hint);
      } catch (error) {
        return failed(`${url}: ${networkReason(error, signal)}`, hint);
      }
    },
  };
}

/** An authenticated call (`GET /v1/models`) with the token a client would send. */
export function brainTokenCheck(
  environment: DoctorEnvironment,
  url: string,
  from: "Brain" | "Workstation",
): DoctorCheck {
  const { token } = environment;
  const loopbackOnly = isLoopbackHost(environment.config.server.host);
  return {
    id: "brain-token",
    title: "The Brain takes the token",
    timeoutMs: environment.timeouts.networkMs,
    requires: ["brain-service"],
    run: async (signal) => {
      const answer = await httpGet(`${url}/v1/models`, {
        signal,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      });
      if (answer.status === 401 || answer.status === 403) {
        return failed(
          token ? "the Brain refused the token" : "the Brain wants a token and none is set",
          "Set SWITCHYARD_TOKEN to one of the Brain's server.auth_tokens",
        );
      }
      if (answer.status !== 200) return failed(`GET /v1/models answered HTTP ${answer.status}`);
      if (!token) {
        return warned(
          "the Brain answers without any token",
          "Give it server.auth_tokens (it must have one to listen on the LAN) and set SWITCHYARD_TOKEN",
        );
      }
      if (from === "Brain" && loopbackOnly) {
        return warned(
          `accepted, but server.host is ${environment.config.server.host}: only this machine can reach the Brain`,
          "Set server.host: 0.0.0.0 (with auth_tokens) so the Workstation can",
        );
      }
      return passed("accepted");
    },
  };
}

function sshAliasesCheck(environment: DoctorEnvironment): DoctorCheck {
  return {
    id: "ssh-aliases",
    title: "SSH aliases for the Brain and the Engine (~/.ssh/config)",
    timeoutMs: environment.timeouts.networkMs,
    run: async () => {
      const { aliases, files } = await sshHostAliases(environment.home);
      const missing = ["brain", "engine"].filter((alias) => !aliases.has(alias));
      if (missing.length === 0) return passed(`Host brain and Host engine in ${files.join(", ")}`);
      const stanzas = missing
        .map((alias) => `Host ${alias}\n  HostName <${alias}-ip>\n  User <you>`)
        .join("\n");
      return failed(
        files.length === 0 ? "no ~/.ssh/config" : `no Host ${missing.join(" or ")} in ${files.join(", ")}`,
        `Add to ~/.ssh/config:\n${stanzas}`,
      );
    },
  };
}
