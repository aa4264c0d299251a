/**
 * A warm spare's rehearsal (src/tools/servers/spare-rehearsal.ts): the fs kind answers the
 * handshake, the listing and the calls a run makes first, over a scratch directory that is gone
 * afterwards, and sweeps away the scratch left by spares that died mid-rehearsal; git stops at the
 * handshake and the listing; a kind without one does nothing; and a
 * rehearsal that cannot even make its scratch directory resolves with the problem, never throws.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rehearseSpare } from "../../src/tools/servers/spare-rehearsal.js";

describe("a warm spare's rehearsal", () => {
  const originalTmp = process.env.TMPDIR;
  let scratchParent: string;

  beforeEach(() => {
    scratchParent = mkdtempSync(join(tmpdir(), "switchyard-rehearsal-test-"));
    process.env.TMPDIR = scratchParent;
  });
  afterEach(() => {
    if (originalTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = originalTmp;
    rmSync(scratchParent, { recursive: true, force: true });
  });

  it("fs: answers the handshake, the listing, a search and a read, and leaves no scratch directory", async () => {
    const outcome = await rehearseSpare("fs");
    expect(outcome).toEqual({
      answered: ["initialize", "tools/list", "tools/call search", "tools/call read"],
      problems: [],
    });
    expect(readdirSync(scratchParent)).toEqual([]);
  });

  it("git: stops at the handshake and the listing", async () => {
    const outcome = await rehearseSpare("git");
    expect(outcome).toEqual({ answered: ["initialize", "tools/list"], problems: [] });
    expect(readdirSync(scratchParent)).toEqual([]);
  });

  it("removes the scratch directories of spares that are gone, and keeps those of live ones", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const orphan = join(scratchParent, `switchyard-spare-fs-${gone}-abc123`);
    const live = join(scratchParent, `switchyard-spare-git-${process.pid}-def456`);
    for (const directory of [orphan, live]) {
      mkdirSync(join(directory, "src"), { recursive: true });
      writeFileSync(join(directory, "src", "a.txt"), "left behind\n");
    }
    expect((await rehearseSpare("fs")).problems).toEqual([]);
    expect(readdirSync(scratchParent)).toEqual([`switchyard-spare-git-${process.pid}-def456`]);
  });

  it("db: has no rehearsal", async () => {
    expect(await rehearseSpare("db")).toEqual({ answered: [], problems: [] });
  });

  it("resolves with the problem when its scratch directory cannot be made", async () => {
    process.env.TMPDIR = join(scratchParent, "missing");
    const outcome = await rehearseSpare("fs");
    expect(outcome.answered).toEqual([]);
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems[0]).toContain("missing");
  });
});
