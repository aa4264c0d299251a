/**
 * The tour's requests: a few kinds of work on each tier, through both front doors, in an order
 * that shows the ladder — mechanical work and drafting stay on the free Engine, judgment goes to
 * Sonnet, architecture to Opus, and one code request the local model gets wrong climbs to Sonnet —
 * while the paid ones spend past half of the demo's small budget, so an alert fires. Every request is routed by the
 * classifier from its words (`switchyard/auto`, or a Claude model name through the Anthropic
 * door), as a caller's would be.
 */

export interface TourStep {
  /** What the step shows, printed before its result. */
  title: string;
  door: "openai" | "anthropic";
  model: string;
  prompt: string;
  /** Small, so paid requests reserve little of the demo's budget. */
  maxTokens: number;
}

const DIFF = `diff --git a/src/pager.ts b/src/pager.ts
--- a/src/pager.ts
+++ b/src/pager.ts
@@ -12,7 +12,7 @@ export function pageCount(total: number, size: number): number {
-  return Math.floor(total / size);
+  return Math.ceil(total / size);
 }`;

const PAGINATE = `\`\`\`ts title="src/paginate.ts"
export function paginate(items: any[], page: number, size: number) {
  const start = page * size;
  const result = JSON.parse(JSON.stringify(items.slice(start, start + size)));
  if (result.length == 0) console.log("empty page", page);
  return result;
}
\`\`\``;

export const TOUR_STEPS: readonly TourStep[] = [
  {
    title: "A commit message: mechanical work, stays on the free local coder",
    door: "openai",
    model: "switchyard/auto",
    prompt: `Write a commit message for this change: fix the off-by-one that dropped the pager's last page\n\n${DIFF}`,
    maxTokens: 400,
  },
  {
    title: "Code generation: the local coder writes it, a type check (tsc --strict) passes it",
    door: "openai",
    model: "switchyard/auto",
    prompt: "Write a TypeScript function slugify(title: string): string that turns a title into a URL slug.",
    maxTokens: 1_000,
  },
  {
    title:
      "A user story through the Anthropic door (as Claude Code asks): the local reasoner thinks it through",
    door: "anthropic",
    model: "claude-sonnet-4-5",
    prompt: "Draft a user story for exporting invoices as CSV from the billing page.",
    maxTokens: 1_000,
  },
  {
    title: "A code review: judgment, so it starts on Sonnet (paid)",
    door: "openai",
    model: "switchyard/auto",
    prompt: `Review this pull request for bugs, risks and style before it is merged:\n\n${PAGINATE}`,
    maxTokens: 600,
  },
  {
    title: "Code the local model gets wrong: the type check fails, the request climbs to Sonnet",
    door: "openai",
    model: "switchyard/auto",
    prompt: "Implement a generic LRU cache class in TypeScript with get and set and a fixed capacity.",
    maxTokens: 700,
  },
  {
    title: "An architecture design through the Anthropic door: Opus, the rare tier",
    door: "anthropic",
    model: "claude-opus-4-6",
    prompt:
      "Design the architecture for splitting billing and invoicing out of the monolith: the service boundaries, where each service keeps its data, and how an invoice stays consistent with its payments.",
    maxTokens: 450,
  },
  {
    title: "A gap analysis: Sonnet again, with the budget past its first alert",
    door: "openai",
    model: "switchyard/auto",
    prompt:
      "Find the gaps between this spec and the implementation: the spec requires CSV export, PDF export and emailed invoices; the implementation only has CSV export.",
    maxTokens: 400,
  },
];
