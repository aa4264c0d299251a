/**
 * The built-in fs server's tools: read, write, edit (exact-match replace), list, search and stat,
 * confined to the configured roots (fs-paths.ts). Only regular files are read or written —
 * devices, FIFOs and sockets are refused before anything opens them; reads and writes have size
 * limits; writes are atomic (fs-atomic-write.ts) and only offered when the server's `writes` is
 * on, inside its write roots, and never inside a `.git` directory.
 */
import type { Stats } from "node:fs";
import { mkdir, open, readdir, stat } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { z } from "zod";
import type { FsServerSettings } from "../../../config/tools-schema.js";
import { defineTool, refuse, type ServerTool, type ToolSet } from "../tool-server-kit.js";
import { writeFileAtomic } from "./fs-atomic-write.js";
import { FsRoots, kindOf, READ_FLAGS } from "./fs-paths.js";
import { searchTree } from "./fs-search.js";

const pathArgument = z
  .string()
  .min(1)
  .describe("A path inside the allowed roots; relative paths start from the first root");

export async function createFsTools(settings: FsServerSettings): Promise<ToolSet> {
  const roots = await FsRoots.open(settings.roots, settings.write_roots);
  const tools: ServerTool[] = [
    defineTool({
      name: "read",
      description: `Read a text file inside the roots (${roots.realRoots.join(", ")}). Files over ${settings.max_read_bytes} bytes need offset/length (bytes).`,
      inputSchema: z.strictObject({
        path: pathArgument,
        offset: z.number().int().min(0).optional().describe("Byte offset to start at"),
        length: z.number().int().positive().optional().describe("Bytes to read from offset"),
      }),
      run: async ({ path, offset, length }) => {
        const { real } = await roots.existing(path);
        return withRegularFile(path, real, async (handle, stats) => {
          const ranged = offset !== undefined || length !== undefined;
          if (!ranged && stats.size > settings.max_read_bytes) {
            throw refuse(
              `${path} is ${stats.size} bytes, over the read limit of ${settings.max_read_bytes} (max_read_bytes); read a range with offset and length`,
            );
          }
          const start = offset ?? 0;
          const want = Math.min(
            length ?? stats.size,
            settings.max_read_bytes,
            Math.max(0, stats.size - start),
          );
          const buffer = Buffer.alloc(want);
          const { bytesRead } = await handle.read(buffer, 0, want, start);
          const content = buffer.subarray(0, bytesRead);
          if (content.includes(0))
            throw refuse(`${path} is a binary file (${stats.size} bytes); this tool reads text`);
          return content.toString("utf8");
        });
      },
    }),
    defineTool({
      name: "list",
      description: `List a directory inside the roots: each entry's type and size. At most ${settings.max_results} entries.`,
      inputSchema: z.strictObject({ path: pathArgument.optional() }),
      run: async ({ path }) => {
        if (path === undefined && roots.realRoots.length > 1) return `Roots:\n${roots.realRoots.join("\n")}`;
        const { real, stats } = await roots.existing(path ?? ".");
        if (!stats.isDirectory()) throw refuse(`${path} is ${kindOf(stats)}, not a directory`);
        const entries = (await readdir(real, { withFileTypes: true })).sort((left, right) =>
          left.name.localeCompare(right.name),
        );
        const lines = await Promise.all(
          entries.slice(0, settings.max_results).map(async (entry) => {
            if (entry.isDirectory()) return `${entry.name}/`;
            if (entry.isFile()) {
              const size = await stat(join(real, entry.name)).then(
                (found) => found.size,
                () => 0,
              );
              return `${entry.name}  (${size} bytes)`;
            }
            return `${entry.name}  (${entry.isSymbolicLink() ? "symlink" : "special file"})`;
          }),
        );
        const more =
          entries.length > settings.max_results ? [`… ${entries.length - settings.max_results} more`] : [];
        return [`${real}:`, ...lines, ...more].join("\n");
      },
    }),
    defineTool({
      name: "search",
      description: `Find files under a directory by name glob (*.ts, src/**/*.test.ts) and/or literal text (matching lines shown). Never follows symlinks; skips .git and node_modules. At most ${settings.max_results} results.`,
      inputSchema: z
        .strictObject({
          path: pathArgument.optional().describe("The directory to search (default: the first root)"),
          glob: z.string().min(1).optional(),
          text: z.string().min(1).optional(),
        })
        .refine((args) => args.glob !== undefined || args.text !== undefined, {
          error: "give a glob, a text, or both",
        }),
      run: async ({ path, glob, text }, { signal }) => {
        const { real, stats } = await roots.existing(path ?? ".");
        if (!stats.isDirectory()) throw refuse(`${path} is ${kindOf(stats)}, not a directory`);
        const outcome = await searchTree(real, {
          ...(glob ? { glob } : {}),
          ...(text ? { text } : {}),
          maxResults: settings.max_results,
          maxFileBytes: settings.max_read_bytes,
          signal,
        });
        const notes = [
          ...(outcome.truncated ? [`(stopped at ${settings.max_results} results; narrow the search)`] : []),
          ...(outcome.skipped > 0 ? [`(${outcome.skipped} files too large or binary to search)`] : []),
        ];
        if (outcome.matches.length === 0) return ["No matches.", ...notes].join("\n");
        return [...outcome.matches, ...notes].join("\n");
      },
    }),
    defineTool({
      name: "stat",
      description: "Type, size, permissions and modification time of a path inside the roots.",
      inputSchema: z.strictObject({ path: pathArgument }),
      run: async ({ path }) => {
        const { real, stats } = await roots.existing(path);
        return JSON.stringify({
          path: real,
          type: kindOf(stats).replace(/^an? /, ""),
          size: stats.size,
          mode: `0${(stats.mode & 0o7777).toString(8)}`,
          modified: stats.mtime.toISOString(),
        });
      },
    }),
  ];
  if (settings.writes) tools.push(...writeTools(roots, settings));
  return {
    serverName: "switchyard-fs",
    tools,
    maxArgumentBytes: settings.max_argument_bytes,
    close: async () => {},
  };
}

function writeTools(roots: FsRoots, settings: FsServerSettings): ServerTool[] {
  const checkSize = (path: string, data: Buffer) => {
    if (data.length > settings.max_write_bytes)
      throw refuse(
        `Writing ${data.length} bytes to ${path} is over the write limit of ${settings.max_write_bytes} (max_write_bytes)`,
      );
  };
  const targetFor = async (path: string, createDirectories: boolean) => {
    const target = await roots.forWrite(path, createDirectories);
    // Git runs what is in .git (hooks, config such as core.fsmonitor): a model must not write there.
    if (target.real.split(sep).includes(".git"))
      throw refuse(`${path} is inside a .git directory; git's own files cannot be written with this tool`);
    if (target.exists) {
      const stats = await stat(target.real);
      if (!stats.isFile()) throw refuse(`${path} is ${kindOf(stats)}; only regular files can be written`);
    }
    return target;
  };
  return [
    defineTool({
      name: "write",
      description: `Write a whole text file inside the writable roots (replacing it if it exists), atomically. At most ${settings.max_write_bytes} bytes.`,
      inputSchema: z.strictObject({
        path: pathArgument,
        content: z.string(),
        create_directories: z.boolean().default(false).describe("Make missing parent directories"),
      }),
      writes: true,
      run: async ({ path, content, create_directories }) => {
        const data = Buffer.from(content, "utf8");
        checkSize(path, data);
        const target = await targetFor(path, create_directories);
        if (create_directories) await mkdir(dirname(target.real), { recursive: true });
        await writeFileAtomic(target.real, data);
        return `Wrote ${data.length} bytes to ${target.real}${target.exists ? "" : " (new file)"}`;
      },
    }),
    defineTool({
      name: "edit",
      description:
        "Replace exact text in a file inside the writable roots. old_text must match exactly once (whitespace included) unless replace_all; the file is rewritten atomically.",
      inputSchema: z.strictObject({
        path: pathArgument,
        old_text: z.string().min(1),
        new_text: z.string(),
        replace_all: z.boolean().default(false),
      }),
      writes: true,
      run: async ({ path, old_text, new_text, replace_all }) => {
        const target = await targetFor(path, false);
        if (!target.exists) throw refuse(`${path} does not exist; use write to create it`);
        const original = await withRegularFile(path, target.real, async (handle, stats) => {
          if (stats.size > settings.max_read_bytes)
            throw refuse(
              `${path} is ${stats.size} bytes, over the read limit of ${settings.max_read_bytes} (max_read_bytes)`,
            );
          return (await handle.readFile()).toString("utf8");
        });
        const count = original.split(old_text).length - 1;
        if (count === 0)
          throw refuse(
            `old_text was not found in ${path}; read the file and copy the text exactly, whitespace included`,
          );
        if (count > 1 && !replace_all)
          throw refuse(
            `old_text occurs ${count} times in ${path}; include more surrounding text to make it unique, or set replace_all`,
          );
        const data = Buffer.from(original.split(old_text).join(new_text), "utf8");
        checkSize(path, data);
        await writeFileAtomic(target.real, data);
        return `Replaced ${count} occurrence${count > 1 ? "s" : ""} in ${target.real}`;
      },
    }),
  ];
}

/** Opens a path for reading and insists, on the opened file itself, that it is a regular file. */
async function withRegularFile<T>(
  shown: string,
  real: string,
  use: (handle: Awaited<ReturnType<typeof open>>, stats: Stats) => Promise<T>,
): Promise<T> {
  const before = await stat(real);
  if (!before.isFile()) throw refuse(`${shown} is ${kindOf(before)}; only regular files can be read`);
  const handle = await open(real, READ_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.ino !== before.ino || stats.dev !== before.dev)
      throw refuse(`${shown} changed while it was being opened; try again`);
    return await use(handle, stats);
  } finally {
    await handle.close();
  }
}
