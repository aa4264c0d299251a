/**
 * How `switchyard setup` writes: every file it would touch is planned first, shown as a diff against
 * what is there, and only then written — atomically (a temporary file renamed over the old one),
 * with its mode, after copying the old version aside. A file already as planned is left alone, so
 * a second run changes nothing; `dryRun` shows the diffs and writes nothing. Secrets (tokens) never
 * appear in a diff: a planned file names how to redact itself.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import { unifiedDiff } from "../planning/config-task-edit.js";

export interface PlannedFile {
  /** Absolute path. */
  path: string;
  content: string;
  /** Permission bits, e.g. 0o600 for anything holding a token. */
  mode: number;
  /** What the file is, for the report: "the Engine's launchd agent". */
  description: string;
  /** Hides secrets in the diff; the real content is still what gets written. */
  redact?: (text: string) => string;
  /** An existing file keeps what it holds (a token already handed out is never replaced); only its mode is set. */
  keepExisting?: boolean;
  /** Mode for directories created on the way (default 0o755; 0o700 for ~/.ssh and secrets). */
  directoryMode?: number;
}

export type FileAction = "create" | "update" | "unchanged" | "kept";

export interface FileOutcome {
  path: string;
  description: string;
  action: FileAction;
  /** The unified diff (secrets redacted); "" when nothing changes. */
  diff: string;
  /** Where the previous version was copied before it was replaced. */
  backupPath?: string;
  /** False on a dry run, and when nothing had to change. */
  written: boolean;
}

export interface ApplyOptions {
  /** Show what would change; write nothing. */
  dryRun: boolean;
  /** For backup names; injected so tests can name the backup they expect. */
  now: Date;
}

/** Plans each file against the disk and, unless dry, writes the ones that differ. */
export function applyPlannedFiles(files: readonly PlannedFile[], options: ApplyOptions): FileOutcome[] {
  return files.map((file) => applyPlannedFile(file, options));
}

function applyPlannedFile(file: PlannedFile, options: ApplyOptions): FileOutcome {
  const existing = existsSync(file.path) ? readFileSync(file.path, "utf8") : undefined;
  const existingMode = existing === undefined ? undefined : statSync(file.path).mode & 0o777;
  const base = { path: file.path, description: file.description };
  if (existing !== undefined && file.keepExisting) {
    if (existingMode === file.mode) return { ...base, action: "kept", diff: "", written: false };
    // The content stays, but a secret others can read is fixed: the service would refuse it.
    if (!options.dryRun) chmodSync(file.path, file.mode);
    const diff = `${file.path}: mode ${octal(existingMode!)} -> ${octal(file.mode)}\n`;
    return { ...base, action: "update", diff, written: !options.dryRun };
  }
  if (existing === file.content && existingMode === file.mode) {
    return { ...base, action: "unchanged", diff: "", written: false };
  }
  const action: FileAction = existing === undefined ? "create" : "update";
  const diff = describeChange(file, existing, existingMode);
  if (options.dryRun) return { ...base, action, diff, written: false };

  mkdirSync(dirname(file.path), { recursive: true, mode: file.directoryMode ?? 0o755 });
  let backupPath: string | undefined;
  if (existing !== undefined && existing !== file.content) {
    backupPath = `${file.path}.backup-${timestamp(options.now)}`;
    copyFileSync(file.path, backupPath);
    chmodSync(backupPath, existingMode ?? 0o600);
  }
  // Written beside the target and renamed over it: a reader never sees half a file, and the mode
  // is right before the content is there (a token is never readable by others, even briefly).
  const temporary = `${file.path}.switchyard-${process.pid}.tmp`;
  writeFileSync(temporary, file.content, { mode: file.mode });
  chmodSync(temporary, file.mode);
  renameSync(temporary, file.path);
  return { ...base, action, diff, ...(backupPath ? { backupPath } : {}), written: true };
}

function describeChange(file: PlannedFile, existing: string | undefined, existingMode: number | undefined) {
  const redact = file.redact ?? ((text: string) => text);
  const lines: string[] = [];
  if (existing === undefined) {
    lines.push(newFileDiff(file.path, redact(file.content)));
  } else if (existing !== file.content) {
    const diff = unifiedDiff(file.path, redact(existing), redact(file.content), { label: "planned" });
    lines.push(diff === "" ? `${file.path}: the secret in it changes (not shown)\n` : diff);
  }
  if (existingMode !== undefined && existingMode !== file.mode) {
    lines.push(`${file.path}: mode ${octal(existingMode)} -> ${octal(file.mode)}\n`);
  }
  return lines.join("");
}

/** A new file as a diff from nothing: every line added. */
function newFileDiff(path: string, content: string): string {
  const lines = content.replace(/\n$/, "").split("\n");
  return `--- /dev/null\n+++ ${path} (new)\n@@ -0,0 +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join("\n")}\n`;
}

const octal = (mode: number) => `0${mode.toString(8)}`;

/** 2026-11-05T09:03:07Z → 20261105-090307: sortable, and safe in any file name. */
function timestamp(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
}

/**
 * Directories a service needs before it starts (launchd opens a job's log file but does not make
 * its folder). Returns the ones that were missing; on a dry run, the ones that would be made.
 */
export function ensureDirectories(paths: readonly string[], options: Pick<ApplyOptions, "dryRun">): string[] {
  const missing = paths.filter((path) => !existsSync(path));
  if (!options.dryRun) for (const path of missing) mkdirSync(path, { recursive: true, mode: 0o755 });
  return missing;
}
