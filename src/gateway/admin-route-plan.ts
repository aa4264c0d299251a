/**
 * `POST /admin/route`: the routing plan for a prompt, as `switchyard route --json` prints it (with
 * the confidence, the back end and the budget stand-ins), made by the running planner — so it
 * sees the Opus share and the context windows the Brain sees. Nothing is sent to a model.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { TASK_KINDS } from "../config/task-kinds.js";
import type { SwitchyardRuntime } from "../core/switchyard-runtime.js";
import { promptChatRequest } from "../protocol/prompt-request.js";
import { explainRoute } from "../routing/route-explanation.js";
import { parseBody } from "./parse-body.js";

const routeQuestionSchema = z.strictObject({
  prompt: z
    .string({
      error: (issue) => (issue.input === undefined ? "is required: the prompt to plan for" : "must be text"),
    })
    .min(1, { error: "must not be empty" }),
  task: z
    .enum(TASK_KINDS, { error: `must be one of the 15 task kinds: ${TASK_KINDS.join(", ")}` })
    .optional(),
  system: z.string().optional(),
  model: z.string().min(1).optional(),
});

export function registerRoutePlanRoute(app: FastifyInstance, runtime: SwitchyardRuntime): void {
  app.post("/admin/route", async (request) => {
    const question = parseBody(routeQuestionSchema, request.body);
    const route = runtime.switchyard.planner.plan({
      request: promptChatRequest(question),
      taskHint: question.task,
    });
    return explainRoute(route);
  });
}
