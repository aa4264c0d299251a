/**
 * The checks every workflow on a repository makes before a run exists: the path is there and is
 * the top of a git repository (not a folder inside one), and — for a run that branches from HEAD
 * — it has no uncommitted changes to tracked files, which the run would not see. Each failure is
 * one line saying what to do; nothing is made or changed.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { SwitchyardError } from "../../errors/switchyard-error.js";
import type { RunTools } from "../run-tools.js";
import type { PreparedRun, PrepareEnvironment } from "../workflow-definition.js";

export function invalidInput(workflow: string, error: z.ZodError): SwitchyardError {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  return new SwitchyardError("invalid-request", `${workflow}: ${where}${issue?.message ?? "bad input"}`);
}

/** The run's worktree (and branch suffix): the workflow and the random end of the run id. */
export function worktreeNameFor(workflow: string, runId: string): string {
  return `${workflow}-${runId.replace(/-/g, "").slice(-8)}`;
}

/** A real, existing path from the input, or one clear line about it. */
export function existingPath(path: string, environment: PrepareEnvironment, what: string): string {
  const absolute = resolve(environment.cwd, path);
  if (!existsSync(absolute))
    throw new SwitchyardError("invalid-request", `${what} ${absolute} does not exist`);
  return realpathSync(absolute);
}

export async function prepareRepositoryRun(
  repo: string,
  environment: PrepareEnvironment,
  workflow: string,
): Promise<Pick<PreparedRun, "repository" | "tools">> {
  const repository = existingPath(repo, environment, "The repository");
  if (!statSync(repository).isDirectory())
    throw new SwitchyardError(
      "invalid-request",
      `--repo ${repository} is a file; name the repository's top folder`,
    );
  if (!existsSync(join(repository, ".git")))
    throw new SwitchyardError(
      "invalid-request",
      `${repository} is not the top of a git repository (no .git there); name the folder that holds .git`,
    );
  return {
    repository,
    tools: {
      repository,
      fsRoot: { kind: "worktree", name: worktreeNameFor(workflow, environment.runId) },
      fsWrites: false,
    },
  };
}

/** Refuses a repository whose tracked files have uncommitted changes (the run starts from HEAD). */
export async function verifyCleanRepository(tools: RunTools): Promise<void> {
  const status = await tools.call("git.status", {});
  const changed = status
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "" && !line.startsWith("??"));
  if (changed.length > 0) {
    const files = changed.map((line) => line.slice(3)).slice(0, 3);
    throw new SwitchyardError(
      "invalid-request",
      `The repository has uncommitted changes (${files.join(", ")}${changed.length > 3 ? ", …" : ""}); commit or stash them first — the run branches from HEAD and would not see them`,
    );
  }
}
