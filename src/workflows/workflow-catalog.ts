/**
 * Which workflows there are: the built-ins, and YAML workflows — a path to a `.yaml` file, or a
 * name found in `workflows.directory` (default: `workflows/` beside the config file). A YAML
 * workflow is loaded (and validated, errors naming the line: yaml/yaml-workflow-load.ts) when it
 * is named; its run keeps the file's path and digest, so the run resumes only with the definition
 * it started with. An unknown name is one line listing what there is.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve } from "node:path";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { RunRecord } from "../store/runs-store.js";
import { bughuntWorkflow } from "./graphs/bughunt-workflow.js";
import { featureWorkflow } from "./graphs/feature-workflow.js";
import { groomWorkflow } from "./graphs/groom-workflow.js";
import { reviewWorkflow } from "./graphs/review-workflow.js";
import type { WorkflowDefinition } from "./workflow-definition.js";
import { type YamlWorkflowDefinition, yamlWorkflowDefinition } from "./yaml/yaml-workflow-definition.js";
import { loadYamlWorkflow } from "./yaml/yaml-workflow-load.js";

export const BUILT_IN_WORKFLOWS: readonly WorkflowDefinition[] = [
  featureWorkflow,
  bughuntWorkflow,
  groomWorkflow,
  reviewWorkflow,
];

export class WorkflowCatalog {
  private readonly loaded = new Map<string, { mtimeMs: number; definition: YamlWorkflowDefinition }>();

  /** `directory`: where YAML workflows are found by name (may not exist). */
  constructor(private readonly directory: string) {}

  /** The built-ins' names and the YAML workflows in the directory. */
  names(): { builtIn: string[]; yaml: string[] } {
    const yaml = existsSync(this.directory)
      ? readdirSync(this.directory)
          .filter((file) => /\.ya?ml$/.test(file))
          .map((file) => basename(file, extname(file)))
      : [];
    return { builtIn: BUILT_IN_WORKFLOWS.map((workflow) => workflow.name), yaml };
  }

  /** A workflow by name, or by the path of its YAML file (relative to `cwd`). */
  resolve(nameOrPath: string, cwd: string): WorkflowDefinition {
    const builtIn = BUILT_IN_WORKFLOWS.find((workflow) => workflow.name === nameOrPath);
    if (builtIn) return builtIn;
    const path = this.yamlPath(nameOrPath, cwd);
    if (!path) {
      const { builtIn: names, yaml } = this.names();
      throw new SwitchyardError(
        "not-found",
        `Unknown workflow "${nameOrPath}": the built-in ones are ${names.join(", ")}${
          yaml.length > 0 ? `; in ${this.directory}: ${yaml.join(", ")}` : ""
        }; or give the path of a .yaml workflow`,
      );
    }
    return this.load(path);
  }

  /**
   * The definition a run was started with: a YAML run's file, as long as it is unchanged (its
   * checkpoints name that file's nodes).
   */
  forRun(run: RunRecord): WorkflowDefinition {
    const definitionPath = run.input.definition;
    if (typeof definitionPath !== "string") return this.resolve(run.workflow, process.cwd());
    if (!existsSync(definitionPath))
      throw new SwitchyardError(
        "not-found",
        `Run ${run.id}'s workflow file ${definitionPath} is gone; put it back to go on with the run`,
      );
    const definition = this.load(definitionPath);
    const digest = run.input.definitionDigest;
    if (typeof digest === "string" && digest !== definition.digest)
      throw new SwitchyardError(
        "conflict",
        `${definitionPath} has changed since run ${run.id} started; restore it to go on with the run, or start a new one`,
      );
    return definition;
  }

  private yamlPath(nameOrPath: string, cwd: string): string | undefined {
    if (/\.ya?ml$/.test(nameOrPath)) {
      const path = resolve(cwd, nameOrPath);
      if (!existsSync(path)) throw new SwitchyardError("not-found", `No workflow file ${path}`);
      return path;
    }
    for (const extension of [".yaml", ".yml"]) {
      const path = join(this.directory, `${nameOrPath}${extension}`);
      if (existsSync(path)) return path;
    }
    return undefined;
  }

  /** Loads (or reuses, while the file is unchanged) a YAML workflow: one compiled graph per version. */
  private load(path: string): YamlWorkflowDefinition {
    const mtimeMs = statSync(path).mtimeMs;
    const cached = this.loaded.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached.definition;
    const shown = relative(process.cwd(), path);
    const file = shown.startsWith("..") || isAbsolute(shown) ? path : shown;
    // A file's name becomes the workflow's (and its worktrees' and branches') unless it gives one.
    const fallbackName =
      basename(path, extname(path))
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^[^a-z]+|-+$/g, "") || "workflow";
    const loaded = loadYamlWorkflow(readFileSync(path, "utf8"), file, fallbackName);
    const definition = yamlWorkflowDefinition(loaded, path);
    this.loaded.set(path, { mtimeMs, definition });
    return definition;
  }
}
