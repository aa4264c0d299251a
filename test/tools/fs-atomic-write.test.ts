/**
 * Atomic writes survive a kill: a process killed (SIGKILL) while its temporary file is half
 * written leaves the target exactly as it was; one that finishes replaces it whole.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";

const MIB = 1024 * 1024;

function writer(target: string, mode: "pause" | "finish", bytes: number) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/tools/atomic-write-child.ts", target, mode, String(bytes)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  const firstLine = new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once("line", resolve),
  );
  return { child, exited, firstLine };
}

describe("writeFileAtomic", () => {
  it("leaves the old content when the writer is killed mid-write, and the new content when it finishes", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-atomic-"));
    const target = join(directory, "data.txt");
    writeFileSync(target, "old content\n");

    const killed = writer(target, "pause", 4 * MIB);
    const [, written, temporary] = (await killed.firstLine).split(" ");
    expect(Number(written)).toBe(MIB);
    expect(statSync(temporary!).size).toBe(MIB);
    killed.child.kill("SIGKILL");
    expect(await killed.exited).toBe("SIGKILL");
    expect(readFileSync(target, "utf8")).toBe("old content\n");
    // The half-written temporary file is what a kill leaves behind, never a half-written target.
    expect(readdirSync(directory).sort()).toEqual([temporary!.split("/").at(-1), "data.txt"].sort());

    const finished = writer(target, "finish", 4 * MIB);
    expect(await finished.firstLine).toBe("done");
    expect(await finished.exited).toBe(0);
    const content = readFileSync(target);
    expect(content.length).toBe(4 * MIB);
    expect(content.every((byte) => byte === "n".charCodeAt(0))).toBe(true);
  }, 60_000);
});
