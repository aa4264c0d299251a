import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The two leave-one-author-out files train a model per author (a quarter of an hour of one core
 * each) and are the smallest files, so the default order (largest first, on a fresh clone) ran
 * them last. Vitest runs one file less than the cores at a time: on two cores (CI) one file at a
 * time, and the order changes nothing; with three cores or more, started first, the two run side
 * by side while the rest queue.
 */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isSlowest = (file: TestSpecification) => file.moduleId.includes("leave-one-author-out-");
    return [...sorted.filter(isSlowest), ...sorted.filter((file) => !isSlowest(file))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    sequence: { sequencer: SlowestFirst },
  },
});
