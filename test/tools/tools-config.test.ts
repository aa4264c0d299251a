/**
 * The `tools:` config section: what it accepts, the errors that say how to fix a bad entry,
 * secrets redacted by `config print`, how entries become what the hub starts, tool-name patterns,
 * and the built-in tool names the config checks against matching the servers' real tools.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfigText } from "../../src/config/config-load.js";
import { redactedConfigYaml } from "../../src/config/config-redact.js";
import { BUILTIN_TOOLS, type BuiltinServerKind } from "../../src/config/tools-schema.js";
import { createBuiltinTools, parseBuiltinSettings } from "../../src/tools/servers/builtin-tool-servers.js";
import { argumentsDigest } from "../../src/tools/tool-audit.js";
import { isAllowed, parsePatterns, splitToolName } from "../../src/tools/tool-patterns.js";
import { BUILTIN_SETTINGS_VARIABLE, toolServerSpecs } from "../../src/tools/tool-server-specs.js";

const parse = (yaml: string) => parseConfigText(yaml, "test.yaml", { TICKETS_TOKEN: "tk-secret-123" });

function problems(yaml: string): string[] {
  try {
    parse(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("tools config", () => {
  it("defaults to no servers, with the hub's limits", () => {
    expect(parse("").tools).toEqual({
      call_timeout_ms: 60_000,
      start_timeout_ms: 30_000,
      max_result_chars: 100_000,
      restart: { initial_delay_ms: 500, max_delay_ms: 30_000, max_attempts: 5 },
      servers: {},
      tasks: {},
      loop: { max_steps: 8, timeout_ms: 600_000 },
    });
  });

  it("reads each kind of server, filling in the defaults", () => {
    const { servers } = parse(`
tools:
  servers:
    fs: { builtin: fs, roots: [/srv/app], allow: [read] }
    git: { builtin: git, repositories: { app: /srv/app }, writes: true, allow: ["*", commit] }
    tickets: { command: npx, args: [-y, tickets-mcp], env: { TOKEN: "\${TICKETS_TOKEN}" }, allow: [search] }
    docs: { url: "http://127.0.0.1:3000/mcp", headers: { Authorization: "Bearer x" } }
`).tools;
    expect(servers.fs).toMatchObject({
      builtin: "fs",
      writes: false,
      max_read_bytes: 1_048_576,
      allow: ["read"],
    });
    expect(servers.git).toMatchObject({ branch_prefix: "switchyard/", writes: true, allow: ["*", "commit"] });
    expect(servers.tickets).toEqual({
      command: "npx",
      args: ["-y", "tickets-mcp"],
      env: { TOKEN: "tk-secret-123" },
      allow: ["search"],
    });
    expect(servers.docs).toEqual({
      url: "http://127.0.0.1:3000/mcp",
      headers: { Authorization: "Bearer x" },
      allow: [],
    });
  });

  it("names the key and the fix for each bad entry", () => {
    expect(
      problems(`
tools:
  servers:
    fs: { builtin: fs, roots: [], allow: [read] }
    git: { builtin: gti }
    nothing: { allow: ["*"] }
    web: { url: "ftp://example.com" }
    db: { builtin: db, databases: {}, extra: 1 }
`),
    ).toEqual([
      "tools.servers.fs.roots must list at least one directory, e.g. [/home/me/src/app]; got []",
      'tools.servers.git.builtin must be one of: git, fs, db; got "gti"',
      'tools.servers.nothing must say how to reach the server: builtin: git|fs|db, command: <program>, or url: http://…; got {"allow":["*"]}',
      'tools.servers.web.url must be an http:// or https:// URL, e.g. http://127.0.0.1:3000/mcp; got "ftp://example.com"',
      "tools.servers.db.databases must name at least one database, e.g. { ledger: /var/lib/app/app.db }; got {}",
      'tools.servers.db: unknown key "extra"; check the spelling (see switchyard config init for every key)',
    ]);
    expect(
      problems("tools:\n  servers:\n    fs: { builtin: fs, roots: [/srv], allow: [raed, write] }\n"),
    ).toEqual([
      'tools.servers.fs.allow.0 is not a fs tool; use "*" or some of: read, write, edit, list, search, stat; got "raed"',
      'tools.servers.fs.allow.1 writes; set writes: true on this server to allow it, or take it off the list; got "write"',
    ]);
    expect(problems("tools:\n  servers:\n    x.y: { command: ls }\n")).toEqual([
      'tools.servers.x.y is not a usable server name: use lower-case letters, digits, - and _ (no dots: tools are named <server>.<tool>); got {"command":"ls"}',
    ]);
  });

  it("keeps secrets out of the error for an entry it shows whole", () => {
    const [problem] = problems(`
tools:
  servers:
    tickets: { comand: npx, env: { TOKEN: "\${TICKETS_TOKEN}" }, headers: { X-Key: hunter2 } }
`);
    expect(problem).toBe(
      'tools.servers.tickets must say how to reach the server: builtin: git|fs|db, command: <program>, or url: http://…; got {"comand":"npx","env":{"TOKEN":"[redacted]"},"headers":{"X-Key":"[redacted]"}}',
    );
  });

  it("redacts env and header values and database passwords in config print", () => {
    const printed = redactedConfigYaml(
      parse(`
tools:
  servers:
    tickets: { command: npx, env: { TOKEN: "\${TICKETS_TOKEN}", REGION: eu }, allow: [search] }
    docs: { url: "http://127.0.0.1:3000/mcp", headers: { X-Api: hunter2 } }
    db: { builtin: db, databases: { main: "postgres://reader:pa55word@db.local/app" } }
`),
    );
    expect(printed).not.toContain("tk-secret-123");
    expect(printed).not.toContain("hunter2");
    expect(printed).not.toContain("pa55word");
    expect(printed).toContain('TOKEN: "[redacted]"');
    expect(printed).toContain('X-Api: "[redacted]"');
    expect(printed).toContain("postgres://reader:[redacted]@db.local/app");
  });

  it("maps entries to what the hub starts: built-ins as this program, settings in the environment", () => {
    const config = parse(`
tools:
  servers:
    fs: { builtin: fs, roots: [/srv/app], allow: [read] }
    tickets: { command: npx, args: [tickets-mcp], env: { TOKEN: t }, cwd: /srv, allow: [search] }
    docs: { url: "http://127.0.0.1:3000/mcp", headers: { A: b }, allow: ["*"] }
`);
    const [fs, tickets, docs] = toolServerSpecs(config.tools, {
      command: "/usr/bin/node",
      args: ["/opt/switchyard/bin/switchyard.js"],
    });
    expect(fs).toMatchObject({
      name: "fs",
      allow: ["read"],
      builtin: "fs",
      transport: {
        kind: "stdio",
        command: "/usr/bin/node",
        args: ["/opt/switchyard/bin/switchyard.js", "mcp-server", "fs"],
      },
    });
    const settings = JSON.parse(
      (fs!.transport as { env: Record<string, string> }).env[BUILTIN_SETTINGS_VARIABLE]!,
    );
    expect(settings).toMatchObject({ builtin: "fs", roots: ["/srv/app"] });
    expect(settings).not.toHaveProperty("allow");
    expect(tickets!.transport).toEqual({
      kind: "stdio",
      command: "npx",
      args: ["tickets-mcp"],
      env: { TOKEN: "t" },
      cwd: "/srv",
    });
    expect(docs!.transport).toEqual({ kind: "http", url: "http://127.0.0.1:3000/mcp", headers: { A: "b" } });
  });

  it("lists every built-in server's tools in the config, and marks exactly its write tools", async () => {
    const directory = mkdtempSync(`${tmpdir()}/switchyard-names-`);
    const base = {
      git: { repositories: { here: process.cwd() }, writes: true },
      fs: { roots: [directory], writes: true },
      db: { databases: { x: `${directory}/x.db` } },
    };
    for (const kind of Object.keys(BUILTIN_TOOLS) as BuiltinServerKind[]) {
      const tools = await createBuiltinTools(parseBuiltinSettings(kind, { builtin: kind, ...base[kind] }));
      expect(tools.tools.map((tool) => tool.name).sort(), kind).toEqual(
        [...BUILTIN_TOOLS[kind].tools].sort(),
      );
      expect(
        tools.tools
          .filter((tool) => tool.writes)
          .map((tool) => tool.name)
          .sort(),
        kind,
      ).toEqual([...BUILTIN_TOOLS[kind].writes].sort());
      await tools.close();
    }
  });
});

describe("tool names and patterns", () => {
  it("splits at the first dot", () => {
    expect(splitToolName("git.status")).toEqual({ server: "git", tool: "status" });
    expect(splitToolName("docs.search.v2")).toEqual({ server: "docs", tool: "search.v2" });
    expect(splitToolName("status")).toBeUndefined();
    expect(splitToolName(".x")).toBeUndefined();
  });

  it("matches patterns and allow-lists", () => {
    const [all, server, bare, glob, exact] = parsePatterns(" *, git.*, fs ,git.worktree_*, db.query,, ");
    expect(parsePatterns(["a.b", "c.d,e.f"]).map((pattern) => pattern.text)).toEqual(["a.b", "c.d", "e.f"]);
    expect([all!.server, server!.server, bare!.server, glob!.server, exact!.server]).toEqual([
      undefined,
      "git",
      "fs",
      "git",
      "db",
    ]);
    expect(bare!.matchesTool("anything")).toBe(true);
    expect(glob!.matchesTool("worktree_add")).toBe(true);
    expect(glob!.matchesTool("status")).toBe(false);
    expect(exact!.matchesTool("query")).toBe(true);
    expect(exact!.matchesTool("query2")).toBe(false);
    expect(isAllowed(["*"], "x")).toBe(true);
    expect(isAllowed(["read"], "write")).toBe(false);
    expect(isAllowed([], "read")).toBe(false);
  });

  it("digests arguments by their canonical JSON", () => {
    expect(argumentsDigest({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      argumentsDigest('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}'),
    );
    expect(argumentsDigest({ a: 1 })).not.toBe(argumentsDigest({ a: 2 }));
  });
});
