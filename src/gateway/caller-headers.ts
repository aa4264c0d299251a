/**
 * What the Switchyard headers on a request tell the spine about its caller, read the same way at
 * every front door: `x-switchyard-task` names the task, `x-switchyard-no-downgrade` asks for an
 * error rather than a cheaper model at a budget cap, `x-switchyard-check` (repeatable) names
 * check commands for the executable gate (the spine decides whether those are allowed), and
 * `x-switchyard-tools` (`git.*,fs.read`) names the MCP tools the model may call in an agent loop.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ChatCaller } from "../core/chat-call.js";
import { abortOnDisconnect } from "./http-stream.js";

export function callerFromRequest(
  frontDoor: string,
  request: FastifyRequest,
  reply: FastifyReply,
  arrivedAt: number,
  user: string | undefined,
): ChatCaller {
  return {
    frontDoor,
    signal: abortOnDisconnect(reply),
    arrivedAt,
    caller: user,
    taskHint: headerValue(request, "x-switchyard-task"),
    forbidDowngrade: isTrue(headerValue(request, "x-switchyard-no-downgrade")),
    checkCommands: headerValues(request, "x-switchyard-check"),
    tools: headerValues(request, "x-switchyard-tools")
      ?.flatMap((value) => value.split(","))
      .map((pattern) => pattern.trim())
      .filter(Boolean),
  };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function headerValues(request: FastifyRequest, name: string): string[] | undefined {
  const raw = request.headers[name];
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).map((value) => value.trim()).filter((value) => value !== "");
}

function isTrue(value: string | undefined): boolean {
  const normalised = value?.trim().toLowerCase();
  return normalised === "1" || normalised === "true" || normalised === "yes";
}
