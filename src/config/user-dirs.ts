/**
 * Where Switchyard keeps its files when the config does not say: the platform's per-user config
 * and data directories (XDG on Linux, ~/Library on macOS), overridable with SWITCHYARD_HOME.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export interface UserDirs {
  config: string;
  data: string;
}

export function userDirs(env: NodeJS.ProcessEnv = process.env, platform = process.platform): UserDirs {
  if (env.SWITCHYARD_HOME) {
    return { config: env.SWITCHYARD_HOME, data: env.SWITCHYARD_HOME };
  }
  const home = env.HOME ?? homedir();
  if (platform === "darwin") {
    const base = join(home, "Library", "Application Support", "Switchyard");
    return { config: base, data: base };
  }
  return {
    config: join(env.XDG_CONFIG_HOME || join(home, ".config"), "switchyard"),
    data: join(env.XDG_DATA_HOME || join(home, ".local", "share"), "switchyard"),
  };
}
