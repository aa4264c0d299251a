/**
 * launchd job definitions (macOS) as XML property lists: a small serializer for the plist value
 * types a job uses, and the job shape Switchyard's services share. Jobs go in
 * ~/Library/LaunchAgents: they run as the user (Ollama keeps its models in ~/.ollama, the Brain its
 * ledger in the user's data dir), start at login — at boot, with automatic login on — and are
 * restarted by launchd whenever they exit.
 */

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/** A launchd job: the keys Switchyard sets, each as launchd.plist(5) names it. */
export interface LaunchdJob {
  /** Reverse-DNS name, also the plist's file name: com.switchyard.engine. */
  label: string;
  /** Absolute path of the program, then its arguments (launchd runs no shell and has a bare PATH). */
  programArguments: string[];
  environment: Record<string, string>;
  workingDirectory?: string;
  /** Both stdout and stderr go here; launchd opens it for appending (O_APPEND). */
  logPath?: string;
  /** Start at load (login) and restart whenever it exits: a service. */
  keepAlive: boolean;
  /** Seconds launchd waits after SIGTERM before SIGKILL (its default is 20). */
  exitTimeoutSeconds?: number;
  /** Run on a schedule instead of staying up: every this many seconds. */
  startIntervalSeconds?: number;
  /** Background jobs get less CPU and I/O: right for log rotation, wrong for inference. */
  processType?: "Background" | "Standard" | "Interactive";
}

/** The plist's dictionary for a job, keys in the order a person reads them. */
export function launchdJobPlist(job: LaunchdJob): Record<string, PlistValue> {
  const plist: Record<string, PlistValue> = {
    Label: job.label,
    ProgramArguments: job.programArguments,
  };
  if (Object.keys(job.environment).length > 0) plist.EnvironmentVariables = job.environment;
  if (job.workingDirectory) plist.WorkingDirectory = job.workingDirectory;
  plist.RunAtLoad = true;
  if (job.keepAlive) plist.KeepAlive = true;
  if (job.startIntervalSeconds !== undefined) plist.StartInterval = job.startIntervalSeconds;
  if (job.exitTimeoutSeconds !== undefined) plist.ExitTimeOut = job.exitTimeoutSeconds;
  if (job.processType) plist.ProcessType = job.processType;
  if (job.logPath) {
    plist.StandardOutPath = job.logPath;
    plist.StandardErrorPath = job.logPath;
  }
  return plist;
}

/** An XML property list (the format `plutil -lint` accepts), for a dictionary at the top. */
export function plistXml(root: Record<string, PlistValue>): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    ...valueLines(root, ""),
    "</plist>",
    "",
  ].join("\n");
}

function valueLines(value: PlistValue, indent: string): string[] {
  if (typeof value === "string") return [`${indent}<string>${escapeXml(value)}</string>`];
  if (typeof value === "boolean") return [`${indent}<${value}/>`];
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new TypeError(`plist integers only; got ${value}`);
    return [`${indent}<integer>${value}</integer>`];
  }
  const inner = `${indent}\t`;
  if (Array.isArray(value)) {
    return [`${indent}<array>`, ...value.flatMap((item) => valueLines(item, inner)), `${indent}</array>`];
  }
  return [
    `${indent}<dict>`,
    ...Object.entries(value).flatMap(([key, item]) => [
      `${inner}<key>${escapeXml(key)}</key>`,
      ...valueLines(item, inner),
    ]),
    `${indent}</dict>`,
  ];
}

function escapeXml(text: string): string {
  // Control characters other than tab and newlines cannot appear in XML 1.0 at all.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) {
    throw new TypeError(`a plist string cannot hold control characters: ${JSON.stringify(text)}`);
  }
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
