/**
 * The Engine's and the Brain's service files, planned and written into a temporary HOME the way
 * `switchyard setup` writes them: plists read back with a strict plist reader and checked key by
 * key, the systemd unit checked (and verified by systemd-analyze where it exists), the token file
 * private, a second run changing nothing, a changed file backed up, a dry run writing nothing.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { launchdJobPlist, plistXml } from "../../src/setup/service-launchd.js";
import { quoteArgument } from "../../src/setup/service-systemd.js";
import { type BrainSetupInput, brainSetupPlan } from "../../src/setup/setup-brain.js";
import { engineServiceEnvironmentDefaults, engineSetupPlan } from "../../src/setup/setup-engine.js";
import { applyPlannedFiles, ensureDirectories } from "../../src/setup/setup-files.js";
import type { SetupPlan } from "../../src/setup/setup-plan.js";
import { readPlist } from "../helpers/plist-reader.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "switchyard-setup-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const now = new Date(Date.UTC(2026, 10, 5, 9, 3, 7));

function apply(plan: SetupPlan, dryRun = false) {
  ensureDirectories(plan.directories, { dryRun });
  return applyPlannedFiles(plan.files, { dryRun, now });
}

function plist(path: string): Record<string, unknown> {
  const value = readPlist(readFileSync(path, "utf8"));
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

const mode = (path: string) => statSync(path).mode & 0o777;

function brainInput(overrides: Partial<BrainSetupInput> = {}): BrainSetupInput {
  return {
    home,
    platform: "darwin",
    nodePath: "/opt/homebrew/bin/node",
    switchyardPath: "/Users/michael/switchyard/bin/switchyard.js",
    configPath: "/Users/michael/switchyard/switchyard.yaml",
    workingDirectory: "/Users/michael/switchyard & co",
    host: "0.0.0.0",
    port: 8787,
    tokenPath: join(home, "Library", "Application Support", "Switchyard", "brain-token"),
    newToken: "first-token-0123456789",
    shutdownGraceSeconds: 30,
    inheritedEnvironment: {},
    ...overrides,
  };
}

describe("the Engine's launchd agent", () => {
  it("runs ollama serve at load with the Engine's environment, kept alive, logging to a rotated file", () => {
    const environment = engineServiceEnvironmentDefaults({ slots: 4 });
    const plan = engineSetupPlan({
      home,
      platform: "darwin",
      ollamaPath: "/usr/local/bin/ollama",
      environment,
    });
    const outcomes = apply(plan);
    expect(outcomes.map((outcome) => outcome.action)).toEqual(["create", "create"]);

    const agentPath = join(home, "Library", "LaunchAgents", "com.switchyard.engine.plist");
    const agent = plist(agentPath);
    const logPath = join(home, "Library", "Logs", "Switchyard", "ollama.log");
    expect(agent).toMatchObject({
      Label: "com.switchyard.engine",
      ProgramArguments: ["/usr/local/bin/ollama", "serve"],
      EnvironmentVariables: {
        OLLAMA_HOST: "0.0.0.0",
        OLLAMA_NUM_PARALLEL: "4",
        OLLAMA_MAX_LOADED_MODELS: "2",
        OLLAMA_KEEP_ALIVE: "-1",
        OLLAMA_KV_CACHE_TYPE: "q8_0",
        OLLAMA_FLASH_ATTENTION: "1",
      },
      RunAtLoad: true,
      KeepAlive: true,
      StandardOutPath: logPath,
      StandardErrorPath: logPath,
    });
    expect(mode(agentPath)).toBe(0o644);
    // launchd opens the log but does not make its folder.
    expect(existsSync(join(home, "Library", "Logs", "Switchyard"))).toBe(true);

    const rotation = plist(join(home, "Library", "LaunchAgents", "com.switchyard.engine.log-rotation.plist"));
    expect(rotation).toMatchObject({
      Label: "com.switchyard.engine.log-rotation",
      StartInterval: 3600,
      RunAtLoad: true,
    });
    expect(rotation.KeepAlive).toBeUndefined();
    const argumentsOfRotation = rotation.ProgramArguments as string[];
    expect(argumentsOfRotation.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(argumentsOfRotation.at(-1)).toBe(logPath);

    // The steps that stay manual say how to load it and what to click.
    const steps = plan.manualSteps.map((step) => [step.title, ...step.lines].join("\n")).join("\n");
    expect(steps).toContain(
      "launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/com.switchyard.engine.plist",
    );
    expect(steps).toContain("Automatically log in as");
    expect(steps).toContain("Configure IPv4: Manually");
    expect(steps).toContain("Login Items");
  });

  it("follows the Engine's config: its port, slots and models held", () => {
    expect(
      engineServiceEnvironmentDefaults({
        baseUrl: "http://engine.local:11500",
        slots: 2,
        maxLoadedModels: 3,
      }),
    ).toMatchObject({
      OLLAMA_HOST: "0.0.0.0:11500",
      OLLAMA_NUM_PARALLEL: "2",
      OLLAMA_MAX_LOADED_MODELS: "3",
    });
    expect(engineServiceEnvironmentDefaults({ baseUrl: "http://engine.local:11434" }).OLLAMA_HOST).toBe(
      "0.0.0.0",
    );
  });

  it("on Linux writes nothing and shows the drop-in for Ollama's own service", () => {
    const plan = engineSetupPlan({
      home,
      platform: "linux",
      ollamaPath: "/usr/local/bin/ollama",
      environment: engineServiceEnvironmentDefaults(),
    });
    expect(plan.files).toEqual([]);
    const lines = plan.manualSteps[0]!.lines;
    expect(lines).toContain("[Service]");
    expect(lines).toContain("Environment=OLLAMA_KEEP_ALIVE=-1");
  });
});

describe("the Brain's launchd agent", () => {
  it("runs switchyard serve on the LAN with its token from a private file", () => {
    const input = brainInput();
    apply(brainSetupPlan(input));
    const agent = plist(join(home, "Library", "LaunchAgents", "com.switchyard.brain.plist"));
    expect(agent).toMatchObject({
      Label: "com.switchyard.brain",
      ProgramArguments: [
        "/opt/homebrew/bin/node",
        "/Users/michael/switchyard/bin/switchyard.js",
        "--config",
        "/Users/michael/switchyard/switchyard.yaml",
        "serve",
        "--host",
        "0.0.0.0",
      ],
      WorkingDirectory: "/Users/michael/switchyard & co",
      RunAtLoad: true,
      KeepAlive: true,
      // Longer than the 30 s grace, so answers in flight can finish on a stop.
      ExitTimeOut: 45,
    });
    const environment = agent.EnvironmentVariables as Record<string, string>;
    expect(environment.SWITCHYARD_TOKEN_FILE).toBe(input.tokenPath);
    expect(environment.PATH!.split(":")[0]).toBe("/opt/homebrew/bin");
    // The token is in the file, never in the plist.
    const plistText = readFileSync(
      join(home, "Library", "LaunchAgents", "com.switchyard.brain.plist"),
      "utf8",
    );
    expect(plistText).not.toContain(input.newToken);
    expect(readFileSync(input.tokenPath, "utf8")).toBe(`${input.newToken}\n`);
    expect(mode(input.tokenPath)).toBe(0o600);
    expect(
      plist(join(home, "Library", "LaunchAgents", "com.switchyard.brain.log-rotation.plist")).Label,
    ).toBe("com.switchyard.brain.log-rotation");
  });

  it("a second run changes nothing and keeps the token it handed out", () => {
    const first = apply(brainSetupPlan(brainInput()));
    expect(first.every((outcome) => outcome.written)).toBe(true);
    const second = apply(brainSetupPlan(brainInput({ newToken: "another-token" })));
    expect(second.map((outcome) => outcome.action)).toEqual(["unchanged", "unchanged", "kept"]);
    expect(second.some((outcome) => outcome.written)).toBe(false);
    expect(readFileSync(brainInput().tokenPath, "utf8")).toBe("first-token-0123456789\n");
  });

  it("backs up a file it replaces, shows the change, and never shows the token", () => {
    const created = apply(brainSetupPlan(brainInput()));
    expect(created.find((outcome) => outcome.path.endsWith("brain-token"))!.diff).not.toContain(
      "first-token",
    );
    const changed = apply(brainSetupPlan(brainInput({ host: "192.168.1.20" })));
    const agent = changed[0]!;
    expect(agent.action).toBe("update");
    expect(agent.diff).toContain("-\t\t<string>0.0.0.0</string>");
    expect(agent.diff).toContain("+\t\t<string>192.168.1.20</string>");
    expect(agent.backupPath).toBe(`${agent.path}.backup-20261105-090307`);
    expect(readFileSync(agent.backupPath!, "utf8")).toContain("<string>0.0.0.0</string>");
    expect(readFileSync(agent.path, "utf8")).toContain("<string>192.168.1.20</string>");
  });

  it("a dry run shows the diffs and writes nothing", () => {
    const plan = brainSetupPlan(brainInput());
    const outcomes = apply(plan, true);
    expect(outcomes.map((outcome) => outcome.action)).toEqual(["create", "create", "create"]);
    expect(outcomes[0]!.diff).toContain("+\t<key>Label</key>");
    expect(readdirSync(home)).toEqual([]);
  });
});

describe("the Brain's systemd unit", () => {
  it("runs switchyard serve with the token file, restarts it, waits past its grace, logs to the journal", () => {
    const input = brainInput({
      platform: "linux",
      nodePath: process.execPath,
      switchyardPath: "/home/michael/switchyard/bin/switchyard.js",
      tokenPath: join(home, ".config", "switchyard", "brain-token"),
      inheritedEnvironment: { SWITCHYARD_HOME: join(home, "sy") },
    });
    const plan = brainSetupPlan(input);
    apply(plan);
    const unitPath = join(home, ".config", "systemd", "user", "switchyard.service");
    const unit = parseUnit(readFileSync(unitPath, "utf8"));
    expect(unit.Unit?.Description).toEqual(["Switchyard, the Brain's routing gateway"]);
    expect(unit.Service?.ExecStart).toEqual([
      `${process.execPath} /home/michael/switchyard/bin/switchyard.js --config /Users/michael/switchyard/switchyard.yaml serve --host 0.0.0.0`,
    ]);
    expect(unit.Service?.Environment).toContain(`SWITCHYARD_TOKEN_FILE=${input.tokenPath}`);
    expect(unit.Service?.Environment).toContain(`SWITCHYARD_HOME=${join(home, "sy")}`);
    expect(unit.Service?.WorkingDirectory).toEqual(['"/Users/michael/switchyard & co"']);
    expect(unit.Service).toMatchObject({
      Restart: ["always"],
      TimeoutStopSec: ["45"],
      StandardOutput: ["journal"],
    });
    expect(unit.Install?.WantedBy).toEqual(["default.target"]);
    expect(mode(input.tokenPath)).toBe(0o600);
    expect(plan.manualSteps.flatMap((step) => step.lines)).toContain("sudo loginctl enable-linger $USER");
    expect(apply(brainSetupPlan(input)).map((outcome) => outcome.action)).toEqual(["unchanged", "kept"]);
  });

  const analyze = spawnSync("sh", ["-c", "command -v systemd-analyze"]).status === 0;
  it.skipIf(!analyze)("passes systemd-analyze verify (where systemd-analyze is installed)", () => {
    const input = brainInput({
      platform: "linux",
      nodePath: process.execPath,
      switchyardPath: join(home, "bin", "switchyard.js"),
      workingDirectory: home,
      tokenPath: join(home, ".config", "switchyard", "brain-token"),
    });
    apply(brainSetupPlan(input));
    const unitPath = join(home, ".config", "systemd", "user", "switchyard.service");
    const verified = spawnSync("systemd-analyze", ["verify", "--man=no", unitPath], { encoding: "utf8" });
    // Only complaints about this unit count: the host's own units may have warnings of their own.
    const ours = `${verified.stdout}${verified.stderr}`
      .split("\n")
      .filter((line) => line.includes("switchyard.service"));
    expect(ours).toEqual([]);
  });
});

/** `[Section]` → key → values, in order (Environment may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = {};
      sections[header[1]!] = current;
      continue;
    }
    const assignment = /^(\w+)=(.*)$/.exec(line);
    if (!assignment || !current) throw new Error(`not a unit file line: ${line}`);
    current[assignment[1]!] = [...(current[assignment[1]!] ?? []), assignment[2]!];
  }
  return sections;
}

describe("the token file", () => {
  it("keeps a token made by hand but makes its file private", () => {
    const input = brainInput();
    mkdirSync(join(home, "Library", "Application Support", "Switchyard"), { recursive: true });
    writeFileSync(input.tokenPath, "hand-made-token\n", { mode: 0o644 });
    const token = apply(brainSetupPlan(input)).find((outcome) => outcome.path === input.tokenPath)!;
    expect(token).toMatchObject({
      action: "update",
      written: true,
      diff: `${input.tokenPath}: mode 0644 -> 0600\n`,
    });
    expect(readFileSync(input.tokenPath, "utf8")).toBe("hand-made-token\n");
    expect(mode(input.tokenPath)).toBe(0o600);
  });

  it("is created private even where the umask would let others read it", () => {
    const previous = process.umask(0o022);
    try {
      const input = brainInput();
      apply(brainSetupPlan(input));
      expect(mode(input.tokenPath)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});

describe("the generators' quoting", () => {
  it("plist strings are escaped and read back exactly; control characters are refused", () => {
    const tricky = `a & b < c > d "quoted" 'single' ünïcödé`;
    const xml = plistXml(
      launchdJobPlist({
        label: "x",
        programArguments: [tricky],
        environment: { KEY: tricky },
        keepAlive: false,
      }),
    );
    expect(readPlist(xml)).toMatchObject({
      ProgramArguments: [tricky],
      EnvironmentVariables: { KEY: tricky },
    });
    expect(() => plistXml({ Label: "bell\u0007" })).toThrow(/control characters/);
  });

  it("systemd words are quoted where they must be, with % and $ escaped where they are special", () => {
    expect(quoteArgument("/usr/bin/node", "command")).toBe("/usr/bin/node");
    expect(quoteArgument("/Users/me/Application Support/x", "command")).toBe(
      '"/Users/me/Application Support/x"',
    );
    expect(quoteArgument("50%$HOME", "command")).toBe('"50%%$$HOME"');
    expect(quoteArgument("PATH=$HOME/bin:/usr/bin", "setting")).toBe('"PATH=$HOME/bin:/usr/bin"');
    expect(quoteArgument('say "hi" \\ bye', "setting")).toBe('"say \\"hi\\" \\\\ bye"');
  });
});
