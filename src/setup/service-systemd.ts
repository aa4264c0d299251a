/**
 * systemd units (Linux) for Switchyard's services. A user unit in ~/.config/systemd/user runs as
 * the user with no root needed; `loginctl enable-linger` makes it start at boot without a login.
 * Output goes to the journal, which journald rotates on its own (SystemMaxUse, SystemKeepFree in
 * journald.conf), so the unit needs no log file and no rotation of its own.
 */

export interface SystemdService {
  description: string;
  /** Absolute path of the program, then its arguments. */
  execStart: string[];
  environment: Record<string, string>;
  workingDirectory?: string;
  /** Seconds systemd waits after SIGTERM before SIGKILL; above the service's own grace period. */
  stopTimeoutSeconds: number;
}

export function systemdUnit(service: SystemdService): string {
  const lines = [
    "[Unit]",
    `Description=${service.description}`,
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${service.execStart.map((word) => quoteArgument(word, "command")).join(" ")}`,
    ...Object.entries(service.environment).map(
      ([name, value]) => `Environment=${quoteArgument(`${name}=${value}`, "setting")}`,
    ),
    ...(service.workingDirectory
      ? [`WorkingDirectory=${quoteArgument(service.workingDirectory, "setting")}`]
      : []),
    "Restart=always",
    "RestartSec=5",
    "KillSignal=SIGTERM",
    `TimeoutStopSec=${Math.ceil(service.stopTimeoutSeconds)}`,
    "StandardOutput=journal",
    "StandardError=journal",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ];
  return lines.join("\n");
}

/**
 * One word of a unit's command line or setting. systemd splits on spaces and reads C-style escapes
 * inside double quotes; `%` starts a specifier everywhere, `$` a variable only on command lines,
 * so those are doubled where they are special.
 */
export function quoteArgument(text: string, where: "command" | "setting"): string {
  if (/[\n\r]/.test(text))
    throw new TypeError(`a systemd unit value cannot span lines: ${JSON.stringify(text)}`);
  const specifiers = text.replaceAll("%", "%%");
  const escaped = where === "command" ? specifiers.replaceAll("$", "$$$$") : specifiers;
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
