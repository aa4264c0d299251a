/**
 * Runs fixtures/budget-child.ts as a real second process (node + tsx) and reads its output line
 * by line, so tests can reserve from another process, race processes, or kill one mid-request.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD_SCRIPT = fileURLToPath(new URL("./fixtures/budget-child.ts", import.meta.url));

export interface BudgetChild {
  process: ChildProcess;
  /** The next line the child prints (rejects if it exits first). */
  nextLine(): Promise<string>;
  exited: Promise<number | null>;
}

export function startBudgetChild(args: string[]): BudgetChild {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const waiters: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(line);
    else lines.push(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`budget child exited: ${stderr}`));
  });
  return {
    process: child,
    exited,
    nextLine: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (child.exitCode !== null || child.signalCode !== null)
        return Promise.reject(new Error(`budget child exited: ${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
  };
}
