/**
 * The log rotation job, run as launchd would run it: the ProgramArguments of the generated plist,
 * executed with /bin/sh, against a log a writer keeps open for appending the way launchd opens a
 * service's StandardOutPath. After a rotation the writer's next line lands at the start of the
 * emptied file, the old lines are in .1, and only `keep` copies are kept.
 */
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { launchdJobPlist, plistXml } from "../../src/setup/service-launchd.js";
import { logRotationJob } from "../../src/setup/service-log-rotation.js";
import { readPlist } from "../helpers/plist-reader.js";

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "switchyard-rotation-"));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** Runs the job's ProgramArguments, read back from its plist. */
function runJob(logPaths: string[], options: { maxBytes: number; keep: number }) {
  const job = logRotationJob("com.switchyard.test.log-rotation", logPaths, options);
  const plist = readPlist(plistXml(launchdJobPlist(job))) as { ProgramArguments: string[] };
  const [program, ...args] = plist.ProgramArguments;
  execFileSync(program!, args, { stdio: "pipe" });
}

describe("copy-and-truncate log rotation", () => {
  it("rotates a file past the limit while its writer keeps appending to the same open file", () => {
    const log = join(directory, "brain.log");
    // O_APPEND, as launchd opens StandardOutPath.
    const writer = openSync(log, "a");
    try {
      writeSync(writer, `${"old line\n".repeat(20)}`);
      runJob([log], { maxBytes: 100, keep: 3 });
      expect(readFileSync(`${log}.1`, "utf8")).toBe("old line\n".repeat(20));
      expect(statSync(log).size).toBe(0);

      writeSync(writer, "new line\n");
      // At the start of the emptied file: no hole of zero bytes where the old content was.
      expect(readFileSync(log, "utf8")).toBe("new line\n");
    } finally {
      closeSync(writer);
    }
  });

  it("leaves a file under the limit alone, skips missing files, and keeps only `keep` copies", () => {
    const small = join(directory, "small.log");
    const missing = join(directory, "missing.log");
    const big = join(directory, "big.log");
    const writer = openSync(big, "a");
    const smallWriter = openSync(small, "a");
    try {
      writeSync(smallWriter, "short\n");
      for (const generation of [1, 2, 3, 4]) {
        writeSync(writer, `generation ${generation}\n`.repeat(10));
        runJob([small, missing, big], { maxBytes: 50, keep: 2 });
      }
      expect(readFileSync(small, "utf8")).toBe("short\n");
      expect(existsSync(`${small}.1`)).toBe(false);
      expect(existsSync(missing)).toBe(false);
      expect(readFileSync(`${big}.1`, "utf8")).toBe("generation 4\n".repeat(10));
      expect(readFileSync(`${big}.2`, "utf8")).toBe("generation 3\n".repeat(10));
      expect(existsSync(`${big}.3`)).toBe(false);
    } finally {
      closeSync(writer);
      closeSync(smallWriter);
    }
  });

  it("copes with paths holding spaces and quotes (they are arguments, never spliced into the script)", () => {
    const log = join(directory, "Application Support", "it's a log.txt");
    mkdirSync(join(directory, "Application Support"));
    const writer = openSync(log, "a");
    try {
      writeSync(writer, "x".repeat(200));
      runJob([log], { maxBytes: 10, keep: 5 });
      expect(readFileSync(`${log}.1`, "utf8")).toBe("x".repeat(200));
      expect(statSync(log).size).toBe(0);
    } finally {
      closeSync(writer);
    }
  });
});
