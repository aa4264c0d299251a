/**
 * `switchyard doctor` as a function: settle the role (given, or guessed from what this machine
 * has), build that role's checklist and run it, each check under its own time limit. Returns the
 * results with the role and why, and the exit code (0: nothing failed, 1: something did).
 */
import { getOllamaVersion } from "../backends/ollama/ollama-api.js";
import { openRouterApi } from "../backends/openai-compatible/openrouter-api.js";
import { isLoopbackHost } from "../config/config-schema.js";
import { engineSpecs } from "../engines/engine-spec.js";
import type { CheckResult, CheckStatus, DoctorRole, DoctorTimer } from "./doctor-check.js";
import { realTimer } from "./doctor-check.js";
import { brainChecks } from "./doctor-checks-brain.js";
import { engineChecks } from "./doctor-checks-engine.js";
import { workstationChecks } from "./doctor-checks-workstation.js";
import type { DoctorEnvironment } from "./doctor-environment.js";
import { guessRole } from "./doctor-role.js";
import { countStatuses, doctorExitCode, runChecks } from "./doctor-runner.js";

export interface DoctorOptions {
  environment: DoctorEnvironment;
  /** The role to check; guessed when undefined. */
  role?: DoctorRole;
  timer?: DoctorTimer;
  onResult?: (result: CheckResult) => void;
  /** Called once the role is settled, before the checks run. */
  onRole?: (role: DoctorRole, guessed: boolean, reason: string) => void;
}

export interface DoctorReport {
  role: DoctorRole;
  guessed: boolean;
  reason: string;
  results: CheckResult[];
  counts: Record<CheckStatus, number>;
  exitCode: 0 | 1;
}

/** How long the role guess waits for a local Ollama. */
const LOCAL_OLLAMA_WAIT_MS = 1_500;

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { environment } = options;
  const timer = options.timer ?? realTimer;
  const settled = options.role
    ? { role: options.role, guessed: false, reason: "chosen with --role" }
    : { ...(await guess(environment, timer)), guessed: true };
  options.onRole?.(settled.role, settled.guessed, settled.reason);
  const checks =
    settled.role === "engine"
      ? engineChecks(environment)
      : settled.role === "brain"
        ? brainChecks(environment)
        : workstationChecks(environment);
  const results = await runChecks(checks, {
    timer,
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  return { ...settled, results, counts: countStatuses(results), exitCode: doctorExitCode(results) };
}

async function guess(environment: DoctorEnvironment, timer: DoctorTimer) {
  const spec = engineSpecs(environment.config)[0];
  const localEngineUrl = spec && isLoopbackHost(new URL(spec.baseUrl).hostname) ? spec.baseUrl : undefined;
  let ollamaAnswersLocally = false;
  if (localEngineUrl) {
    const controller = new AbortController();
    const cancel = timer.start(LOCAL_OLLAMA_WAIT_MS, () => controller.abort());
    try {
      await getOllamaVersion({
        baseUrl: localEngineUrl,
        signal: controller.signal,
        timeoutMs: LOCAL_OLLAMA_WAIT_MS,
      });
      ollamaAnswersLocally = true;
    } catch {
      // Not here.
    } finally {
      cancel();
    }
  }
  return guessRole({
    configPath: environment.configPath,
    configText: environment.configText,
    switchyardUrl: environment.brainUrlGiven ? environment.brainUrl : undefined,
    localEngineUrl,
    ollamaAnswersLocally,
    openRouterKey: Boolean(openRouterApi(environment.config)?.apiKey),
  });
}
