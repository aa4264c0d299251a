/**
 * How `switchyard engine pull` shows progress: on a terminal, one line rewritten in place with a
 * bar and the bytes so far; on a pipe (logs, CI), a plain line per status change and per 10%.
 */
import type { PullProgress } from "./engine-ollama-calls.js";

/** A progress bar rewritten in place on a TTY; on a pipe, a line per status and per 10%. */
export function pullProgressRenderer(
  label: string,
  tty: boolean,
  write: (text: string) => void,
): (progress: PullProgress) => void {
  let lastLine = "";
  return (progress) => {
    const total = progress.totalBytes ?? 0;
    const share = total > 0 ? (progress.completedBytes ?? 0) / total : undefined;
    if (tty) {
      const width = 30;
      const filled = Math.round((share ?? 0) * width);
      const bar =
        share === undefined
          ? ""
          : ` [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.floor(share * 100)}%`;
      const bytes =
        total > 0
          ? ` ${((progress.completedBytes ?? 0) / 1e9).toFixed(1)}/${(total / 1e9).toFixed(1)} GB`
          : "";
      write(`\r\x1b[2K${label}: ${progress.status}${bar}${bytes}`);
      return;
    }
    // Layer lines ("pulling 6a0746a1ec1a") become one "pulling N%" line per 10% of the whole.
    const layer = /^pulling [0-9a-f]{6,}/.test(progress.status);
    const step = layer && share !== undefined ? ` ${Math.floor(share * 10) * 10}%` : "";
    const line = `${label}: ${layer ? "pulling" : progress.status}${step}`;
    if (line !== lastLine) write(`${line}\n`);
    lastLine = line;
  };
}
