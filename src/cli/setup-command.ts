/**
 * `switchyard setup engine | brain | workstation`: gathers what the plans need from this machine
 * (home, platform, where node, ollama and switchyard are, a fresh token), shows every change as a
 * diff, writes it (keeping a backup of anything replaced) unless `--dry-run`, and prints the steps
 * that stay manual. Running it again changes nothing.
 */
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../config/config-load.js";
import { userDirs } from "../config/user-dirs.js";
import { engineSpecs } from "../engines/engine-spec.js";
import { engineServiceSettingsFromConfig } from "../planning/engine-profile.js";
import { parseJsonOrUndefined } from "../protocol/safe-json.js";
import { clientConfigPath, readClientConfig } from "../setup/client-config.js";
import { brainSetupPlan } from "../setup/setup-brain.js";
import { engineServiceEnvironmentDefaults, engineSetupPlan } from "../setup/setup-engine.js";
import { applyPlannedFiles, ensureDirectories } from "../setup/setup-files.js";
import { formatManualSteps, type SetupPlan, type SetupPlatform, shellPath } from "../setup/setup-plan.js";
import { workstationSetupPlan } from "../setup/setup-workstation.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";

export interface SetupOptions {
  config?: string;
  dryRun?: boolean;
  platform?: string;
}

export async function setupEngineCommand(
  options: SetupOptions & { ollama?: string; engine?: string },
): Promise<void> {
  const { config, env } = loadCliConfig(options.config);
  const platform = setupPlatform(options.platform);
  const specs = engineSpecs(config);
  const spec = options.engine === undefined ? specs[0] : specs.find((each) => each.id === options.engine);
  if (options.engine !== undefined && !spec) {
    throw new CliFailure(
      `switchyard setup engine: no Engine "${options.engine}"; configured: ${specs.map((each) => each.id).join(", ")}`,
      2,
    );
  }
  const backend = spec ? config.backends[spec.id] : undefined;
  const notes: string[] = [];
  let ollamaPath = options.ollama ? resolve(options.ollama) : findOnPath("ollama", env);
  if (!ollamaPath) {
    ollamaPath = "/usr/local/bin/ollama";
    notes.push(
      `ollama is not on PATH here; the service runs ${ollamaPath} (install Ollama, or pass --ollama)`,
    );
  }
  // The Engine profile in the config (`switchyard engine profile`) decides slots and the KV cache;
  // the listen address keeps the port the Brain uses.
  const profile = spec ? engineServiceSettingsFromConfig(config, spec.id) : undefined;
  const { OLLAMA_HOST: _host, ...profiled } = profile?.environment ?? {};
  if (profile?.gpuWiredLimitMb !== undefined) {
    notes.push(
      `The profile lets the GPU use more memory than macOS allows by default: run \`sudo sysctl iogpu.wired_limit_mb=${profile.gpuWiredLimitMb}\` (it resets at reboot; put it in a launch daemon to keep it)`,
    );
  }
  const plan = engineSetupPlan({
    home: homeOf(env),
    platform,
    ollamaPath,
    environment: {
      ...engineServiceEnvironmentDefaults({
        ...(spec ? { baseUrl: spec.baseUrl } : {}),
        ...(backend?.type === "ollama" ? { slots: backend.slots } : {}),
        ...(backend?.type === "ollama" && backend.max_loaded_models
          ? { maxLoadedModels: backend.max_loaded_models }
          : {}),
      }),
      ...profiled,
    },
  });
  runPlan({ ...plan, notes: [...notes, ...plan.notes] }, options, homeOf(env));
}

export async function setupBrainCommand(
  options: SetupOptions & { host: string; tokenFile?: string },
): Promise<void> {
  const loaded = loadCliConfig(options.config);
  const { config, env } = loaded;
  const platform = setupPlatform(options.platform);
  const home = homeOf(env);
  const packageRoot = findPackageRoot();
  const notes: string[] = [];
  if (!existsSync(join(packageRoot, "dist", "src", "cli", "main.js"))) {
    notes.push(
      `${join(packageRoot, "dist")} is not built yet: run npm run build in ${packageRoot} before starting the service`,
    );
  }
  const inherited = Object.fromEntries(
    ["SWITCHYARD_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"].flatMap((name) =>
      env[name] ? [[name, env[name]!]] : [],
    ),
  );
  const plan = brainSetupPlan({
    home,
    platform,
    nodePath: process.execPath,
    switchyardPath: join(packageRoot, "bin", "switchyard.js"),
    ...(loaded.path ? { configPath: loaded.path } : {}),
    workingDirectory: process.cwd(),
    host: options.host,
    port: config.server.port,
    tokenPath: options.tokenFile
      ? resolve(options.tokenFile)
      : join(userDirs(env, platform).config, "brain-token"),
    newToken: randomBytes(32).toString("base64url"),
    shutdownGraceSeconds: config.server.shutdown_grace_seconds,
    inheritedEnvironment: inherited,
  });
  runPlan({ ...plan, notes: [...notes, ...plan.notes] }, options, home);
}

export interface WorkstationOptions {
  brain: string;
  engine?: string;
  user?: string;
  port: string;
  tokenFile?: string;
  dryRun?: boolean;
}

export async function setupWorkstationCommand(options: WorkstationOptions): Promise<void> {
  const env = process.env;
  const home = homeOf(env);
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliFailure(
      `switchyard setup workstation: --port must be a port number; got "${options.port}"`,
      2,
    );
  }
  const sshConfigPath = join(home, ".ssh", "config");
  const plan = workstationSetupPlan({
    home,
    existingSshConfig: existsSync(sshConfigPath) ? readFileSync(sshConfigPath, "utf8") : "",
    clientConfigPath: clientConfigPath(env),
    brainHost: options.brain,
    brainPort: port,
    ...(options.engine ? { engineHost: options.engine } : {}),
    user: options.user ?? userInfo().username,
    ...tokenFor(options, env),
  });
  runPlan(plan, options, home);
}

/** --token-file (or stdin), else SWITCHYARD_TOKEN, else the token the client config already has. */
function tokenFor(options: WorkstationOptions, env: NodeJS.ProcessEnv): { token?: string } {
  if (options.tokenFile) {
    let text: string;
    try {
      text = readFileSync(options.tokenFile === "-" ? 0 : options.tokenFile, "utf8");
    } catch (error) {
      throw new CliFailure(
        `switchyard setup workstation: cannot read --token-file ${options.tokenFile}: ${(error as Error).message}`,
        2,
      );
    }
    const token = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== "" && !line.startsWith("#"));
    if (!token) throw new CliFailure(`switchyard setup workstation: ${options.tokenFile} holds no token`, 2);
    return { token };
  }
  if (env.SWITCHYARD_TOKEN) return { token: env.SWITCHYARD_TOKEN };
  try {
    const token = readClientConfig(env)?.config.token;
    return token ? { token } : {};
  } catch (error) {
    // A broken client config is about to be replaced; its token cannot be trusted anyway.
    if (error instanceof ConfigError) return {};
    throw error;
  }
}

function runPlan(plan: SetupPlan, options: { dryRun?: boolean }, home: string): void {
  const dryRun = options.dryRun === true;
  const out: string[] = [];
  for (const directory of ensureDirectories(plan.directories, { dryRun })) {
    out.push(`${dryRun ? "would create" : "created"} ${shellPath(directory, home)}/`);
  }
  for (const outcome of applyPlannedFiles(plan.files, { dryRun, now: new Date() })) {
    const verb = {
      create: dryRun ? "would create" : "created",
      update: dryRun ? "would update" : "updated",
      unchanged: "unchanged",
      kept: "kept",
    }[outcome.action];
    out.push(`${verb} ${shellPath(outcome.path, home)} — ${outcome.description}`);
    if (outcome.diff) out.push(outcome.diff.trimEnd());
    if (outcome.backupPath) out.push(`  (the previous version is in ${shellPath(outcome.backupPath, home)})`);
  }
  for (const note of plan.notes) out.push(`note: ${note}`);
  out.push("");
  if (dryRun)
    out.push("Dry run: nothing was written. Run it again without --dry-run to write these files.\n");
  out.push(formatManualSteps(plan.manualSteps));
  process.stdout.write(`${out.join("\n").trimEnd()}\n`);
}

function setupPlatform(given: string | undefined): SetupPlatform {
  const platform = given ?? process.platform;
  if (platform === "darwin" || platform === "linux") return platform;
  throw new CliFailure(
    `switchyard setup: services are set up on macOS (darwin) or Linux; got "${platform}" (--platform darwin or linux writes one of those)`,
    2,
  );
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const directory of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** The folder holding Switchyard's package.json: bin/switchyard.js is there, built or from source. */
function findPackageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (dirname(directory) !== directory) {
    const manifest = join(directory, "package.json");
    const parsed = existsSync(manifest) ? parseJsonOrUndefined(readFileSync(manifest, "utf8")) : undefined;
    if ((parsed as { name?: unknown } | null | undefined)?.name === "switchyard") return directory;
    directory = dirname(directory);
  }
  throw new CliFailure(
    "switchyard setup brain: cannot find Switchyard's own package.json above this file",
    1,
  );
}
