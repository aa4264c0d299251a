/**
 * The layering, checked on every test run: `src/` has no import cycles (between files or between
 * folders), and each folder imports only from the layers below it. The core (everything up to
 * `core/`) never imports a front door (HTTP server, CLI) or offline planning code.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/**
 * Lower layers first. A folder may import its own files and any folder on a lower layer; folders
 * on the same layer may not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["errors", "version.ts", "process-alive.ts"],
  ["protocol"],
  ["config"],
  ["store", "backends", "tools"],
  ["engines"],
  ["routing", "budget"],
  ["dispatch"],
  ["escalation"],
  ["core"],
  ["workflows"],
  ["planning"],
  ["setup", "dashboard"],
  ["mcp"],
  ["gateway"],
  ["demo"],
  ["cli"],
];

interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function importEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const specifier =
    /(?:^|\s)(?:import|export)\b[^"'`;]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(specifier)) {
      const target = resolve(dirname(file), (match[1] ?? match[2])!.replace(/\.js$/, ".ts"));
      // Import lines inside template strings (sample repositories, eval fixtures) name files
      // that do not exist under src/; tsc checks the real ones, so only those are edges.
      if (!existsSync(target)) continue;
      edges.push({ from: relative(SRC, file), to: relative(SRC, target) });
    }
  }
  return edges;
}

const folderOf = (path: string) => path.split("/")[0]!;

function layerOf(folder: string): number {
  const layer = LAYERS.findIndex((names) => names.includes(folder));
  if (layer === -1)
    throw new Error(`src/${folder} is on no layer: add it to LAYERS in ${import.meta.filename}`);
  return layer;
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe("the import graph of src/", () => {
  const edges = importEdges();

  it("is read (a sanity check on the parser)", () => {
    expect(edges.length).toBeGreaterThan(300);
  });

  it("has no cycle between files", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("has no cycle between folders", () => {
    const folderEdges = edges
      .map(({ from, to }) => ({ from: folderOf(from), to: folderOf(to) }))
      .filter(({ from, to }) => from !== to);
    expect(cycles(folderEdges)).toEqual([]);
  });

  it("imports only downward: the core never reaches a front door or planning", () => {
    const upward = edges
      .filter(({ from, to }) => folderOf(from) !== folderOf(to))
      .filter(({ from, to }) => layerOf(folderOf(to)) >= layerOf(folderOf(from)))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(upward).toEqual([]);
  });
});
