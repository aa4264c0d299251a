/**
 * Confinement for the fs server: every path a tool touches is resolved, then resolved again
 * through the file system (realpath, so symlinks count where they lead), and must land inside a
 * configured root — inside a write root for writes. A path is first checked as written, so a path
 * outside the roots is refused without the file system saying whether it exists there.
 *
 * What this cannot close: a directory inside a root swapped for a symlink between our check and
 * the open (Node has no openat2/RESOLVE_BENEATH). Opens use O_NOFOLLOW on the last component and
 * the opened file is checked again (fstat), which narrows that window to the parent directories.
 */
import { constants, type Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SwitchyardError } from "../../../errors/switchyard-error.js";
import { refuse } from "../tool-server-kit.js";

/** A configured directory: as written (resolved) and where it really is. */
interface Root {
  configured: string;
  real: string;
}

export interface ResolvedPath {
  /** The real path (symlinks resolved). */
  real: string;
  stats: Stats;
}

/** Opening flags for reads: never follow a last-component symlink, never block on a FIFO. */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export class FsRoots {
  private constructor(
    private readonly roots: Root[],
    private readonly writeRoots: Root[],
  ) {}

  /** Checks that every root exists and is a directory, and that write roots lie inside roots. */
  static async open(roots: readonly string[], writeRoots: readonly string[] | undefined): Promise<FsRoots> {
    const resolveRoot = async (path: string, key: string): Promise<Root> => {
      const configured = resolve(path);
      let real: string;
      try {
        real = await realpath(configured);
      } catch {
        throw new SwitchyardError(
          "invalid-request",
          `${key} ${path} does not exist; create it or fix the path`,
        );
      }
      if (!(await stat(real)).isDirectory())
        throw new SwitchyardError("invalid-request", `${key} ${path} is not a directory`);
      return { configured, real };
    };
    const resolvedRoots = await Promise.all(roots.map((root) => resolveRoot(root, "fs root")));
    const resolvedWriteRoots = writeRoots
      ? await Promise.all(writeRoots.map((root) => resolveRoot(root, "fs write root")))
      : resolvedRoots;
    for (const writeRoot of resolvedWriteRoots) {
      if (!resolvedRoots.some((root) => isInside(writeRoot.real, root.real))) {
        throw new SwitchyardError(
          "invalid-request",
          `fs write root ${writeRoot.configured} is not inside any of the roots (${roots.join(", ")})`,
        );
      }
    }
    return new FsRoots(resolvedRoots, resolvedWriteRoots);
  }

  /** The roots, for messages and for listing. */
  get realRoots(): string[] {
    return this.roots.map((root) => root.real);
  }

  /** A path as a tool was given it: relative paths are taken from the first root. */
  lexical(path: string): string {
    if (path.includes("\0")) throw refuse(`The path ${JSON.stringify(path)} contains a NUL byte`);
    return resolve(this.roots[0]!.real, path);
  }

  /** An existing path inside the roots, with its stats (symlinks followed, and checked). */
  async existing(path: string): Promise<ResolvedPath> {
    const lexical = this.lexical(path);
    this.requireLexicallyInside(path, lexical, this.roots);
    const real = await this.realOf(path, lexical);
    this.requireReallyInside(path, real, this.roots);
    return { real, stats: await stat(real) };
  }

  /**
   * Where a write to `path` lands: the real path of the file (a symlink inside the write roots is
   * followed) and whether it exists. The parent must exist unless `createDirectories`, in which
   * case its nearest existing ancestor must be inside a write root.
   */
  async forWrite(path: string, createDirectories: boolean): Promise<{ real: string; exists: boolean }> {
    const lexical = this.lexical(path);
    this.requireLexicallyInside(path, lexical, this.writeRoots, "writable ");
    const name = basename(lexical);
    let parent = dirname(lexical);
    const missing: string[] = [];
    for (;;) {
      try {
        parent = await realpath(parent);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        if (!createDirectories)
          throw refuse(`The directory ${dirname(lexical)} does not exist; set create_directories to make it`);
        missing.unshift(basename(parent));
        parent = dirname(parent);
      }
    }
    this.requireReallyInside(path, parent, this.writeRoots, "writable ");
    if (!(await stat(parent)).isDirectory()) throw refuse(`${dirname(lexical)} is not a directory`);
    const target = join(parent, ...missing, name);
    if (missing.length > 0) return { real: target, exists: false };
    try {
      const real = await realpath(target);
      this.requireReallyInside(path, real, this.writeRoots, "writable ");
      return { real, exists: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { real: target, exists: false };
      throw error;
    }
  }

  private requireLexicallyInside(path: string, lexical: string, roots: Root[], kind = ""): void {
    if (roots.some((root) => isInside(lexical, root.configured) || isInside(lexical, root.real))) return;
    throw refuse(
      `${JSON.stringify(path)} is outside the ${kind}roots; use a path inside ${roots.map((root) => root.real).join(", ")}`,
    );
  }

  private requireReallyInside(path: string, real: string, roots: Root[], kind = ""): void {
    if (roots.some((root) => isInside(real, root.real))) return;
    throw refuse(
      `${JSON.stringify(path)} resolves (through a symlink) to ${real}, outside the ${kind}roots ${roots.map((root) => root.real).join(", ")}`,
    );
  }

  private async realOf(path: string, lexical: string): Promise<string> {
    try {
      return await realpath(lexical);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw refuse(`${JSON.stringify(path)} does not exist`);
      if (code === "ELOOP") throw refuse(`${JSON.stringify(path)} is a symlink loop`);
      if (code === "EACCES") throw refuse(`${JSON.stringify(path)} is not readable (permission denied)`);
      throw error;
    }
  }
}

export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  const fromRoot = relative(root, path);
  return fromRoot !== "" && !fromRoot.startsWith(`..${sep}`) && fromRoot !== ".." && !isAbsolute(fromRoot);
}

/** What a non-regular file is, for refusals: "a FIFO (named pipe)", "a character device", … */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  if (stats.isSymbolicLink()) return "a symlink";
  return stats.isFile() ? "a file" : "a special file";
}
