/**
 * What a simulated model makes of a request: which kind of work it is, what was asked, and
 * whether it is a retry after a rejected answer or a judge's grading request. Switchyard does not
 * send the task kind upstream, so the simulator reads it as a model would, from the text: a judge
 * prompt names its task; an escalated request carries the quality check's findings; a system
 * prompt may say `task: <kind>` outright; otherwise the same classifier the router uses decides.
 */
import { isTaskKind, type TaskKind } from "../config/task-kinds.js";
import type { ChatMessage } from "../protocol/chat-types.js";
import { classifyMessages } from "../routing/task-classifier.js";
import type { SimulatedAsk, SimulatedMessage } from "./simulated-ask.js";

export interface AskReading {
  /** The work asked for; "judge" for a request to grade another answer. */
  kind: TaskKind | "judge";
  /** For a judge: the kind of the answer it grades. */
  judgedKind?: TaskKind;
  /** The last thing the user asked, before any retry feedback. */
  request: string;
  /** Every message of the original conversation, joined: where code and diffs are looked for. */
  conversation: string;
  /** For a retry: what the quality check said about the rejected answer. */
  feedback?: string;
}

const JUDGE_OPENING = /^You grade another assistant's answer to a "([a-z-]+)" task/;
const RETRY_OPENING =
  /^(?:A previous attempt was|\d+ previous attempts were) rejected by (?:a )?quality checks?/;
const TASK_LINE = /\btask(?:[ -]kind)?\s*[:=]\s*"?([a-z]+(?:-[a-z]+)*)"?/i;

export function readAsk(ask: SimulatedAsk): AskReading {
  const system = ask.messages.find((message) => message.role === "system")?.content ?? "";
  const judged = JUDGE_OPENING.exec(system)?.[1];
  const last = ask.messages.at(-1);
  const retry = last?.role === "user" && RETRY_OPENING.test(last.content) ? last : undefined;
  const original = retry ? ask.messages.slice(0, -1) : ask.messages;
  const request = [...original].reverse().find((message) => message.role === "user")?.content ?? "";
  const conversation = original.map((message) => message.content).join("\n\n");
  if (judged !== undefined) {
    return { kind: "judge", ...(isTaskKind(judged) ? { judgedKind: judged } : {}), request, conversation };
  }
  const named = TASK_LINE.exec(system)?.[1];
  const kind = named !== undefined && isTaskKind(named) ? named : classify(original);
  return { kind, request, conversation, ...(retry ? { feedback: retry.content } : {}) };
}

function classify(messages: readonly SimulatedMessage[]): TaskKind {
  const chat: ChatMessage[] = messages.map((message) =>
    message.role === "system" || message.role === "assistant"
      ? { role: message.role, content: message.content }
      : { role: "user", content: message.content },
  );
  return classifyMessages(chat).task;
}
