/**
 * How long the everyday commands take to start: `switchyard --version`, `--help`, `config check`,
 * `route`, `env claude` (what `switchyard claude` does before it checks the Brain), `status` and
 * `costs` (on a fresh SQLite ledger, with no Brain and no Engine answering),
 * each run as users run it (`node bin/switchyard.js`, the build), beside the baseline of loading
 * every command's implementation, which is what each command paid before they were loaded on use.
 * Wall time and the child's CPU time (user + system; less at the mercy of a busy machine), the
 * median of a few runs. Needs `npm run build`. Run it alone: `npx tsx bench/cli-start-bench.ts`
 * (`--root <dir>` measures another checkout's build, e.g. an earlier revision's, with this bench;
 * `--runs <n>`). Not a test: the figures depend on the machine.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { openStores } from "../src/store/open-stores.js";

export interface CliStartCase {
  /** What was run, as a user types it. */
  name: string;
  runs: number;
  /** Medians, ms. */
  wallMs: number;
  cpuMs: number;
  exitCode: number | null;
}

export interface CliStartBenchResult {
  cases: CliStartCase[];
  /** Every command implementation loaded, nothing run: what each command paid before. */
  baseline: CliStartCase;
  /** 1, 5 and 15 minutes, at the start and at the end: the machine's business, beside the figures. */
  loadAverage: { start: number[]; end: number[] };
  /** The checkout whose build was measured. */
  root: string;
}

/** The package root: bin/ and dist/ are there, whether this runs from source or from dist/bench. */
function packageRoot(): string {
  const here = fileURLToPath(import.meta.url);
  return join(here, "..", "..", ...(here.endsWith(".ts") ? [] : [".."]));
}

/**
 * CPU time of the children this process has waited for, ms (fields cutime and cstime of
 * /proc/self/stat); NaN where there is no /proc. One child at a time, so a difference is one run.
 */
function childrenCpuMs(): number {
  if (!existsSync("/proc/self/stat")) return Number.NaN;
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  // 100 ticks a second on every Linux this runs on (USER_HZ).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function runOnce(command: {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<{ wallMs: number; cpuMs: number; exitCode: number | null }> {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const child = spawn(process.execPath, command.args, {
    env: command.env,
    cwd: command.cwd,
    stdio: "ignore",
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode) =>
      resolve({ wallMs: performance.now() - started, cpuMs: childrenCpuMs() - cpuBefore, exitCode }),
    );
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function measure(
  name: string,
  command: { args: string[]; env: NodeJS.ProcessEnv; cwd: string },
  runs: number,
): Promise<CliStartCase> {
  await runOnce(command); // warms the file cache; not counted
  const results = [];
  for (let run = 0; run < runs; run++) results.push(await runOnce(command));
  return {
    name,
    runs,
    wallMs: median(results.map((result) => result.wallMs)),
    cpuMs: median(results.map((result) => result.cpuMs)),
    exitCode: results.at(-1)?.exitCode ?? null,
  };
}

export async function runCliStartBench(
  options: { runs?: number; root?: string } = {},
): Promise<CliStartBenchResult> {
  const runs = options.runs ?? 5;
  const root = options.root ?? packageRoot();
  const bin = join(root, "bin", "switchyard.js");
  const cli = join(root, "dist", "src", "cli");
  if (!existsSync(join(cli, "main.js"))) throw new Error(`${cli}/main.js is missing: run npm run build`);
  const loadAtStart = loadavg();
  const home = mkdtempSync(join(tmpdir(), "switchyard-cli-start-"));
  try {
    // Nothing answers at these addresses (port 9 is discard): status finds no Brain and no Engine.
    const configPath = join(home, "switchyard.yaml");
    writeFileSync(
      configPath,
      "server:\n  port: 9\nbackends:\n  engine:\n    type: ollama\n    base_url: http://127.0.0.1:9\n",
    );
    await (await openStores(join(home, "ledger.db"))).close();
    const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_HOME: home, SWITCHYARD_CONFIG: configPath };
    for (const name of ["SWITCHYARD_URL", "SWITCHYARD_TOKEN", "OLLAMA_BASE_URL"]) delete env[name];
    const switchyard = (...args: string[]) => ({ args: [bin, ...args], env, cwd: home });
    const cases = [
      await measure("--version", switchyard("--version"), runs),
      await measure("--help", switchyard("--help"), runs),
      await measure("config check <file>", switchyard("config", "check", configPath), runs),
      await measure('route "write a test"', switchyard("route", "write a test"), runs),
      await measure("env claude", switchyard("env", "claude"), runs),
      await measure("status (fresh SQLite)", switchyard("status"), runs),
      await measure("costs (fresh SQLite)", switchyard("costs"), runs),
    ];
    const everything = readdirSync(cli)
      .filter((file) => file.endsWith(".js") && !/-main\.js$|^main\.js$|^demo-/.test(file))
      .map((file) => pathToFileURL(join(cli, file)).href);
    const importAll = `for (const url of ${JSON.stringify(everything)}) await import(url);`;
    const baseline = await measure(
      "load every command's implementation",
      { args: ["--input-type=module", "--eval", importAll], env, cwd: home },
      runs,
    );
    return { cases, baseline, loadAverage: { start: loadAtStart, end: loadavg() }, root };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const loads = (averages: number[]) => averages.map((load) => load.toFixed(2)).join(" ");

export function formatCliStartBench(result: CliStartBenchResult): string {
  const share = (each: CliStartCase) => `${(each.cpuMs / result.baseline.cpuMs).toFixed(2)}×`;
  const row = (each: CliStartCase) =>
    `${each.name.padEnd(38)} ${each.wallMs.toFixed(0).padStart(6)} ms  ${each.cpuMs.toFixed(0).padStart(6)} ms  ${share(each).padStart(6)}  exit ${each.exitCode}`;
  return [
    `CLI start-up (node bin/switchyard.js, the build at ${result.root}; median of ${result.baseline.runs} runs; load average ${loads(result.loadAverage.start)} at the start, ${loads(result.loadAverage.end)} at the end)`,
    "command                                  wall        CPU   CPU / baseline",
    ...result.cases.map(row),
    `${row(result.baseline)}  (baseline: what every command loaded before)`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { root: { type: "string" }, runs: { type: "string" } } });
  const options = {
    ...(values.root ? { root: values.root } : {}),
    ...(values.runs ? { runs: Number(values.runs) } : {}),
  };
  console.log(formatCliStartBench(await runCliStartBench(options)));
}
