/**
 * Which machine the doctor is on, when `--role` does not say: a config file that sets up a server
 * (a `server:` or `database:` section) is the Brain; SWITCHYARD_URL pointing somewhere is the
 * Workstation; an Engine URL on loopback with Ollama answering there is the Engine; an OpenRouter
 * key is a Brain. The reason is printed with the role, so a wrong guess is one `--role` away.
 */
import { isMap, isScalar, parseDocument } from "yaml";
import type { DoctorRole } from "./doctor-check.js";

export interface RoleFacts {
  configPath: string | undefined;
  /** The config file's own text (not the merged defaults). */
  configText: string | undefined;
  switchyardUrl: string | undefined;
  /** The first Engine's URL, when it is on this machine. */
  localEngineUrl: string | undefined;
  ollamaAnswersLocally: boolean;
  openRouterKey: boolean;
}

export interface RoleGuess {
  role: DoctorRole;
  reason: string;
}

export function guessRole(facts: RoleFacts): RoleGuess {
  const sections = topLevelKeys(facts.configText).filter((key) => key === "server" || key === "database");
  if (sections.length > 0) {
    return {
      role: "brain",
      reason: `${facts.configPath} sets ${sections.join(" and ")}: this machine runs switchyard serve`,
    };
  }
  if (facts.switchyardUrl)
    return { role: "workstation", reason: `SWITCHYARD_URL points at a Brain (${facts.switchyardUrl})` };
  if (facts.localEngineUrl && facts.ollamaAnswersLocally) {
    return { role: "engine", reason: `Ollama answers on this machine at ${facts.localEngineUrl}` };
  }
  if (facts.openRouterKey)
    return { role: "brain", reason: "OPENROUTER_API_KEY is set: the Brain holds the key" };
  return {
    role: "workstation",
    reason: "no server config, no SWITCHYARD_URL and no Ollama on this machine",
  };
}

function topLevelKeys(text: string | undefined): string[] {
  if (!text) return [];
  const document = parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents)) return [];
  return document.contents.items.flatMap((item) => (isScalar(item.key) ? [String(item.key.value)] : []));
}
