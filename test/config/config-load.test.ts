/** Config: defaults, interpolation, merging, and errors that name the key, the value and the fix. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { ConfigError, loadConfig, parseConfigText, resolveConfigPath } from "../../src/config/config-load.js";
import { redactedConfigYaml } from "../../src/config/config-redact.js";
import { parseEnvFile } from "../../src/config/env-file.js";
import { VERSION } from "../../src/version.js";

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, "test.yaml", env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("defaults", () => {
  it("are the reference setup: four aliases, fifteen tasks, Engine and OpenRouter from the environment", () => {
    const config = parseConfigText(undefined, "defaults", {
      OLLAMA_BASE_URL: "http://engine.lan:11434",
      OPENROUTER_API_KEY: "sk-or-secret",
    });
    expect(Object.keys(config.aliases)).toEqual([
      "local-coder",
      "local-reasoner",
      "cloud-sonnet",
      "cloud-opus",
    ]);
    expect(config.aliases["local-coder"]?.model).toBe("qwen2.5-coder:32b");
    expect(config.aliases["local-reasoner"]?.model).toBe("deepseek-r1:32b");
    expect(config.aliases["cloud-sonnet"]?.model).toBe("anthropic/claude-sonnet-4.5");
    expect(config.aliases["cloud-opus"]?.model).toBe("anthropic/claude-opus-4.6");
    expect(Object.keys(config.tasks)).toHaveLength(15);
    expect(config.tasks.elaboration?.alias).toBe("local-reasoner");
    expect(config.tasks["conflict-resolution"]?.alias).toBe("cloud-opus");
    expect(config.backends.engine).toMatchObject({ type: "ollama", base_url: "http://engine.lan:11434" });
    expect(config.backends.openrouter).toMatchObject({
      base_url: "https://openrouter.ai/api/v1",
      api_key: "sk-or-secret",
    });
  });

  it("fall back to localhost Ollama and no key when the environment is empty", () => {
    const config = parseConfigText(undefined, "defaults", {});
    expect(config.backends.engine).toMatchObject({ base_url: "http://localhost:11434" });
    expect(config.backends.openrouter).toMatchObject({ api_key: "" });
  });

  it("keeps src/version.ts equal to package.json", () => {
    expect(VERSION).toBe(packageJson.version);
  });
});

describe("a user file", () => {
  it("is merged over the defaults, so one line changes one model", () => {
    const config = parseConfigText("aliases:\n  local-coder:\n    model: qwen3-coder:30b\n", "test.yaml", {});
    expect(config.aliases["local-coder"]).toMatchObject({
      model: "qwen3-coder:30b",
      tier: 1,
      backend: "engine",
    });
    expect(config.aliases["cloud-opus"]?.model).toBe("anthropic/claude-opus-4.6");
  });

  it("interpolates ${VAR} and ${VAR:-fallback}, and $${ escapes", () => {
    const config = parseConfigText(
      "server:\n  auth_tokens: ['${TOKEN}', '${OTHER:-second}']\nbackends:\n  openrouter:\n    headers:\n      X-Title: 'cost $${x}'\n",
      "test.yaml",
      { TOKEN: "first" },
    );
    expect(config.server.auth_tokens).toEqual(["first", "second"]);
    expect(config.backends.openrouter).toMatchObject({ headers: { "X-Title": "cost ${x}" } });
  });

  it("finds the file by --config, SWITCHYARD_CONFIG, ./switchyard.yaml, in that order, and reads .env beside it", () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-config-"));
    writeFileSync(join(directory, "switchyard.yaml"), "server:\n  port: ${PORT_FROM_DOTENV}\n");
    writeFileSync(join(directory, ".env"), "# comment\nexport PORT_FROM_DOTENV=9999\n");
    writeFileSync(join(directory, "other.yaml"), "server:\n  port: 1234\n");
    expect(resolveConfigPath({ cwd: directory, env: {} })).toBe(join(directory, "switchyard.yaml"));
    expect(resolveConfigPath({ cwd: directory, env: { SWITCHYARD_CONFIG: "other.yaml" } })).toBe(
      join(directory, "other.yaml"),
    );
    expect(
      resolveConfigPath({ cwd: directory, env: { SWITCHYARD_CONFIG: "other.yaml" }, explicitPath: "x.yaml" }),
    ).toBe(join(directory, "x.yaml"));
    expect(loadConfig({ cwd: directory, env: {} }).config.server.port).toBe(9999);
    expect(loadConfig({ cwd: directory, env: { PORT_FROM_DOTENV: "7777" } }).config.server.port).toBe(7777);
  });

  it("that does not exist is an error with the fix", () => {
    expect(() => loadConfig({ explicitPath: "/nonexistent/switchyard.yaml", env: {} })).toThrow(
      /does not exist.*config init/s,
    );
  });
});

describe("errors name the key path, the bad value and the fix", () => {
  it.each([
    ["aliases:\n  cloud-opus:\n    tier: 7\n", "aliases.cloud-opus.tier must be 1, 2 or 3; got 7"],
    ["server:\n  port: abc\n", 'server.port must be a port number between 1 and 65535; got "abc"'],
    [
      "tasks:\n  code-generation: { alias: nope }\n",
      "tasks.code-generation.alias names no configured alias; use one of: local-coder",
    ],
    [
      "aliases:\n  local-coder:\n    backend: gpu-box\n",
      'aliases.local-coder.backend names no configured back end; use one of: engine, openrouter; got "gpu-box"',
    ],
    ["budgett: 3\n", 'unknown key "budgett"; check the spelling'],
    ["tasks:\n  poetry: { alias: local-coder }\n", "must be one of the 15 task kinds"],
    ["backends:\n  engine:\n    base_url: not a url\n", "backends.engine.base_url must be a URL"],
    [
      "backends:\n  engine:\n    base_url: ${MISSING_URL}\n",
      "${MISSING_URL} is not set; set MISSING_URL in the environment or in a .env file",
    ],
    ["aliases:\n  cloud-opus:\n    escalate_to: local-coder\n", "forms a loop"],
    ["server:\n  host: 0.0.0.0\n", 'must hold at least one token when server.host is "0.0.0.0"'],
    [
      "workflows:\n  warm_spares: 1.5\n",
      "workflows.warm_spares must be a whole number of spare tool servers per kind, e.g. 1 (0 turns them off); got 1.5",
    ],
    [
      "workflows:\n  warm_spares: 9\n",
      "workflows.warm_spares must be at most 4 spare tool servers per kind: each is a process kept running; got 9",
    ],
    ["server: [\n", "YAML syntax error at line"],
    ["- a list\n", "must be a YAML mapping"],
  ])("%j", (text, expected) => {
    expect(problemsOf(text).join("\n")).toContain(expected);
  });

  it("never shows a secret's value", () => {
    const problems = problemsOf("backends:\n  openrouter:\n    api_key: 12345\n");
    expect(problems.join("\n")).toContain("backends.openrouter.api_key");
    expect(problems.join("\n")).not.toContain("12345");
    const webhook = problemsOf(
      "budget:\n  alerts:\n    webhooks:\n      - { url: 'https://hooks.slack.com/services/T0/B0/sekrit', format: teams }\n",
    );
    expect(webhook.join("\n")).toContain("budget.alerts.webhooks.0.format");
    expect(webhook.join("\n")).not.toContain("sekrit");
  });

  it("lists every problem at once: unset variables, bad values and cross-field rules together", () => {
    const problems = problemsOf(
      [
        "server:",
        "  host: 0.0.0.0",
        "  port: ${MISSING_PORT}",
        "backends:",
        "  engine: { type: olama }",
        "aliases:",
        "  cloud-opus: { tier: 7 }",
        "  extra: { backend: nowhere, model: m, tier: 1 }",
        "tasks:",
        "  code-generation: { alias: nope }",
        "budget:",
        "  time_zone: Mars/Olympus",
        "  reset_day: 40",
        "gates:",
        "  lint: { judge: { alias: nobody } }",
      ].join("\n"),
    );
    expect(problems).toEqual([
      "server.port: ${MISSING_PORT} is not set; set MISSING_PORT in the environment or in a .env file, or write ${MISSING_PORT:-default}",
      expect.stringContaining(
        'backends.engine.type must have type "ollama" or "openai-compatible"; got "olama"',
      ),
      expect.stringContaining("aliases.cloud-opus.tier must be 1, 2 or 3; got 7"),
      expect.stringContaining("budget.reset_day must be a day from 1 to 28; got 40"),
      expect.stringContaining(
        'tasks.code-generation.alias names no configured alias; use one of: local-coder, local-reasoner, cloud-sonnet, cloud-opus, extra; got "nope"',
      ),
      expect.stringContaining("budget.time_zone must be an IANA time zone"),
      expect.stringContaining('gates.lint.judge.alias must be "next" (the rung above) or a configured alias'),
      expect.stringContaining(
        'server.auth_tokens must hold at least one token when server.host is "0.0.0.0"',
      ),
    ]);
  });
});

describe("config print", () => {
  it("redacts API keys, tokens and database passwords", () => {
    const config = parseConfigText("server:\n  auth_tokens: [brain-token-1]\n", "test.yaml", {
      OPENROUTER_API_KEY: "sk-or-v1-abc",
    });
    const printed = redactedConfigYaml(config);
    expect(printed).not.toContain("sk-or-v1-abc");
    expect(printed).not.toContain("brain-token-1");
    expect(printed).toContain("[redacted]");
    expect(printed).toContain("qwen2.5-coder:32b");
  });

  it("shows a webhook URL's scheme and host, never its path or query (a Slack webhook's secret)", () => {
    const config = parseConfigText(
      [
        "budget:",
        "  alerts:",
        "    webhooks:",
        "      - { url: 'https://hooks.slack.com/services/T0/B0/sekrit', format: slack }",
        "      - { url: 'https://ntfy.sh/switchyard-alerts-x7q?auth=tk_abc', format: ntfy }",
        "      - { url: 'http://alerts.lan:8080', format: json }",
      ].join("\n"),
      "test.yaml",
      {},
    );
    const printed = redactedConfigYaml(config);
    expect(printed).toContain("url: https://hooks.slack.com/[redacted]");
    expect(printed).toContain("url: https://ntfy.sh/[redacted]");
    expect(printed).toContain("url: http://alerts.lan:8080");
    for (const secret of ["sekrit", "T0/B0", "switchyard-alerts-x7q", "tk_abc"]) {
      expect(printed).not.toContain(secret);
    }
  });
});

describe(".env parsing", () => {
  it("reads quotes, export prefixes and trailing comments", () => {
    expect(parseEnvFile("export A=1\nB=\"two words\"\nC=three # note\n# D=4\nE='x#y'\n")).toEqual({
      A: "1",
      B: "two words",
      C: "three",
      E: "x#y",
    });
  });
});

describe("server.auth_tokens_file", () => {
  it("adds the file's tokens, lets the server listen on the LAN, and config print shows the path, not the tokens", () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-token-file-"));
    const tokenPath = join(directory, "brain-token");
    writeFileSync(tokenPath, "# the Brain's token\nfile-token-1\n\nfile-token-2\n", { mode: 0o600 });
    const configPath = join(directory, "switchyard.yaml");
    writeFileSync(configPath, "server:\n  host: 0.0.0.0\n  auth_tokens: [inline-token]\n");
    const { config } = loadConfig({ explicitPath: configPath, env: { SWITCHYARD_TOKEN_FILE: tokenPath } });
    expect(config.server.auth_tokens).toEqual(["inline-token", "file-token-1", "file-token-2"]);
    const printed = redactedConfigYaml(config);
    expect(printed).toContain(`auth_tokens_file: ${tokenPath}`);
    expect(printed).not.toContain("file-token");
    expect(printed).not.toContain("inline-token");
  });

  it("counts as a token for a LAN address, and a path relative to the config file works", () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-token-file-"));
    writeFileSync(join(directory, "brain-token"), "relative-token\n", { mode: 0o600 });
    const configPath = join(directory, "switchyard.yaml");
    writeFileSync(configPath, "server:\n  host: 0.0.0.0\n  auth_tokens_file: brain-token\n");
    expect(loadConfig({ explicitPath: configPath, env: {} }).config.server.auth_tokens).toEqual([
      "relative-token",
    ]);
  });

  it("refuses a file others can read, a missing one and an empty one, each with the fix", () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-token-file-"));
    const tokenPath = join(directory, "brain-token");
    const load = () =>
      loadConfig({ cwd: directory, env: { SWITCHYARD_TOKEN_FILE: tokenPath, SWITCHYARD_HOME: directory } });
    expect(load).toThrow(
      /server\.auth_tokens_file: .*brain-token does not exist; create it.*switchyard setup brain/,
    );
    writeFileSync(tokenPath, "readable-token\n", { mode: 0o644 });
    expect(load).toThrow(/can be read by other users \(mode 0644\); run chmod 600/);
    try {
      load();
    } catch (error) {
      // The token itself never appears in the error.
      expect(String(error)).not.toContain("readable-token");
    }
    writeFileSync(join(directory, "empty"), "\n# nothing\n", { mode: 0o600 });
    expect(() =>
      loadConfig({
        cwd: directory,
        env: { SWITCHYARD_TOKEN_FILE: join(directory, "empty"), SWITCHYARD_HOME: directory },
      }),
    ).toThrow(/holds no token/);
  });
});
