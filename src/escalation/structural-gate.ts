/**
 * The structural gate: the free checks that catch an answer that is no answer — empty, cut off by
 * the token limit, filtered, a refusal, a repetition loop, not the JSON (or not the JSON shape) the
 * caller asked for, or tool calls that name unknown tools or carry arguments the tool cannot take.
 * Pure; every finding says what a stronger model must do differently.
 */
import type { ChatRequest, ChatResult } from "../protocol/chat-types.js";
import { parseJson } from "../protocol/safe-json.js";
import { schemaProblems } from "./json-schema-check.js";
import type { GateFinding } from "./quality-gate.js";
import { findRefusal, findRepetition } from "./text-defects.js";

/** Below this, a caller's own max_tokens is taken as intended brevity rather than a defect. */
const CALLER_CAP_TOKENS = 1_024;

export function structuralFindings(request: ChatRequest, result: ChatResult): GateFinding[] {
  const findings: GateFinding[] = [];
  const fail = (check: string, message: string) => findings.push({ gate: "structural", check, message });
  const text = result.text;
  const hasToolCalls = result.toolCalls.length > 0;

  if (text.trim() === "" && !hasToolCalls) {
    fail(
      "empty",
      result.finishReason === "length" && result.reasoning !== ""
        ? "the answer is empty: the token limit was spent on reasoning before any answer was written"
        : "the answer is empty",
    );
    return findings;
  }
  // A small max_tokens the caller chose binds every rung alike: climbing cannot fix that cut.
  const callerCapped = request.maxTokens !== undefined && request.maxTokens < CALLER_CAP_TOKENS;
  if (result.finishReason === "length" && !callerCapped) {
    fail("length", "the answer was cut off by the token limit before it was complete");
  }
  if (result.finishReason === "content-filter") {
    fail("content-filter", "the answer was stopped by a content filter");
  }
  const refusal = findRefusal(text);
  if (refusal) fail("refusal", `the answer refuses the request ("${refusal}")`);
  const loop = findRepetition(text);
  if (loop) {
    fail("repetition", `the answer is stuck in a loop: "${loop.unit}" repeated ${loop.times} times`);
  }
  if (!hasToolCalls) findings.push(...formatFindings(request, text));
  findings.push(...toolCallFindings(request, result));
  return findings;
}

/** Structured output: `json` must parse; `json-schema` must also match the schema. */
function formatFindings(request: ChatRequest, text: string): GateFinding[] {
  const format = request.responseFormat;
  if (!format || format.type === "text") return [];
  const parsed = parseJson(text.trim());
  if (!parsed.ok) {
    return [
      {
        gate: "structural",
        check: "json",
        message: `the request asked for JSON but the answer is not valid JSON (${parsed.error}); answer with the JSON value alone, no prose or code fences`,
      },
    ];
  }
  if (format.type !== "json-schema") return [];
  const problems = schemaProblems(parsed.value, format.schema);
  if (problems.length === 0) return [];
  return [
    {
      gate: "structural",
      check: "json-schema",
      message: `the JSON does not match the requested schema${format.name ? ` "${format.name}"` : ""}: ${problems.join("; ")}`,
    },
  ];
}

function toolCallFindings(request: ChatRequest, result: ChatResult): GateFinding[] {
  const findings: GateFinding[] = [];
  const tools = new Map((request.tools ?? []).map((tool) => [tool.name, tool]));
  const choice = request.toolChoice;
  if (result.toolCalls.length === 0) {
    if (tools.size > 0 && (choice === "required" || typeof choice === "object")) {
      const which = typeof choice === "object" ? `the tool ${choice.name}` : "a tool";
      findings.push({
        gate: "structural",
        check: "tool-call",
        message: `the request required a call to ${which}, but the answer made none`,
      });
    }
    return findings;
  }
  for (const call of result.toolCalls) {
    const fail = (message: string) => findings.push({ gate: "structural", check: "tool-call", message });
    const tool = tools.get(call.name);
    if (!tool) {
      const known = [...tools.keys()];
      fail(
        `the answer calls a tool named "${call.name}" that the request does not offer${known.length ? `; offered: ${known.join(", ")}` : ""}`,
      );
      continue;
    }
    const parsed = parseJson(call.arguments.trim() === "" ? "{}" : call.arguments);
    if (!parsed.ok) {
      fail(`the arguments of the call to ${call.name} are not valid JSON (${parsed.error})`);
      continue;
    }
    const problems = schemaProblems(parsed.value, tool.parameters);
    if (problems.length > 0) {
      fail(`the arguments of the call to ${call.name} do not match its parameters: ${problems.join("; ")}`);
    }
  }
  return findings;
}
