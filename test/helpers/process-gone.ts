/**
 * Whether a process has gone: no such pid, or a zombie nobody has reaped yet (an orphan's new
 * parent in a container may be slow to reap it). For processes that are not this one's children,
 * whose exit no event reports.
 */
import { readFileSync } from "node:fs";

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}
