import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The two leave-one-author-out files train a model per author (twenty to twenty-five minutes of
 * one core each) and are the smallest files, so the default order (largest first, on a fresh
 * clone) ran them last. Started first, they run side by side while the rest queue, then share the
 * cores with the rest as each half finishes.
 */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isSlowest = (file: TestSpecification) => file.moduleId.includes("leave-one-author-out-");
    return [...sorted.filter(isSlowest), ...sorted.filter((file) => !isSlowest(file))];
  }
}

/**
 * Vitest runs one file less than the cores at a time: on a 2-core machine (CI) one file, so the two
 * halves ran one after the other, three quarters of an hour in all, with a core idle. Two at
 * least: each half has a core, and the rest of the suite then runs two files at a time. The tests
 * wait on events, never on the clock: the suite passed with two more CPU-bound processes beside it.
 */
const FILES_AT_ONCE = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: FILES_AT_ONCE,
    sequence: { sequencer: SlowestFirst },
  },
});
