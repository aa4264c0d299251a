/**
 * `switchyard setup brain`: `switchyard serve` as a service, listening on the LAN with a token
 * from a file only the user can read. On macOS a launchd agent (log in ~/Library/Logs/Switchyard,
 * rotated hourly by a second job); on Linux a systemd user unit (log in the journal). The token
 * file is made once with a fresh random token and never replaced: the Workstation holds a copy.
 */
import { dirname, join } from "node:path";
import { launchdJobPlist, plistXml } from "./service-launchd.js";
import { logRotationJob } from "./service-log-rotation.js";
import { systemdUnit } from "./service-systemd.js";
import type { PlannedFile } from "./setup-files.js";
import { brainLinuxSteps, brainMacosSteps, launchdLoadStep } from "./setup-manual-steps.js";
import type { SetupPlan, SetupPlatform } from "./setup-plan.js";

export const BRAIN_LABEL = "com.switchyard.brain";
export const BRAIN_LOG_ROTATION_LABEL = "com.switchyard.brain.log-rotation";
export const BRAIN_SYSTEMD_UNIT = "switchyard.service";

export interface BrainSetupInput {
  home: string;
  platform: SetupPlatform;
  /** Absolute path of node, and of the switchyard entry script (bin/switchyard.js). */
  nodePath: string;
  switchyardPath: string;
  /** The config file the service runs with, when there is one (absolute). */
  configPath?: string;
  /** Where the service runs: its .env is read from here. */
  workingDirectory: string;
  /** The address to listen on (serve --host): 0.0.0.0 for the LAN. */
  host: string;
  port: number;
  /** Where the token lives (0600). */
  tokenPath: string;
  /** Written only when the token file does not exist yet. */
  newToken: string;
  /** server.shutdown_grace_seconds: the service manager must wait longer before killing it. */
  shutdownGraceSeconds: number;
  /** Variables the service must share with this shell to find the same files (SWITCHYARD_HOME, XDG_*). */
  inheritedEnvironment: Record<string, string>;
}

/** launchd and systemd both start services with a bare PATH; gates' commands need the usual places. */
export function servicePath(nodePath: string): string {
  const places = [
    dirname(nodePath),
    "/opt/homebrew/bin",
    "/usr/local/bin",
    "/usr/bin",
    "/bin",
    "/usr/sbin",
    "/sbin",
  ];
  return [...new Set(places)].join(":");
}

export function brainSetupPlan(input: BrainSetupInput): SetupPlan {
  const programArguments = [
    input.nodePath,
    input.switchyardPath,
    ...(input.configPath ? ["--config", input.configPath] : []),
    "serve",
    "--host",
    input.host,
  ];
  const environment = {
    ...input.inheritedEnvironment,
    SWITCHYARD_TOKEN_FILE: input.tokenPath,
    PATH: servicePath(input.nodePath),
  };
  // Past the grace, so answers in flight can finish before the manager kills the process.
  const stopTimeoutSeconds = input.shutdownGraceSeconds + 15;
  const tokenFile: PlannedFile = {
    path: input.tokenPath,
    content: `${input.newToken}\n`,
    mode: 0o600,
    description: "the Brain's token (callers send it as Authorization: Bearer)",
    keepExisting: true,
    directoryMode: 0o700,
    redact: (text) => (text === "" ? "" : "[the token, not shown]\n"),
  };
  const facts = {
    home: input.home,
    tokenPath: input.tokenPath,
    workingDirectory: input.workingDirectory,
    port: input.port,
  };

  if (input.platform === "linux") {
    const unitPath = join(input.home, ".config", "systemd", "user", BRAIN_SYSTEMD_UNIT);
    const unit = systemdUnit({
      description: "Switchyard, the Brain's routing gateway",
      execStart: programArguments,
      environment,
      workingDirectory: input.workingDirectory,
      stopTimeoutSeconds,
    });
    return {
      files: [
        { path: unitPath, content: unit, mode: 0o644, description: "the Brain's systemd user unit" },
        tokenFile,
      ],
      directories: [],
      manualSteps: brainLinuxSteps(facts),
      notes: [],
    };
  }

  const agents = join(input.home, "Library", "LaunchAgents");
  const logs = join(input.home, "Library", "Logs", "Switchyard");
  const logPath = join(logs, "brain.log");
  const plistPath = join(agents, `${BRAIN_LABEL}.plist`);
  const rotationPath = join(agents, `${BRAIN_LOG_ROTATION_LABEL}.plist`);
  const service = launchdJobPlist({
    label: BRAIN_LABEL,
    programArguments,
    environment,
    workingDirectory: input.workingDirectory,
    logPath,
    keepAlive: true,
    exitTimeoutSeconds: stopTimeoutSeconds,
  });
  const load = launchdLoadStep({
    plists: [plistPath, rotationPath],
    home: input.home,
    check: `curl -s http://localhost:${input.port}/healthz`,
    logPath,
  });
  return {
    files: [
      {
        path: plistPath,
        content: plistXml(service),
        mode: 0o644,
        description: "the Brain's launchd agent (switchyard serve)",
      },
      {
        path: rotationPath,
        content: plistXml(launchdJobPlist(logRotationJob(BRAIN_LOG_ROTATION_LABEL, [logPath]))),
        mode: 0o644,
        description: "hourly rotation of the Brain's log",
      },
      tokenFile,
    ],
    directories: [logs],
    manualSteps: brainMacosSteps(facts, load),
    notes: [],
  };
}
