/**
 * The Workstation's side: ~/.ssh/config merged (existing hosts and global options kept, a host the
 * user already has left alone, the section replaced in place on a second run), and the client
 * config written private, with its token never in a diff, and read back by the client commands.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientConfigPath, readClientConfig } from "../../src/setup/client-config.js";
import { applyPlannedFiles } from "../../src/setup/setup-files.js";
import { type WorkstationSetupInput, workstationSetupPlan } from "../../src/setup/setup-workstation.js";
import { mergeSshConfig, SSH_SECTION_END, SSH_SECTION_START } from "../../src/setup/ssh-config.js";

const brain = { alias: "brain", hostName: "192.168.1.20", user: "michael" };
const engine = { alias: "engine", hostName: "engine.local", user: "michael" };

const existing = `# global options, for every host
AddKeysToAgent yes
IdentityFile ~/.ssh/id_ed25519

# the office
Host work
  HostName work.example.com
  User mk

Host *
  ServerAliveInterval 30
`;

describe("merging ~/.ssh/config", () => {
  it("adds brain and engine before the first host, after the global options, keeping every line", () => {
    const merged = mergeSshConfig(existing, [brain, engine]);
    expect(merged.skipped).toEqual([]);
    expect(merged.text).toBe(`# global options, for every host
AddKeysToAgent yes
IdentityFile ~/.ssh/id_ed25519

${SSH_SECTION_START}
Host brain
  HostName 192.168.1.20
  User michael
Host engine
  HostName engine.local
  User michael
${SSH_SECTION_END}

# the office
Host work
  HostName work.example.com
  User mk

Host *
  ServerAliveInterval 30
`);
  });

  it("changes nothing on a second run, and replaces its own section in place when a value changes", () => {
    const once = mergeSshConfig(existing, [brain, engine]).text;
    expect(mergeSshConfig(once, [brain, engine]).text).toBe(once);
    const moved = mergeSshConfig(once, [{ ...brain, hostName: "brain.local" }, engine]).text;
    expect(moved).toBe(once.replace("HostName 192.168.1.20", "HostName brain.local"));
  });

  it("leaves a host the user already has alone and says where it is", () => {
    const mine = `${existing}\nHost Engine other-box\n  HostName 10.0.0.9\n`;
    const merged = mergeSshConfig(mine, [brain, engine]);
    expect(merged.skipped).toEqual([{ alias: "engine", line: 13 }]);
    expect(merged.text).toContain("Host Engine other-box\n  HostName 10.0.0.9\n");
    expect(merged.text).not.toContain("HostName engine.local");
    expect(merged.text).toContain("Host brain\n  HostName 192.168.1.20");
    // Line numbers count the file as it is, Switchyard's section included.
    const again = mergeSshConfig(merged.text, [brain, engine]);
    expect(again.text).toBe(merged.text);
    expect(again.skipped).toEqual([{ alias: "engine", line: 19 }]);
  });

  it("starts a file that does not exist, and appends to one with only global options", () => {
    expect(mergeSshConfig("", [brain]).text).toBe(
      `${SSH_SECTION_START}\nHost brain\n  HostName 192.168.1.20\n  User michael\n${SSH_SECTION_END}\n`,
    );
    expect(mergeSshConfig("AddKeysToAgent yes", [brain]).text).toBe(
      `AddKeysToAgent yes\n\n${SSH_SECTION_START}\nHost brain\n  HostName 192.168.1.20\n  User michael\n${SSH_SECTION_END}\n`,
    );
    // Nothing to add: the file is returned exactly as it was, missing final newline and all.
    expect(mergeSshConfig("Host brain\n  HostName x", [brain]).text).toBe("Host brain\n  HostName x");
  });

  it("refuses values that would break the file", () => {
    expect(() => mergeSshConfig("", [{ ...brain, hostName: "192.168.1.20\n  ProxyCommand evil" }])).toThrow(
      /cannot go into ~\/.ssh\/config/,
    );
  });
});

describe("switchyard setup workstation's files", () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "switchyard-workstation-"));
    env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const input = (overrides: Partial<WorkstationSetupInput> = {}): WorkstationSetupInput => ({
    home,
    existingSshConfig: existing,
    clientConfigPath: clientConfigPath(env),
    brainHost: "192.168.1.20",
    brainPort: 8787,
    engineHost: "engine.local",
    user: "michael",
    token: "secret-token-abc",
    ...overrides,
  });
  const now = new Date(Date.UTC(2026, 10, 5));

  it("writes ssh entries and a private client config, backs up the ssh config, and a second run changes nothing", () => {
    mkdirSync(join(home, ".ssh"), { mode: 0o700 });
    writeFileSync(join(home, ".ssh", "config"), existing, { mode: 0o644 });
    const outcomes = applyPlannedFiles(workstationSetupPlan(input()).files, { dryRun: false, now });
    expect(outcomes.map((outcome) => outcome.action)).toEqual(["update", "create"]);
    expect(outcomes[0]!.backupPath).toBeDefined();
    expect(readFileSync(outcomes[0]!.backupPath!, "utf8")).toBe(existing);
    expect(readFileSync(join(home, ".ssh", "config"), "utf8")).toContain(
      "Host work\n  HostName work.example.com",
    );
    expect(statSync(join(home, ".ssh", "config")).mode & 0o777).toBe(0o600);

    const clientPath = clientConfigPath(env);
    expect(statSync(clientPath).mode & 0o777).toBe(0o600);
    expect(outcomes[1]!.diff).toContain("+token: [redacted]");
    expect(outcomes[1]!.diff).not.toContain("secret-token-abc");
    expect(readClientConfig(env)).toEqual({
      path: clientPath,
      config: { url: "http://192.168.1.20:8787", token: "secret-token-abc" },
    });

    const again = workstationSetupPlan(
      input({ existingSshConfig: readFileSync(join(home, ".ssh", "config"), "utf8") }),
    );
    expect(applyPlannedFiles(again.files, { dryRun: false, now }).map((outcome) => outcome.action)).toEqual([
      "unchanged",
      "unchanged",
    ]);
  });

  it("says when only the token changed, without showing it", () => {
    applyPlannedFiles(workstationSetupPlan(input()).files, { dryRun: false, now });
    const [, client] = applyPlannedFiles(workstationSetupPlan(input({ token: "rotated-token" })).files, {
      dryRun: false,
      now,
    });
    expect(client!.action).toBe("update");
    expect(client!.diff).toContain("the secret in it changes (not shown)");
    expect(client!.diff).not.toContain("rotated-token");
  });

  it("without a token, says how to fetch it", () => {
    const plan = workstationSetupPlan(input({ token: undefined }));
    expect(plan.manualSteps[0]!.title).toContain("No token yet");
    expect(plan.files[1]!.content).not.toContain("token:");
  });

  it("a broken client config is refused with the fix", () => {
    mkdirSync(join(home, ".config", "switchyard"), { recursive: true });
    writeFileSync(clientConfigPath(env), "url: not a url\n");
    expect(() => readClientConfig(env)).toThrow(
      /url must be the Brain's URL.*run switchyard setup workstation again/,
    );
  });

  it("a client config may name a token file instead, which must be private", () => {
    mkdirSync(join(home, ".config", "switchyard"), { recursive: true });
    writeFileSync(clientConfigPath(env), "url: http://brain.local:8787/v1/\ntoken_file: brain-token\n");
    writeFileSync(join(home, ".config", "switchyard", "brain-token"), "# the Brain's\nfrom-a-file\n", {
      mode: 0o644,
    });
    expect(() => readClientConfig(env)).toThrow(/token_file: .*can be read by other users.*chmod 600/);
    rmSync(join(home, ".config", "switchyard", "brain-token"));
    writeFileSync(join(home, ".config", "switchyard", "brain-token"), "# the Brain's\nfrom-a-file\n", {
      mode: 0o600,
    });
    expect(readClientConfig(env)?.config).toEqual({
      url: "http://brain.local:8787",
      token: "from-a-file",
      tokenFile: "brain-token",
    });
  });
});
