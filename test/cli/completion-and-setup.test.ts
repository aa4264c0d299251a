/**
 * `switchyard completion` and `switchyard setup` as a user runs them. The completion scripts are
 * loaded by the real shells — bash always; zsh and fish where they are installed — and asked for
 * completions. `setup workstation` and `setup brain` write into a temporary HOME, and a second run
 * reports every file unchanged.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSwitchyard } from "../helpers/cli-process.js";
import { readPlist } from "../helpers/plist-reader.js";

const run = promisify(execFile);
const SLOW = 90_000;
let directory: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "switchyard-completion-"));
  await Promise.all(
    ["bash", "zsh", "fish"].map(async (shell) => {
      const result = await runSwitchyard(["completion", shell], { env: { SWITCHYARD_HOME: directory } });
      expect(result.code).toBe(0);
      scripts[shell] = join(directory, `completion.${shell}`);
      writeFileSync(scripts[shell]!, result.stdout);
    }),
  );
}, SLOW);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const installed = (shell: string) =>
  run("sh", ["-c", `command -v ${shell}`]).then(
    () => true,
    () => false,
  );

describe("shell completion", () => {
  it("loads in bash and completes commands, subcommands and options from the program", async () => {
    const complete = async (...words: string[]) => {
      const script = `source ${scripts.bash}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_switchyard_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await run("bash", ["-c", script])).stdout.trim().split("\n").filter(Boolean);
    };
    const { stdout } = await run("bash", ["-c", `source <(cat ${scripts.bash}) && complete -p switchyard`]);
    expect(stdout.trim()).toBe("complete -o default -F _switchyard_completion switchyard");
    expect(await complete("switchyard", "eng")).toEqual(["engine"]);
    expect(await complete("switchyard", "engine", "")).toEqual(
      expect.arrayContaining(["status", "pull", "warm", "simulate", "--help"]),
    );
    expect(await complete("switchyard", "--config", "x.yaml", "setup", "workstation", "--to")).toEqual([
      "--token-file",
    ]);
    expect(await complete("switchyard", "ask", "--task", "code-review", "--f")).toEqual(["--file"]);
    // After an option that takes a value, no words: the shell offers file names.
    expect(await complete("switchyard", "ask", "--file", "")).toEqual([]);
    expect(await complete("switchyard", "completion", "")).toEqual(expect.arrayContaining(["--help"]));
  });

  it("loads in zsh (where installed) and registers itself for switchyard", async (context) => {
    if (!(await installed("zsh"))) context.skip("zsh is not installed");
    await run("zsh", ["-n", scripts.zsh!]);
    const { stdout } = await run("zsh", [
      "-f",
      "-c",
      `autoload -U compinit && compinit -u -D && source ${scripts.zsh} && print -r -- $_comps[switchyard]`,
    ]);
    expect(stdout.trim()).toBe("_switchyard");
  });

  it("loads in fish (where installed) and completes nested commands with their descriptions", async (context) => {
    if (!(await installed("fish"))) context.skip("fish is not installed");
    const ask = async (line: string) =>
      (await run("fish", ["--no-config", "-c", `source ${scripts.fish}; complete -C '${line}'`])).stdout;
    expect(await ask("switchyard eng")).toBe(
      "engine\tthe Engines (Ollama): status, pull, warm, capacity planning\n",
    );
    expect(await ask("switchyard setup wo")).toMatch(/^workstation\tthe Workstation: ssh entries/);
    expect(await ask("switchyard setup workstation --tok")).toBe(
      "--token-file\ta file holding the Brain's token; - reads it from stdin\n",
    );
  });

  it("names the shells it knows when asked for another", async () => {
    const result = await runSwitchyard(["completion", "tcsh"], { env: { SWITCHYARD_HOME: directory } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'switchyard completion: the shell must be bash, zsh or fish; got "tcsh"',
    );
  });
});

describe("switchyard setup, run twice", () => {
  it(
    "workstation: merges ~/.ssh/config with a backup, writes the client config, and the second run changes nothing",
    async () => {
      const home = mkdtempSync(join(tmpdir(), "switchyard-setup-home-"));
      mkdirSync(join(home, ".ssh"));
      writeFileSync(join(home, ".ssh", "config"), "Host work\n  HostName work.example.com\n");
      const env = { HOME: home, SWITCHYARD_HOME: join(home, "switchyard") };
      const args = [
        "setup",
        "workstation",
        "--brain",
        "192.168.1.20",
        "--engine",
        "192.168.1.21",
        "--user",
        "michael",
        "--token-file",
        "-",
      ];
      const first = await runSwitchyard(args, { env, input: "the-brain-token\n" });
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("updated ~/.ssh/config — ssh entries for the Brain and the Engine");
      expect(first.stdout).toContain("created ~/switchyard/client.yaml — the client config");
      expect(first.stdout).toContain("+token: [redacted]");
      expect(first.stdout).not.toContain("the-brain-token");
      expect(first.stdout).toContain("ssh-copy-id brain");
      expect(readFileSync(join(home, ".ssh", "config"), "utf8")).toMatch(
        /^Host brain\n {2}HostName 192\.168\.1\.20\n {2}User michael$/m,
      );
      expect(readFileSync(join(home, ".ssh", "config"), "utf8")).toContain(
        "Host work\n  HostName work.example.com",
      );
      const backup = /the previous version is in ~\/(\.ssh\/config\.backup-\d{8}-\d{6})/.exec(
        first.stdout,
      )?.[1];
      expect(backup && readFileSync(join(home, backup), "utf8")).toBe(
        "Host work\n  HostName work.example.com\n",
      );

      // No token this time: the one the client config holds is kept.
      const second = await runSwitchyard(args.slice(0, -2), { env });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain("unchanged ~/.ssh/config");
      expect(second.stdout).toContain("unchanged ~/switchyard/client.yaml");
      expect(readFileSync(join(home, "switchyard", "client.yaml"), "utf8")).toContain(
        "token: the-brain-token",
      );
      rmSync(home, { recursive: true, force: true });
    },
    SLOW,
  );

  it(
    "brain --dry-run on macOS shows the plist and writes nothing; the real run writes it and then nothing changes",
    async () => {
      const home = mkdtempSync(join(tmpdir(), "switchyard-setup-home-"));
      const env = { HOME: home, SWITCHYARD_HOME: join(home, "switchyard") };
      const dry = await runSwitchyard(["setup", "brain", "--platform", "darwin", "--dry-run"], { env });
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain("would create ~/Library/LaunchAgents/com.switchyard.brain.plist");
      expect(dry.stdout).toContain("Dry run: nothing was written.");
      expect(dry.stdout).toContain("openrouter.ai → Settings → API Keys");
      expect(existsSync(join(home, "Library"))).toBe(false);
      expect(existsSync(join(home, "switchyard"))).toBe(false);

      const [real, again] = [
        await runSwitchyard(["setup", "brain", "--platform", "darwin"], { env }),
        await runSwitchyard(["setup", "brain", "--platform", "darwin"], { env }),
      ];
      expect(real.code).toBe(0);
      const plistPath = join(home, "Library", "LaunchAgents", "com.switchyard.brain.plist");
      const plist = readPlist(readFileSync(plistPath, "utf8")) as Record<string, unknown>;
      expect(plist).toMatchObject({ Label: "com.switchyard.brain", RunAtLoad: true, KeepAlive: true });
      expect((plist.ProgramArguments as string[]).slice(-3)).toEqual(["serve", "--host", "0.0.0.0"]);
      expect((plist.EnvironmentVariables as Record<string, string>).SWITCHYARD_TOKEN_FILE).toBe(
        join(home, "switchyard", "brain-token"),
      );
      expect(again.stdout).toContain("unchanged ~/Library/LaunchAgents/com.switchyard.brain.plist");
      expect(again.stdout).toContain("kept ~/switchyard/brain-token");
      rmSync(home, { recursive: true, force: true });
    },
    SLOW,
  );
});
