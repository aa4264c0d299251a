/**
 * A workflow run and the runs service's warm spare tool servers: a bug hunt's hub takes the fs
 * spare that was waiting (its process is the one that served the run, and stops with the run),
 * the service starts another (a second after the handover), the git spare no run needed stays as it was, and closing the service
 * stops every spare. Real processes (`mcp-server` from the sources); every wait is on an event.
 */
import { afterAll, describe, expect, it } from "vitest";
import { processGone } from "../helpers/process-gone.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { answerByTask, makeRepository, openRuns, WORKFLOW_CONFIG } from "../helpers/workflow-harness.js";

describe("a workflow run and the warm spares", { timeout: 120_000 }, () => {
  let spine: Spine | undefined;
  afterAll(() => spine?.close());

  it("takes the ready fs spare for a bug hunt, replaces it, and stops the spares when the service closes", async () => {
    spine = await startSpine(WORKFLOW_CONFIG, { engine: answerByTask(), openRouter: answerByTask() });
    const runs = await openRuns(spine.runtime);
    let closed = false;
    try {
      // A Brain that has been up a while: its spares have loaded.
      await runs.spares.whenAllReady();
      const [fsSpare] = runs.spares.pids("fs");
      const gitSpares = runs.spares.pids("git");
      expect(fsSpare).toBeTypeOf("number");
      expect(gitSpares).toHaveLength(1);

      const repo = makeRepository({ "src/a/index.mjs": "export const a = (n) => n == 1;\n" });
      const run = await runs.start("bughunt", { repo });
      const done = await runs.halted(run.id);
      expect(done.status).toBe("done");
      // The plan listed the repository through the spare: it was taken (no longer waiting) and its
      // process ended with the run's hub, which closes only servers it started or took.
      expect(runs.spares.pids("fs")).not.toContain(fsSpare);
      expect(processGone(fsSpare!)).toBe(true);
      // The replacement starts a second after the handover, clear of the run's start.
      await runs.spares.whenAllReady();
      const [replacement] = runs.spares.pids("fs");
      expect(replacement).toBeTypeOf("number");
      expect(runs.spares.pids("git")).toEqual(gitSpares);

      await runs.close();
      closed = true;
      for (const pid of [replacement!, ...gitSpares]) expect(processGone(pid)).toBe(true);
    } finally {
      if (!closed) await runs.close();
    }
  });
});
