/**
 * A process that writes a file with writeFileAtomic, for the kill-mid-write test: with "pause" it
 * says where its temporary file is once the first chunk is on disk, then waits to be killed.
 * Arguments: <target> <pause|finish> <bytes>.
 */
import { writeFileAtomic } from "../../src/tools/servers/fs/fs-atomic-write.js";

const [target, mode, size] = process.argv.slice(2);
await writeFileAtomic(target!, Buffer.alloc(Number(size), "n"), {
  chunkBytes: 1024 * 1024,
  onProgress: async (written, temporary) => {
    if (mode !== "pause") return;
    process.stdout.write(`mid-write ${written} ${temporary}\n`);
    await new Promise(() => {});
  },
});
process.stdout.write("done\n");
