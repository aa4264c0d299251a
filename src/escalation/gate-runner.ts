/**
 * Runs a task's gates on one answer, cheapest first — structural (free), executable (seconds of
 * CPU on the Brain), judge (a model call) — and stops at the first gate that fails, since a later,
 * dearer gate cannot rescue an answer an earlier one rejected. Which gates a task has comes from
 * `gates.<task>` in the config; structural checks apply to every task unless turned off.
 */
import type { GateTaskConfig, SwitchyardConfig } from "../config/config-schema.js";
import type { TaskKind } from "../config/task-kinds.js";
import { type CheckCommand, runExecutableGate } from "./executable-gate.js";
import { type JudgeGateOptions, runJudgeGate } from "./judge-gate.js";
import type { GateCheck, GateFinding, GateInput, GateName, GateOutcome } from "./quality-gate.js";
import { structuralFindings } from "./structural-gate.js";
import { findToolchains } from "./toolchains.js";

const STRUCTURAL_ONLY: GateTaskConfig = { structural: true };

export class GateRunner {
  constructor(private readonly options: JudgeGateOptions) {}

  private get config(): SwitchyardConfig {
    return this.options.config;
  }

  gatesFor(task: TaskKind): GateTaskConfig {
    return this.config.gates[task] ?? STRUCTURAL_ONLY;
  }

  /** Whether anything would be checked for this task (with these caller-named commands). */
  applies(task: TaskKind, checkCommands: readonly string[]): boolean {
    const gates = this.gatesFor(task);
    return gates.structural || Boolean(gates.executable) || Boolean(gates.judge) || checkCommands.length > 0;
  }

  /**
   * The verdict on one answer, or undefined when the task has no gates at all. Synchronous when
   * the structural checks are all that runs (the default for every task), so an answer costs no
   * promise; a promise when an executable or judge gate has to run.
   */
  run(input: GateInput): GateOutcome | undefined | Promise<GateOutcome | undefined> {
    const task = input.route.task;
    if (!this.applies(task, input.checkCommands)) return undefined;
    const gates = this.gatesFor(task);
    const started = performance.now();
    const gatesRun: GateName[] = [];
    const remarks: GateFinding[] = [];
    const outcome = (failed: GateFinding[], check?: GateCheck): GateOutcome => ({
      verdict: failed.length > 0 ? "fail" : "pass",
      gatesRun,
      findings: failed.length > 0 ? failed : remarks,
      ...(check?.judge ? { judge: check.judge } : {}),
      durationMs: performance.now() - started,
    });

    if (gates.structural) {
      gatesRun.push("structural");
      const failed = structuralFindings(input.request, input.result);
      if (failed.length > 0) return outcome(failed);
    }

    // A turn that only asks for tools is not an answer yet: its calls were checked above; the
    // dearer gates judge the answer the loop ends with.
    if (input.result.toolCalls.length > 0 && input.result.text.trim() === "") {
      return gatesRun.length > 0 ? outcome([]) : undefined;
    }
    const commands = this.commandsFor(gates, input.checkCommands);
    const syntax = gates.executable ? gates.executable.auto : false;
    if (commands.length === 0 && !syntax && !gates.judge)
      return gatesRun.length > 0 ? outcome([]) : undefined;
    return this.runDearerGates(input, gates, commands, gatesRun, remarks, outcome);
  }

  /** The executable and judge gates, after the structural checks passed (or were off). */
  private async runDearerGates(
    input: GateInput,
    gates: GateTaskConfig,
    commands: CheckCommand[],
    gatesRun: GateName[],
    remarks: GateFinding[],
    outcome: (failed: GateFinding[], check?: GateCheck) => GateOutcome,
  ): Promise<GateOutcome | undefined> {
    const executable = gates.executable || undefined;
    if (commands.length > 0 || executable?.auto) {
      const check = await runExecutableGate({
        answer: input.result.text,
        commands,
        ...(executable?.auto
          ? { syntax: { toolchains: findToolchains(), timeoutMs: executable.timeout_ms } }
          : {}),
        signal: input.signal,
      });
      if (check.ran) gatesRun.push("executable");
      if (check.failed.length > 0) return outcome(check.failed);
    }

    if (gates.judge) {
      const check = await runJudgeGate(this.options, gates.judge, input);
      remarks.push(...(check.remarks ?? []));
      if (check.judge) gatesRun.push("judge");
      if (check.failed.length > 0) return outcome(check.failed, check);
      // A judge that was skipped or gave no score, with nothing else run, is no verdict at all.
      return gatesRun.length > 0 ? outcome([], check) : undefined;
    }
    return gatesRun.length > 0 ? outcome([]) : undefined;
  }

  private commandsFor(gates: GateTaskConfig, fromCaller: readonly string[]): CheckCommand[] {
    const executable = gates.executable || undefined;
    const configured = (executable?.commands ?? []).map((command) => ({
      command,
      timeoutMs: executable?.timeout_ms ?? this.config.escalation.check_timeout_ms,
    }));
    const named = fromCaller.map((command) => ({
      command,
      timeoutMs: this.config.escalation.check_timeout_ms,
    }));
    return [...configured, ...named];
  }
}
