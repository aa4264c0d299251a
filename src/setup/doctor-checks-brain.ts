/**
 * The Brain's checklist: every Engine reachable at its configured URL from here, with its models
 * pulled, resident together, its slots measured and its profile fitting; the OpenRouter key valid,
 * with its limit and credit; the configured paid models in OpenRouter's catalog and not retired or
 * about to be (`expiration_date`); the budget and its alerts; the programs the gates run; and the
 * Brain's own service up and answering with its token.
 */
import {
  fetchKeyInfo,
  fetchModels,
  type OpenRouterApiOptions,
  openRouterApi,
} from "../backends/openai-compatible/openrouter-api.js";
import { engineSpecs } from "../engines/engine-spec.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import { findToolchains } from "../escalation/toolchains.js";
import { engineSettingsFromConfig } from "../planning/engine-profile.js";
import { type DoctorCheck, failed, passed, warned } from "./doctor-check.js";
import {
  engineReachableCheck,
  modelsPulledCheck,
  modelsResidentCheck,
  profileFitsCheck,
  slotsCheck,
} from "./doctor-checks-ollama.js";
import { brainServiceCheck, brainTokenCheck } from "./doctor-checks-workstation.js";
import type { DoctorEnvironment } from "./doctor-environment.js";
import { findOnPath, gatePrograms, languageCheckedTasks } from "./gate-toolchains.js";

const DAY = 86_400_000;
/** A retirement this close is a warning. */
const RETIREMENT_WARNING_DAYS = 60;

export function brainChecks(environment: DoctorEnvironment): DoctorCheck[] {
  const { config, timeouts } = environment;
  const checks: DoctorCheck[] = [];
  for (const spec of engineSpecs(config)) {
    if (environment.engineId !== undefined && spec.id !== environment.engineId) continue;
    const target = { spec, baseUrl: spec.baseUrl, where: "from the Brain" };
    checks.push(
      engineReachableCheck(target, timeouts),
      modelsPulledCheck(target, timeouts),
      modelsResidentCheck(target, timeouts),
      slotsCheck(target, config, timeouts),
    );
    const settings = engineSettingsFromConfig(config, spec.id);
    if (settings) checks.push(profileFitsCheck(settings, timeouts));
  }
  const api = openRouterApi(config);
  if (api) checks.push(openRouterKeyCheck(api, environment), openRouterModelsCheck(api, environment));
  checks.push(
    budgetCheck(environment),
    toolchainsCheck(environment),
    brainServiceCheck(environment, environment.localBrainUrl, "Brain"),
    brainTokenCheck(environment, environment.localBrainUrl, "Brain"),
  );
  return checks;
}

function openRouterKeyCheck(
  api: OpenRouterApiOptions & { backendId: string },
  environment: DoctorEnvironment,
): DoctorCheck {
  const budget = environment.config.budget.monthly_usd;
  return {
    id: "openrouter-key",
    title: "OpenRouter key valid, with a limit and credit",
    timeoutMs: environment.timeouts.networkMs,
    run: async (signal) => {
      if (!api.apiKey) {
        return failed(
          `backends.${api.backendId}.api_key is empty`,
          "Put OPENROUTER_API_KEY=<key> in the Brain's .env (create a key at https://openrouter.ai/settings/keys)",
        );
      }
      let info: Awaited<ReturnType<typeof fetchKeyInfo>>;
      try {
        info = await fetchKeyInfo({ ...api, signal, timeoutMs: environment.timeouts.networkMs });
      } catch (error) {
        return keyFailure(error);
      }
      const usd = (value: number) => `$${value.toFixed(2)}`;
      const label = info.label ? `key ${info.label}: ` : "";
      const spent = `${usd(info.usageUsd)} used`;
      if (info.limitUsd === null) {
        return warned(
          `${label}valid, no spending limit, ${spent}`,
          `Set a limit on the key at https://openrouter.ai/settings/keys (e.g. $${budget}); Switchyard obeys the lower of it and budget.monthly_usd`,
        );
      }
      const left = info.limitRemainingUsd ?? info.limitUsd - info.usageUsd;
      const figures = `${label}limit ${usd(info.limitUsd)}${info.limitReset ? ` (${info.limitReset})` : ""}, ${usd(left)} left, ${spent}`;
      if (left <= 0)
        return failed(`${figures}: paid requests will be refused`, "Add credit or raise the key's limit");
      if (left < budget) {
        return warned(
          `${figures}: less than budget.monthly_usd ($${budget}), so the key's figure rules`,
          "Add credit or raise the key's limit, or lower budget.monthly_usd",
        );
      }
      return passed(figures);
    },
  };
}

function keyFailure(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SwitchyardError && error.code === "upstream-authentication") {
    return failed(
      `the key was refused: ${message}`,
      "Create a new key at https://openrouter.ai/settings/keys and put it in OPENROUTER_API_KEY",
    );
  }
  return failed(
    message,
    "Check that the Brain reaches OpenRouter (backends.<id>.base_url, a proxy, DNS, a firewall)",
  );
}

function openRouterModelsCheck(api: OpenRouterApiOptions, environment: DoctorEnvironment): DoctorCheck {
  const { config } = environment;
  const paid = Object.entries(config.aliases).filter(([, alias]) => {
    const backend = config.backends[alias.backend];
    return backend?.type === "openai-compatible" && backend.flavor === "openrouter";
  });
  return {
    id: "openrouter-models",
    title: "Configured paid models listed by OpenRouter and not retiring",
    timeoutMs: environment.timeouts.networkMs,
    run: async (signal) => {
      let catalog: Awaited<ReturnType<typeof fetchModels>>;
      try {
        catalog = await fetchModels({ ...api, signal, timeoutMs: environment.timeouts.networkMs });
      } catch (error) {
        return failed(
          error instanceof Error ? error.message : String(error),
          "Check that the Brain reaches OpenRouter (backends.<id>.base_url, a proxy, DNS, a firewall)",
        );
      }
      const now = environment.now();
      const problems: string[] = [];
      const soon: string[] = [];
      const fine: string[] = [];
      for (const [name, alias] of paid) {
        const entry = catalog.find((model) => model.id === alias.model);
        if (!entry) {
          problems.push(`${name} (${alias.model}) is not in the catalog: retired or misspelled`);
          continue;
        }
        const retires = entry.expirationDate ? Date.parse(`${entry.expirationDate}T00:00:00Z`) : Number.NaN;
        if (!Number.isNaN(retires) && retires <= now) {
          problems.push(`${name} (${alias.model}) was retired on ${entry.expirationDate}`);
        } else if (!Number.isNaN(retires)) {
          const days = Math.ceil((retires - now) / DAY);
          (days <= RETIREMENT_WARNING_DAYS ? soon : fine).push(
            `${name} (${alias.model}) retires on ${entry.expirationDate}, in ${days} days`,
          );
        } else {
          fine.push(`${name} (${alias.model})`);
        }
      }
      const fix =
        "Point the alias at a current model id from https://openrouter.ai/models (aliases.<name>.model), then switchyard models sync";
      if (problems.length > 0) return failed([...problems, ...soon].join("; "), fix);
      if (soon.length > 0) return warned(soon.join("; "), fix);
      return passed(`${fine.join(", ") || "no paid aliases"} listed`);
    },
  };
}

function budgetCheck(environment: DoctorEnvironment): DoctorCheck {
  const { budget } = environment.config;
  return {
    id: "budget",
    title: "Budget and alerts configured",
    timeoutMs: environment.timeouts.networkMs,
    run: async () => {
      const caps = Object.entries(budget.aliases).map(([alias, usd]) => `${alias} $${usd}`);
      const targets = [
        "the log",
        ...budget.alerts.webhooks.map((hook) => `${hook.format} ${new URL(hook.url).host}`),
      ];
      const detail = `monthly $${budget.monthly_usd}${caps.length > 0 ? ` (${caps.join(", ")})` : ""}, alerts at ${budget.alert_thresholds.join("/")}% to ${targets.join(", ")}`;
      const over = Object.entries(budget.aliases).filter(([, usd]) => usd > budget.monthly_usd);
      if (budget.monthly_usd === 0)
        return warned(
          `${detail}: no paid request can run`,
          "Set budget.monthly_usd (the reference setup: 100)",
        );
      if (over.length > 0) {
        return warned(
          `${detail}: ${over.map(([alias]) => alias).join(", ")} ceiling above the monthly total`,
          "Keep budget.aliases.* at or below budget.monthly_usd",
        );
      }
      if (budget.alerts.webhooks.length === 0 || budget.alert_thresholds.length === 0) {
        return warned(
          `${detail}: nobody is told when a threshold passes`,
          "Add budget.alerts.webhooks, e.g. - { url: https://ntfy.sh/<topic>, format: ntfy }",
        );
      }
      return passed(detail);
    },
  };
}

function toolchainsCheck(environment: DoctorEnvironment): DoctorCheck {
  return {
    id: "toolchains",
    title: "Programs the executable gates run are on PATH",
    timeoutMs: environment.timeouts.networkMs,
    run: async () => {
      const programs = gatePrograms(environment.config);
      const byLanguage = languageCheckedTasks(environment.config);
      if (programs.size === 0 && byLanguage.length === 0) return passed("no executable gates configured");
      const missing: string[] = [];
      const found: string[] = [];
      for (const [program, tasks] of programs) {
        if (findOnPath(program, environment.path)) found.push(program);
        else missing.push(`${program} (gates of ${tasks.join(", ")})`);
      }
      if (missing.length > 0) {
        return failed(
          `not on PATH: ${missing.join("; ")}`,
          "Install them where the Brain's service finds them (e.g. npm i -g typescript), or write absolute paths in the commands",
        );
      }
      // Checks by language use what is there; a missing compiler only leaves its files unchecked.
      const toolchains = findToolchains(environment.path);
      const unchecked = [
        ...(toolchains.tsc ? [] : ["TypeScript (tsc)"]),
        ...(toolchains.python ? [] : ["Python (python3)"]),
      ];
      const checked = [
        "JavaScript (node)",
        ...(toolchains.tsc ? ["TypeScript"] : []),
        ...(toolchains.python ? ["Python"] : []),
      ];
      const languages =
        byLanguage.length > 0 ? `; ${byLanguage.join(", ")} checked by language: ${checked.join(", ")}` : "";
      if (byLanguage.length > 0 && unchecked.length > 0) {
        return warned(
          `${found.length > 0 ? `${found.join(", ")} found` : "commands found"}${languages}; not found: ${unchecked.join(", ")}, so those files go unchecked`,
          "Install them on the Brain (npm i -g typescript; apt install python3 / brew install python) to check that code too",
        );
      }
      return passed(`${found.length > 0 ? `${found.join(", ")} found` : "all found"}${languages}`);
    },
  };
}
