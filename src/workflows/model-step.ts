/**
 * One model step of a workflow — the only way a workflow reaches a model: through the spine
 * (`Switchyard.chat`: route, budget, dispatch, gate, settle), as front door "workflow", caller
 * `run:<id>`. The step's output is typed: a structured one is sent as a JSON Schema (the
 * structural gate fails an answer that does not fit, and the ladder climbs) and checked again with
 * zod; a text one by its parser. An answer the step still cannot use is a failed gate too: the
 * step asks the next rung of the ladder, with the problem, until `escalation.max_hops` — then the
 * step fails. Its row and its answer are recorded before it returns, so a re-run after a crash
 * reuses them instead of paying again; a budget cap on the way pauses the run.
 *
 * The fan-out limiter admits each model attempt the step makes — its answer, a fallback or an
 * escalation, each tool-loop turn, the judge that grades it — on the alias that attempt runs on,
 * for as long as that attempt is in flight (the spine's `ChatCaller.throttle`): an explorer's
 * place on its model is free again while its answer is judged on another, and judges are held to
 * the width of their own model.
 */
import { z } from "zod";
import type { TaskKind } from "../config/task-kinds.js";
import type { ChatAnswer, ChatCaller } from "../core/chat-call.js";
import { SwitchyardError } from "../errors/switchyard-error.js";
import type { ChatMessage, ChatRequest, JsonObject } from "../protocol/chat-types.js";
import { collectChatEvents } from "../protocol/chat-types.js";
import { parseJson } from "../protocol/safe-json.js";
import type { RunStepRecord } from "../store/runs-store.js";
import { callTotals } from "./ledger-watch.js";
import type { RunContext } from "./run-context.js";
import type { TextParser } from "./step-outputs.js";

export type StepOutput<T> = { type: "json"; schema: z.ZodType<T> } | { type: "text"; parse: TextParser<T> };

export interface ModelStepSpec<T> {
  /** Unique in the run and the same when the step re-runs (`explore:src/cache`, `code-generation#2`). */
  key: string;
  node: string;
  label: string;
  task: TaskKind;
  /** Start on this alias instead of the task's own (`cloud-sonnet` for a synthesis). */
  alias?: string;
  prompt: string;
  output: StepOutput<T>;
  maxTokens?: number;
  /** Hub tool patterns the model may call (the spine's tool loop), e.g. `fs.read,fs.search`. */
  tools?: readonly string[];
  artefact: { kind: string; name: string };
}

export interface ModelStepResult<T> {
  value: T;
  /** The answer as the model gave it (a JSON answer: its text). */
  text: string;
  artefactId: string;
  step: RunStepRecord;
  /** True when a finished step's recorded answer was used (a resumed run). */
  reused: boolean;
}

/** A step that could not produce a usable answer: the run fails with this, resumable. */
export class StepFailure extends Error {
  constructor(
    readonly stepKey: string,
    message: string,
  ) {
    super(message);
    this.name = "StepFailure";
  }
}

const DEFAULT_MAX_TOKENS = 4_096;

export async function runModelStep<T>(
  context: RunContext,
  spec: ModelStepSpec<T>,
): Promise<ModelStepResult<T>> {
  const { journal } = context;
  const done = await journal.completed(spec.key);
  if (done?.artefactId) {
    const text = await journal.artefactText(done.artefactId);
    const parsed = parseOutput(spec.output, text);
    if (parsed.ok) {
      journal.reused(done);
      return { value: parsed.value, text, artefactId: done.artefactId, step: done, reused: true };
    }
  }
  const request = buildRequest(spec);
  const firstAlias =
    spec.alias ?? context.switchyard.planner.plan({ request, taskHint: spec.task }).ladder[0]?.alias;
  const started = await journal.start({
    key: spec.key,
    node: spec.node,
    kind: "model",
    label: spec.label,
    task: spec.task,
    alias: firstAlias ?? null,
  });
  const totals = { costUsd: 0, inputTokens: 0, outputTokens: 0, escalations: 0 };
  const tiers: number[] = [];
  let requestId: string | null = null;
  try {
    let messages = request.messages;
    let model = request.model;
    for (let hop = 0; ; hop++) {
      const { answer, rows, callId } = await ask(context, spec, { ...request, messages, model });
      requestId ??= callId;
      const spent = callTotals(rows);
      totals.costUsd += spent.costUsd;
      totals.inputTokens += spent.inputTokens;
      totals.outputTokens += spent.outputTokens;
      totals.escalations += (answer.gated?.escalations ?? 0) + (hop > 0 ? 1 : 0);
      for (const tier of spent.tiers) if (!tiers.includes(tier)) tiers.push(tier);
      const text = answer.gated?.result.text ?? (await collectChatEvents(answer.events)).text;
      const parsed = parseOutput(spec.output, text);
      if (parsed.ok) {
        const artefactId = await journal.putArtefact({
          stepKey: spec.key,
          kind: spec.artefact.kind,
          name: spec.artefact.name,
          content: text,
        });
        const step = await journal.finish(started, {
          ...totals,
          alias: answer.step.alias,
          model: answer.step.model,
          tier: answer.step.tier,
          requestId,
          artefactId,
          detail: hop > 0 ? `answered after ${hop} re-ask${hop === 1 ? "" : "s"} up the ladder` : null,
        });
        return { value: parsed.value, text, artefactId, step, reused: false };
      }
      const next = nextRung(answer, hop, context.config.escalation.max_hops);
      if (!next)
        throw new StepFailure(
          spec.key,
          `${spec.label}: ${answer.step.alias}'s answer ${parsed.problem}, and there is no rung left to ask (escalation.max_hops ${context.config.escalation.max_hops})`,
        );
      messages = [
        ...request.messages,
        { role: "assistant", content: text.slice(0, context.config.escalation.feedback_answer_chars) },
        {
          role: "user",
          content: `A previous attempt was rejected by a quality check: ${parsed.problem}. Answer the original request correctly.`,
        },
      ];
      model = next;
    }
  } catch (error) {
    await journal.fail(started, error instanceof Error ? error.message : String(error), {
      ...totals,
      requestId,
      tier: tiers.at(-1) ?? null,
    });
    throw error;
  }
}

async function ask<T>(
  context: RunContext,
  spec: ModelStepSpec<T>,
  request: ChatRequest,
): Promise<{ answer: ChatAnswer; rows: ReturnType<RunContext["ledger"]["watch"]>["rows"]; callId: string }> {
  const caller: ChatCaller = {
    frontDoor: "workflow",
    signal: context.signal,
    caller: `run:${context.run.id}`,
    taskHint: spec.task,
    forbidDowngrade: context.settings.on_budget_exhausted === "pause",
    ...(spec.tools && spec.tools.length > 0 ? { tools: spec.tools } : {}),
    throttle: (step, attemptRequest, signal) =>
      context.limiter.acquire(
        step.alias,
        context.worstCaseUsd(
          step.alias,
          promptChars(attemptRequest),
          attemptRequest.maxTokens ?? DEFAULT_MAX_TOKENS,
        ),
        signal,
      ),
  };
  const call = context.switchyard.chat(request, caller);
  const watch = context.ledger.watch(call.id);
  try {
    return { answer: await call.answer, rows: watch.rows, callId: call.id };
  } finally {
    watch.stop();
  }
}

/** The prompt's size in characters, for the limiter's worst case (a tool-loop turn's calls count too). */
function promptChars(request: ChatRequest): number {
  return request.messages.reduce((sum, message) => sum + messageChars(message), 0);
}

function messageChars(message: ChatMessage): number {
  const content = message.content ?? "";
  const text = typeof content === "string" ? content.length : JSON.stringify(content).length;
  const calls = message.role === "assistant" ? (message.toolCalls ?? []) : [];
  return calls.reduce((sum, call) => sum + call.name.length + call.arguments.length, text);
}

function buildRequest<T>(spec: ModelStepSpec<T>): ChatRequest {
  const messages: ChatMessage[] = [
    {
      role: "system",
      content: `You are one step of a Switchyard development workflow. task: ${spec.task}. Do exactly the work asked, in the form asked.`,
    },
    { role: "user", content: spec.prompt },
  ];
  return {
    model: spec.alias ?? `switchyard/${spec.task}`,
    messages,
    stream: false,
    maxTokens: spec.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(spec.output.type === "json"
      ? {
          responseFormat: {
            type: "json-schema" as const,
            name: spec.artefact.kind.replace(/[^A-Za-z0-9_-]/g, "_"),
            schema: jsonSchemaOf(spec.output.schema),
          },
        }
      : {}),
  };
}

const schemas = new WeakMap<z.ZodType, JsonObject>();

function jsonSchemaOf(schema: z.ZodType): JsonObject {
  let json = schemas.get(schema);
  if (!json) {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema) as JsonObject;
    json = rest;
    schemas.set(schema, json);
  }
  return json;
}

function parseOutput<T>(
  output: StepOutput<T>,
  text: string,
): { ok: true; value: T } | { ok: false; problem: string } {
  if (output.type === "text") return output.parse(text);
  const parsed = parseJson(stripFence(text));
  if (!parsed.ok) return { ok: false, problem: `is not JSON (${parsed.error})` };
  const checked = output.schema.safeParse(parsed.value);
  if (checked.success) return { ok: true, value: checked.data };
  const issues = checked.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`)
    .join("; ");
  return { ok: false, problem: `does not fit its schema (${issues})` };
}

/** Some models wrap JSON in a ```json fence even when asked for JSON alone. */
function stripFence(text: string): string {
  const fenced = /^\s*```[a-z]*\n([\s\S]*?)\n```\s*$/i.exec(text);
  return fenced ? fenced[1]! : text;
}

/** The alias above the one that answered, when the step may climb once more. */
function nextRung(answer: ChatAnswer, hop: number, maxHops: number): string | undefined {
  if (hop + (answer.gated?.escalations ?? 0) >= maxHops) return undefined;
  const ladder = answer.route.ladder;
  const index = ladder.findIndex((step) => step.alias === answer.step.alias);
  return index === -1 ? undefined : ladder[index + 1]?.alias;
}

export function isBudgetPause(error: unknown): error is SwitchyardError {
  return error instanceof SwitchyardError && error.code === "budget-exceeded";
}
