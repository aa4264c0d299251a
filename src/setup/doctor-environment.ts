/**
 * Everything the doctor reads about the machine it runs on, in one object: the config, the
 * environment (SWITCHYARD_URL, SWITCHYARD_TOKEN, PATH, HOME), the Brain's addresses, this machine's
 * LAN addresses and memory, where Ollama's service keeps its environment and macOS's GPU limit.
 * `localDoctorEnvironment` fills it from the real machine; tests build one pointing at temp dirs
 * and fakes, so no check reads a global.
 */
import { execFile } from "node:child_process";
import { homedir, networkInterfaces, totalmem } from "node:os";
import type { SwitchyardConfig } from "../config/config-schema.js";
import type { ServiceLocations } from "./service-environment.js";

export interface DoctorTimeouts {
  /** One HTTP answer (version, tags, key, health); default 5 s. */
  networkMs: number;
  /** Loading every served model (a cold 32B model reads ~20 GB); default 180 s. */
  warmMs: number;
  /** The slot probe as a whole; default 60 s. */
  probeMs: number;
  /** How long the slot probe watches for streams to start; default 20 s. */
  probeWindowMs: number;
}

export const DEFAULT_DOCTOR_TIMEOUTS: DoctorTimeouts = {
  networkMs: 5_000,
  warmMs: 180_000,
  probeMs: 60_000,
  probeWindowMs: 20_000,
};

export interface DoctorEnvironment {
  config: SwitchyardConfig;
  /** The config file read, or undefined on defaults alone. */
  configPath: string | undefined;
  /** Its text, to tell which sections the user set (not the merged defaults). */
  configText: string | undefined;
  env: NodeJS.ProcessEnv;
  home: string;
  /** The PATH the gates' commands get. */
  path: string;
  /** The Brain as a client reaches it (`--url`, SWITCHYARD_URL, else server.host:port). */
  brainUrl: string;
  /** True when `brainUrl` came from `--url` or SWITCHYARD_URL. */
  brainUrlGiven: boolean;
  /** This machine's own gateway (server.host:port, a wildcard host as loopback). */
  localBrainUrl: string;
  /** SWITCHYARD_TOKEN, else the first of server.auth_tokens. */
  token: string | undefined;
  /** Non-loopback IPv4 addresses of this machine, for the LAN check. */
  lanAddresses: string[];
  totalMemoryBytes: number;
  serviceLocations: ServiceLocations;
  /** `sysctl -n iogpu.wired_limit_mb` (0: macOS's default); undefined where there is none. */
  readGpuWiredLimitMb: () => Promise<number | undefined>;
  /** Only this Engine (`--engine`). */
  engineId?: string;
  now: () => number;
  timeouts: DoctorTimeouts;
}

export type LocalDoctorInputs = Pick<
  DoctorEnvironment,
  "config" | "configPath" | "configText" | "env" | "brainUrl" | "brainUrlGiven" | "localBrainUrl" | "token"
> & { engineId?: string | undefined; timeouts?: Partial<DoctorTimeouts> };

export function localDoctorEnvironment(inputs: LocalDoctorInputs): DoctorEnvironment {
  const { engineId, timeouts, ...rest } = inputs;
  const home = inputs.env.HOME || homedir();
  const onMac = process.platform === "darwin";
  return {
    ...rest,
    home,
    path: inputs.env.PATH ?? "",
    lanAddresses: lanAddresses(),
    totalMemoryBytes: totalmem(),
    serviceLocations: {
      home,
      root: "/",
      ...(onMac ? { launchctlGetenv: (name: string) => command("launchctl", ["getenv", name]) } : {}),
    },
    readGpuWiredLimitMb: async () => {
      if (!onMac) return undefined;
      const text = await command("sysctl", ["-n", "iogpu.wired_limit_mb"]);
      return text === undefined || !/^\d+$/.test(text) ? undefined : Number(text);
    },
    ...(engineId === undefined ? {} : { engineId }),
    now: Date.now,
    timeouts: { ...DEFAULT_DOCTOR_TIMEOUTS, ...timeouts },
  };
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === "IPv4" && !entry.internal)
    .map((entry) => entry.address);
}

/** A short command's trimmed output; undefined when it fails or says nothing. */
function command(program: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 3_000 }, (error, stdout) =>
      resolve(error || stdout.trim() === "" ? undefined : stdout.trim()),
    );
  });
}
