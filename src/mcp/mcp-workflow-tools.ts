/**
 * The workflow tools — `run_workflow`, `run_status`, `approve` — over a service's `WorkflowRuns`.
 * Offered only when the service has workflow runs; until Switchyard's workflows are wired into
 * the services, no service has, and these tools are not listed.
 */
import { z } from "zod";
import { defineTool, jsonOutput, type ServerTool } from "../tools/servers/tool-server-kit.js";
import type { WorkflowRuns } from "./switchyard-service.js";

const runId = z
  .string({ error: "must be a run id, as run_workflow returned it" })
  .min(1, { error: "must not be empty" })
  .describe("The run's id, as run_workflow returned it.");

export function workflowTools(runs: WorkflowRuns): ServerTool[] {
  const workflows = runs.workflows();
  const names = workflows.map((workflow) => workflow.name);
  const listed = workflows.map((workflow) => `${workflow.name} (${workflow.description})`).join("; ");
  return [
    defineTool({
      name: "run_workflow",
      description: `Start one of Switchyard's multi-step workflows on the Brain; each step runs on the cheapest tier that can do it and a human gate may pause the run for approval. Workflows: ${listed || "none configured"}. Use it for a larger piece of work a workflow covers; follow it with run_status. Returns the run's id and where it stands, as JSON.`,
      inputSchema: z.strictObject({
        workflow: z
          .string({ error: `must name a workflow: ${names.join(", ")}` })
          .refine((name) => names.includes(name), { error: `must name a workflow: ${names.join(", ")}` })
          .describe(`The workflow to start: ${names.join(", ")}.`),
        input: z
          .record(z.string(), z.unknown())
          .default({})
          .describe("The workflow's input, as its description asks."),
      }),
      hints: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      run: async (args, context) =>
        jsonOutput(await runs.start({ workflow: args.workflow, input: args.input }, context.signal)),
    }),
    defineTool({
      name: "run_status",
      description:
        "Where a workflow run stands: its steps and their results, what it is waiting for (an approval), and what it has spent. Use it after run_workflow, and to see what an approval would decide. Read-only. Returns JSON.",
      inputSchema: z.strictObject({ run_id: runId }),
      run: async (args, context) => jsonOutput(await runs.status(args.run_id, context.signal)),
    }),
    defineTool({
      name: "approve",
      description:
        "Answer a workflow run's human gate: approve to let it continue, or reject to stop it, with an optional comment the workflow sees. Use it only when the user has decided; check run_status first. Returns where the run stands afterwards, as JSON.",
      inputSchema: z.strictObject({
        run_id: runId,
        approved: z
          .boolean({ error: "must be true (approve) or false (reject)" })
          .describe("true to approve, false to reject."),
        comment: z.string().optional().describe("Why, or what to change; the workflow sees it."),
      }),
      hints: { readOnlyHint: false, destructiveHint: false },
      run: async (args, context) =>
        jsonOutput(
          await runs.approve(
            { runId: args.run_id, approved: args.approved, comment: args.comment },
            context.signal,
          ),
        ),
    }),
  ];
}
