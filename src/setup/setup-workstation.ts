/**
 * `switchyard setup workstation`: the laptop's side. `Host brain` and `Host engine` in
 * ~/.ssh/config (merged, never clobbering a host already there) and the client config that points
 * every switchyard command at the Brain with its token.
 */
import { join } from "node:path";
import { redactClientConfig, renderClientConfig } from "./client-config.js";
import type { PlannedFile } from "./setup-files.js";
import { workstationSteps } from "./setup-manual-steps.js";
import type { SetupPlan } from "./setup-plan.js";
import { mergeSshConfig, type SshHostEntry } from "./ssh-config.js";

export interface WorkstationSetupInput {
  home: string;
  /** ~/.ssh/config as it is now ("" when there is none). */
  existingSshConfig: string;
  clientConfigPath: string;
  /** The Brain's IP address or LAN hostname. */
  brainHost: string;
  brainPort: number;
  /** The Engine's, when it should get an ssh entry too. */
  engineHost?: string;
  /** The user name on the Brain and the Engine. */
  user: string;
  /** The Brain's token, when known. */
  token?: string;
}

export function workstationSetupPlan(input: WorkstationSetupInput): SetupPlan {
  const entries: SshHostEntry[] = [{ alias: "brain", hostName: input.brainHost, user: input.user }];
  if (input.engineHost) entries.push({ alias: "engine", hostName: input.engineHost, user: input.user });
  const merged = mergeSshConfig(input.existingSshConfig, entries);
  const host = input.brainHost.includes(":") ? `[${input.brainHost}]` : input.brainHost;
  const files: PlannedFile[] = [
    {
      path: join(input.home, ".ssh", "config"),
      content: merged.text,
      mode: 0o600,
      description: "ssh entries for the Brain and the Engine",
      directoryMode: 0o700,
    },
    {
      path: input.clientConfigPath,
      content: renderClientConfig({
        url: `http://${host}:${input.brainPort}`,
        ...(input.token ? { token: input.token } : {}),
      }),
      mode: 0o600,
      description: "the client config: the Brain's URL and token",
      directoryMode: 0o700,
      redact: redactClientConfig,
    },
  ];
  return {
    files,
    directories: [],
    manualSteps: workstationSteps({
      hasToken: Boolean(input.token),
      hosts: entries.map((entry) => entry.alias),
    }),
    notes: merged.skipped.map(
      ({ alias, line }) =>
        `~/.ssh/config already defines Host ${alias} (line ${line}); left as it is — check that it points at the ${alias === "brain" ? "Brain" : "Engine"}.`,
    ),
  };
}
