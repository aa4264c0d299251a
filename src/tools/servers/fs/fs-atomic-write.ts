/**
 * Writing a file so that a reader — or a crash — sees the old content or the new, never part of
 * it: the data goes to a temporary file in the same directory (same file system, so the rename is
 * atomic), is flushed to disk, and is renamed over the target; the directory is flushed too, so
 * the rename itself survives a power cut. A failed write removes its temporary file; a killed
 * process leaves one behind (named `.<name>.<random>.tmp`), never a half-written target.
 */
import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Bytes per write call (default 1 MiB). */
  chunkBytes?: number;
  /** Called after each chunk reaches the temporary file, with the bytes written so far. */
  onProgress?: (bytesWritten: number, temporaryPath: string) => void | Promise<void>;
}

export async function writeFileAtomic(
  target: string,
  data: Buffer,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const directory = dirname(target);
  const temporary = join(directory, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  // Keep an existing file's permissions; a new one gets the usual 0666 less the umask.
  const mode = await stat(target).then(
    (stats) => stats.mode & 0o7777,
    () => undefined,
  );
  const handle = await open(temporary, "wx", 0o666);
  try {
    if (mode !== undefined) await handle.chmod(mode);
    const chunkBytes = options.chunkBytes ?? 1024 * 1024;
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, Math.min(chunkBytes, data.length - written));
      written += bytesWritten;
      await options.onProgress?.(written, temporary);
    }
    await handle.sync();
    await handle.close();
    await rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r").catch(() => undefined);
  if (!handle) return;
  // Some file systems refuse fsync on a directory; the rename has happened either way.
  await handle.sync().catch(() => {});
  await handle.close();
}
