/**
 * The workflow commands: `switchyard run <workflow>` (runs it here, with live progress, until it
 * finishes or waits for a person), `runs` and `runs show`, `approve`, `reject`, `resume` and
 * `cancel`. Runs live in the ledger's database, so any of these can pick up a run another
 * process started. With a Brain named (`--url`, SWITCHYARD_URL, the client config) each works on
 * the Brain's runs instead, through its admin API (remote-runs.ts). Bad input — an unknown
 * workflow, a missing repository, uncommitted changes, an unknown run id — is one line and changes
 * nothing.
 */
import { readFileSync } from "node:fs";
import { startRuntime } from "../core/switchyard-runtime.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { databaseLocation, openStores } from "../store/open-stores.js";
import type { RunRecord } from "../store/runs-store.js";
import { ToolServerSpares } from "../tools/tool-server-spares.js";
import { RunsService } from "../workflows/runs-service.js";
import { namedBrainFor } from "./brain-client.js";
import { CliFailure, loadCliConfig } from "./cli-context.js";
import { cliLogger } from "./cli-logger.js";
import { RemoteRuns, runStatusOption } from "./remote-runs.js";
import { formatRunDetail, formatRunList, haltSummary, unfinished } from "./run-format.js";
import { RunProgress } from "./run-progress.js";
import { cliLauncher } from "./tools-command.js";

export interface RunOptions {
  story?: string;
  repo?: string;
  modules?: string;
  backlog?: string;
  branch?: string;
  base?: string;
  diff?: string;
  testCommand?: string;
  lintCommand?: string;
  input?: string[];
  json?: boolean;
  url?: string;
}

function remoteRuns(url: string | undefined, configPath: string | undefined): RemoteRuns | undefined {
  const brain = namedBrainFor({ url, config: configPath });
  return brain ? new RemoteRuns(brain) : undefined;
}

/** `approve <id>`: the edited text is read first, so a bad --edit changes nothing. */
export async function approveCommand(
  id: string,
  options: { edit?: string; note?: string; url?: string },
  configPath: string | undefined,
): Promise<void> {
  const edit = options.edit === undefined ? undefined : readEdit(options.edit);
  const remote = remoteRuns(options.url, configPath);
  if (remote) return remote.approve(id, { edit, note: options.note });
  await withService(
    configPath,
    async (service) => {
      await follow(
        service,
        await service.approve(id, {
          ...(edit ? { edit } : {}),
          ...(options.note ? { note: options.note } : {}),
        }),
      );
    },
    { runsTools: true },
  );
}

export async function rejectCommand(
  id: string,
  options: { reason: string; url?: string },
  configPath: string | undefined,
): Promise<void> {
  await (remoteRuns(options.url, configPath)?.reject(id, options.reason) ??
    withService(configPath, async (service) => follow(service, await service.reject(id, options.reason))));
}

export async function resumeCommand(
  id: string,
  options: { url?: string },
  configPath: string | undefined,
): Promise<void> {
  await (remoteRuns(options.url, configPath)?.resume(id) ??
    withService(configPath, async (service) => follow(service, await service.resume(id)), {
      runsTools: true,
    }));
}

export async function cancelCommand(
  id: string,
  options: { url?: string },
  configPath: string | undefined,
): Promise<void> {
  await (remoteRuns(options.url, configPath)?.cancel(id) ??
    withService(configPath, async (service) => {
      const run = await service.cancel(id);
      process.stdout.write(haltSummary(run));
    }));
}

export async function runCommand(
  workflow: string,
  options: RunOptions,
  configPath: string | undefined,
): Promise<void> {
  const input = inputFrom(options);
  const remote = remoteRuns(options.url, configPath);
  if (remote) return remote.start(workflow, input, options);
  await withService(
    configPath,
    async (service) => {
      const run = await service.start(workflow, input);
      if (!options.json) process.stdout.write(`Run ${run.id}: ${run.workflow}\n`);
      await follow(service, run, options.json);
    },
    { runsTools: true },
  );
}

/** Shows the run's progress until it pauses or ends, then what happened; exit 1 unless done or paused. */
async function follow(service: RunsService, run: RunRecord, json = false): Promise<void> {
  const progress = json
    ? undefined
    : new RunProgress(run.id, { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY });
  const stop = progress ? service.subscribe((event) => progress.handle(event)) : undefined;
  let halted: RunRecord;
  try {
    halted = await service.halted(run.id);
  } finally {
    stop?.();
    progress?.stop();
  }
  if (json) process.stdout.write(`${JSON.stringify(await service.show(halted.id), null, 2)}\n`);
  else {
    const reportId = halted.outcome?.report;
    const report =
      typeof reportId === "string" ? ((await service.artefact(reportId)).content ?? undefined) : undefined;
    process.stdout.write(haltSummary(halted, report));
  }
  if (halted.status !== "done" && halted.status !== "paused") throw new CliFailure(unfinished(halted), 1);
}

export async function runsCommand(
  options: { limit: string; status?: string; json?: boolean; url?: string },
  configPath: string | undefined,
) {
  const limit = Number(options.limit) || 20;
  const one = runStatusOption(options.status);
  const remote = remoteRuns(options.url, configPath);
  if (remote) return remote.list({ limit, status: one, json: options.json });
  await withStores(configPath, async (stores) => {
    const status = one ? [one] : undefined;
    const runs = await stores.runs.listRuns({
      limit,
      ...(status ? { status } : {}),
    });
    process.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : formatRunList(runs));
  });
}

export async function runsShowCommand(
  id: string,
  options: { artefact?: string; json?: boolean; url?: string },
  configPath: string | undefined,
) {
  const remote = remoteRuns(options.url, configPath);
  if (remote) return remote.show(id, options);
  await withStores(configPath, async (stores) => {
    const run = await stores.runs.getRun(id);
    if (!run) throw new CliFailure(`switchyard runs show: no run ${id}; switchyard runs lists them`, 2);
    if (options.artefact) {
      const artefact = await stores.runs.artefact(options.artefact);
      if (!artefact || artefact.runId !== id)
        throw new CliFailure(`switchyard runs show: run ${id} has no artefact ${options.artefact}`, 2);
      process.stdout.write(
        options.json ? `${JSON.stringify(artefact, null, 2)}\n` : `${artefact.content ?? "(pruned)"}\n`,
      );
      return;
    }
    const detail = {
      run,
      steps: await stores.runs.steps(id),
      artefacts: await stores.runs.artefacts(id),
      outline: [],
    };
    process.stdout.write(options.json ? `${JSON.stringify(detail, null, 2)}\n` : formatRunDetail(detail));
  });
}

function inputFrom(options: RunOptions): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const entry of options.input ?? []) {
    const equals = entry.indexOf("=");
    if (equals < 1) throw new CliFailure(`switchyard run: --input takes key=value; got "${entry}"`, 2);
    input[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  const named: Record<string, unknown> = {
    story: options.story,
    repo: options.repo ?? (options.backlog || options.diff ? undefined : "."),
    modules: options.modules
      ?.split(",")
      .map((module) => module.trim())
      .filter(Boolean),
    backlog: options.backlog,
    branch: options.branch,
    base: options.base,
    diff: options.diff,
    testCommand: options.testCommand,
    lintCommand: options.lintCommand,
  };
  for (const [key, value] of Object.entries(named)) if (value !== undefined) input[key] = value;
  return input;
}

function readEdit(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new CliFailure(`switchyard approve: cannot read ${path} (${(error as Error).message})`, 2);
  }
}

/** Runs `work` with the runtime and the runs service up; a Ctrl-C leaves the run resumable. */
async function withService(
  configPath: string | undefined,
  work: (service: RunsService) => Promise<void>,
  options: { runsTools?: boolean } = {},
) {
  const loaded = loadCliConfig(configPath);
  // A command that runs a workflow here starts its fs server now, to load beside the runtime's own
  // start; the run's hub takes it in its plan step. One, not replaced: the command ends with its run.
  const spares = new ToolServerSpares({
    launcher: cliLauncher(),
    kinds: ["fs"],
    perKind: options.runsTools ? Math.min(loaded.config.workflows.warm_spares, 1) : 0,
    refill: false,
  }).start();
  // Warnings only, on stderr: the progress lines are the output here.
  const logger = cliLogger("warn");
  const runtime = await startRuntime(loaded.config, { env: loaded.env, logger }).catch(
    async (error: unknown) => {
      await spares.close();
      throw error;
    },
  );
  let service: RunsService | undefined;
  let stopping = false;
  const interrupt = () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write("\nStopping; the run stays resumable (switchyard resume <id>).\n");
    void service?.close();
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  process.once("SIGHUP", interrupt);
  onBrokenOutput(interrupt);
  try {
    service = await RunsService.open({
      runtime,
      launcher: cliLauncher(),
      configPath: loaded.path,
      env: loaded.env,
      spares,
      host: "command",
    });
    await work(service);
  } catch (error) {
    throw asCliFailure(error);
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    process.off("SIGHUP", interrupt);
    onBrokenOutput(undefined);
    await service?.close();
    await spares.close();
    await runtime.close();
  }
}

let brokenOutput: (() => void) | undefined;
let watchingOutput = false;

/**
 * What to do when the reader of stdout goes away (`switchyard run … | head`): stop as at Ctrl-C,
 * the run left resumable, rather than die of the write — which left the run marked running and a
 * budget reservation held. The listener stays for the life of the process, as a write made just
 * before the command ends fails a tick later; after the command a broken pipe is ignored.
 */
function onBrokenOutput(handler: (() => void) | undefined): void {
  brokenOutput = handler;
  if (watchingOutput) return;
  watchingOutput = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
    brokenOutput?.();
  });
}

async function withStores(
  configPath: string | undefined,
  work: (stores: Awaited<ReturnType<typeof openStores>>) => Promise<void>,
) {
  const loaded = loadCliConfig(configPath);
  const stores = await openStores(databaseLocation(loaded.config, loaded.env));
  try {
    await work(stores);
  } finally {
    await stores.close();
  }
}

/** Bad input (unknown names, paths, states) is a usage error: exit 2, one line. */
function asCliFailure(error: unknown): unknown {
  if (!(error instanceof SwitchyardError)) return error;
  const usage = error.code === "invalid-request" || error.code === "not-found";
  return new CliFailure(`switchyard: ${error.message}`, usage ? 2 : 1);
}
