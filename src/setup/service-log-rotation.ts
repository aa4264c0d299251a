/**
 * Log rotation for the launchd services, by copy and truncate.
 *
 * Why this and not newsyslog: launchd opens a job's StandardOutPath once, when the job starts, and
 * keeps writing to that open file. newsyslog rotates by renaming, so after a rotation Ollama and the
 * Brain would go on writing into the renamed file (and, once it is deleted, into a file nobody can
 * see that still fills the disk) until they restart; its "signal the process" remedy needs a pid
 * file neither writes, and it needs root for /etc/newsyslog.d. launchd opens those files with
 * O_APPEND, so every write lands at the current end of the file: copying the file aside and then
 * truncating it in place is safe — the next line goes to the start of the emptied file. A tiny
 * launchd job per machine runs that check every hour, as the user, with /bin/sh alone (the Engine
 * needs no Node for it). The price is that lines written between the copy and the truncation, a
 * few milliseconds once a rotation, can be lost. On Linux the Brain logs to the journal, which
 * journald rotates (SystemMaxUse in journald.conf), so none of this applies there.
 */
import type { LaunchdJob } from "./service-launchd.js";

export interface LogRotationOptions {
  /** A file is rotated once it is larger than this. */
  maxBytes: number;
  /** Rotated copies kept: file.1 (newest) to file.<keep>. */
  keep: number;
}

export const DEFAULT_LOG_ROTATION: LogRotationOptions = { maxBytes: 20 * 1024 * 1024, keep: 5 };

/**
 * The POSIX sh script: for each file named in its arguments that has grown past the limit, shift
 * the copies up (dropping the oldest), copy the file to .1 and truncate it in place.
 */
export function logRotationScript(options: LogRotationOptions = DEFAULT_LOG_ROTATION): string {
  return [
    `max=${Math.floor(options.maxBytes)}; keep=${Math.floor(options.keep)}`,
    'for file in "$@"; do',
    '  [ -f "$file" ] || continue',
    // Arithmetic drops the leading blanks BSD wc (macOS) prints before the count.
    '  size=$(($(wc -c < "$file")))',
    '  [ "$size" -gt "$max" ] || continue',
    "  index=$keep",
    '  while [ "$index" -gt 1 ]; do',
    "    previous=$((index - 1))",
    '    if [ -f "$file.$previous" ]; then mv -f "$file.$previous" "$file.$index"; fi',
    "    index=$previous",
    "  done",
    '  cp -p "$file" "$file.1" && : > "$file"',
    "done",
  ].join("\n");
}

/** The launchd job that rotates `logPaths` every hour. */
export function logRotationJob(
  label: string,
  logPaths: readonly string[],
  options: LogRotationOptions = DEFAULT_LOG_ROTATION,
): LaunchdJob {
  return {
    label,
    // sh -c SCRIPT NAME FILE…: NAME becomes $0, the files "$@" — no quoting of paths inside the script.
    programArguments: ["/bin/sh", "-c", logRotationScript(options), "switchyard-log-rotation", ...logPaths],
    environment: {},
    keepAlive: false,
    startIntervalSeconds: 3600,
    processType: "Background",
  };
}
