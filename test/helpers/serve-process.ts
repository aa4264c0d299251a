/**
 * A real `switchyard serve` process (through tsx, from the sources), for the tests that need
 * one: kill -9, signals, a restart. Resolves once it says where it listens.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Every line it has logged so far (it logs JSON lines to stdout). */
  lines: string[];
  exited: Promise<number | null>;
}

export async function startServeProcess(configPath: string, home: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "--config", configPath, "serve"],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SWITCHYARD_HOME: home } },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout! });
  return new Promise<ServeProcess>((resolve, reject) => {
    reader.on("line", (line) => {
      lines.push(line);
      const match = /listening on (http:\/\/[^"\s]+)/.exec(line);
      if (match) resolve({ child, url: match[1]!, lines, exited });
    });
    void exited.then(() => reject(new Error("switchyard serve exited before listening")));
  });
}
