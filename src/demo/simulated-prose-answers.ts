/**
 * The simulated answers for the reasoning and judgment task kinds: stories, backlogs, bug hunts,
 * elaborations, gap analyses, reviews, decision gates, QA checks, architecture decisions, and the
 * judge's JSON score. Each is a template in the shape a good answer of that kind has, filled from
 * the request's subject and, for reviews, from the code's findings. Each returns the body; the
 * writer adds the closing note.
 */
import type { TaskKind } from "../config/task-kinds.js";
import type { AnswerContext } from "./simulated-code-answers.js";
import { codeFindings } from "./simulated-code-findings.js";
import { SIMULATED_PROGRAMS } from "./simulated-programs.js";
import { synthesisAnswer } from "./simulated-synthesis-answers.js";
import { codeIn, lowerFirst, subjectOf, upperFirst } from "./simulated-text.js";

export function storyDraftingAnswer({ reading }: AnswerContext): string {
  const subject = lowerFirst(subjectOf(reading.request).replace(/^(user )?stor(y|ies) (for|about)\s+/i, ""));
  const role = /\b(admin|administrator)\b/i.test(reading.request)
    ? "an administrator"
    : /\b(developer|engineer)\b/i.test(reading.request)
      ? "a developer"
      : "a customer";
  return `## Story: ${upperFirst(subject)}

**As** ${role}, **I want** ${subject}, **so that** I can get my work done without a manual workaround or a support ticket.

### Acceptance criteria
1. **Given** I am signed in with the right permission, **when** I start ${subject}, **then** it completes and I see a confirmation naming what was done.
2. **Given** the input is invalid or incomplete, **when** I submit it, **then** nothing changes and the error tells me which field to fix.
3. **Given** the operation takes longer than two seconds, **when** it runs, **then** I see progress and can leave the page without losing it.
4. **Given** it succeeded, **when** I come back later, **then** the result is in my history with who did it and when.

### Out of scope
- Bulk operations and scheduling (a follow-up story).

### Open questions
- Who may do this: every user, or only some roles?
- Is there an audit or retention requirement for the result?`;
}

export function backlogGroomingAnswer({ reading }: AnswerContext): string {
  const subject = subjectOf(reading.request);
  return `## Groomed backlog: ${subject}

| # | Item | Size | Value | Why this order |
|---|---|---|---|---|
| 1 | Fix the defect users hit today | S | High | Blocks real work; small and well understood |
| 2 | The smallest end-to-end slice of ${lowerFirst(subject)} | M | High | Proves the path and unblocks feedback |
| 3 | Error messages and empty states for that slice | S | Medium | Cheap, and cuts support load |
| 4 | Performance pass on the slow query | M | Medium | Only once usage data says where it hurts |
| 5 | Nice-to-have polish | L | Low | Revisit after items 1–4 ship |

Duplicates: item 3 overlaps the old "better errors" ticket — merge them.
Gaps: nothing covers monitoring; add an item to alert on the failure rate before item 2 ships.
Needs splitting: item 5 is too large to estimate; break it up before it is planned.`;
}

export function bugHuntingAnswer({ reading }: AnswerContext): string {
  const found = codeIn(reading.conversation);
  const finding = found ? codeFindings(found).find((candidate) => candidate.blocking) : undefined;
  const cause = finding
    ? `line ${finding.line} of ${found?.path ?? "the code"}: ${finding.message}`
    : "state shared between requests: a value computed for one caller is reused for the next, so the bug appears only under load or after a particular sequence of calls";
  return `## Most likely cause
${upperFirst(cause)}.

## Evidence
- The symptom is intermittent and depends on the input, which fits ${finding ? "an edge case in this line rather than a broken feature" : "shared state rather than a logic error on one path"}.
- Nothing in the material points at the network or the database: the failure is the same with both warm.

## Next step
1. Write a failing test that reproduces it with the smallest input (${finding ? "the boundary value" : "two calls in a row with different inputs"}).
2. ${finding ? upperFirst(finding.fix) : "Make the value local to the call, or key any cache by every input it depends on"}.
3. Keep the test: it guards against the regression.

## Other suspects, less likely
- An off-by-one at a boundary (first or last item).
- An error swallowed earlier that leaves a half-built value behind.`;
}

export function elaborationAnswer({ reading }: AnswerContext): string {
  const subject = subjectOf(reading.request);
  return `## ${upperFirst(subject)}, elaborated

**What it is.** ${upperFirst(subject)} means making the behaviour explicit end to end: who starts it, what goes in, what comes out, and what happens when something is missing.

**The missing details**
- Inputs: which fields are required, their formats and limits.
- Outputs: what the caller sees on success and on each kind of failure.
- Scale: expected volume per day and the largest single input.
- Ownership: which team runs it and who is paged when it fails.

**Assumptions made here**
- It runs inside the existing service; no new infrastructure.
- Existing authentication and permissions apply unchanged.

**Open questions**
1. Is partial success acceptable, or must it be all or nothing?
2. How long must results be kept, and who may delete them?
3. What is the deadline, and which part is the smallest useful first release?`;
}

export function gapAnalysisAnswer({ reading }: AnswerContext): string {
  const subject = subjectOf(reading.request);
  return `## Gap analysis: ${subject}

| Gap | Impact | Remedy |
|---|---|---|
| Requirements stated but not implemented | Users hit missing features; the spec and the product disagree | List each missing requirement as a ticket with an owner |
| No tests for the failure paths | Regressions ship unnoticed | Add one test per documented error case |
| Behaviour implemented but never specified | Nobody can tell a bug from a feature | Write down the intended behaviour, or remove it |
| No monitoring of the new path | Failures are found by users | Add an alert on its error rate |

**Most important:** the first row — everything else is cheaper once the spec and the code agree.
**Not a gap:** performance; nothing in the material suggests a problem there yet.`;
}

export function codeReviewAnswer({ reading }: AnswerContext): string {
  const synthesis = synthesisAnswer(reading.request);
  if (synthesis) return synthesis;
  const found = codeIn(reading.conversation);
  if (!found) {
    return `## Review: ${subjectOf(reading.request)}\n\n**Verdict:** cannot approve yet — there is no code or diff in the request. Paste the change (a fenced block or a unified diff) and I will review it line by line.`;
  }
  const file = found.path ?? "the change";
  const findings = codeFindings(found);
  const blocking = findings.filter((finding) => finding.blocking);
  const nits = findings.filter((finding) => !finding.blocking);
  const item = (finding: (typeof findings)[number]) =>
    `\`${found.path ?? "line"}${found.path ? ":" : " "}${finding.line}\` — ${finding.message}. **Fix:** ${finding.fix}.`;
  return [
    `## Review: ${file}\n\n`,
    `**Verdict:** ${blocking.length > 0 ? "request changes" : "approve"} (${blocking.length} blocking, ${nits.length} non-blocking)\n\n`,
    "### Blocking\n",
    blocking.length > 0
      ? blocking.map((finding, index) => `${index + 1}. ${item(finding)}`).join("\n")
      : "None.",
    "\n\n### Non-blocking\n",
    nits.length > 0
      ? nits.map((finding) => `- ${item(finding)}`).join("\n")
      : "- None worth holding the merge for.",
    "\n\n### Tests\n",
    "- Add a test for the boundary cases (empty input, the first and the last item) before merging.",
  ].join("");
}

export function decisionGateAnswer({ reading }: AnswerContext): string {
  const subject = subjectOf(reading.request);
  const risky = /\b(fail|failing|broken|blocker|incident|regression|not (yet )?done)\b/i.test(
    reading.conversation,
  );
  return `## Decision: ${risky ? "NO-GO" : "GO"} — ${subject}

| Criterion | Evidence | Met |
|---|---|---|
| Acceptance criteria pass | ${risky ? "the material reports a failing or open item" : "all listed criteria are reported as passing"} | ${risky ? "no" : "yes"} |
| No open blocking defects | ${risky ? "at least one blocker is mentioned" : "none mentioned"} | ${risky ? "no" : "yes"} |
| Rollback is possible | the change ships behind a flag or as a revertible deploy | yes |
| Owner on call for the release | named in the plan | yes |

**What would change the call:** ${risky ? "the failing item fixed and verified, with its test added" : "a new blocker, or a failed smoke test after deploy"}.`;
}

export function qaVerificationAnswer({ reading }: AnswerContext): string {
  const criteria = reading.conversation
    .split("\n")
    .map((line) => /^\s*(?:\d+[.)]|[-*])\s+(.{8,140})$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined)
    .slice(0, 6);
  const rows = (
    criteria.length > 0
      ? criteria
      : [
          "The feature does what the story asks",
          "Errors are reported clearly",
          "Existing behaviour is unchanged",
        ]
  ).map(
    (criterion, index) =>
      `| ${index + 1} | ${criterion.replace(/\|/g, "/")} | ${index === 1 ? "no evidence given" : "covered by the described test run"} | ${index === 1 ? "UNVERIFIED" : "PASS"} |`,
  );
  return `## QA verification: ${subjectOf(reading.request)}

| # | Criterion | Evidence | Result |
|---|---|---|---|
${rows.join("\n")}

**Untested:** the failure paths and anything under load. **Recommendation:** verify the unverified row before sign-off.`;
}

export function architectureAnswer({ reading }: AnswerContext): string {
  const subject = subjectOf(reading.request);
  return `## Architecture decision: ${subject}

### Options
1. **Keep it in the existing service.** Cheapest to build and run; one deploy, one database. Risk: the service keeps growing and its release cadence binds every team.
2. **A separate service with its own store.** Clear ownership and independent releases. Cost: a network boundary, data synchronisation and a second thing to operate.
3. **A module inside the service with a hard interface, split out later if needed.** Most of option 2's clarity at option 1's cost.

### Recommendation
**Option 3.** It keeps today's operational cost, makes the boundary explicit in code (its own schema and a single entry point), and leaves a cheap path to option 2 if load or team structure demands it.

### Trade-offs and risks
- The boundary is only as strong as the discipline around it: enforce it with an import rule in CI.
- A shared database tempts shortcuts: give the module its own schema and no cross-schema joins.
- Revisit when the module needs a different scaling profile or a separate team owns it.`;
}

/** The judge's grade: a JSON score with reasons, lower for an empty answer or a known flawed program. */
export function judgeAnswer({ reading }: AnswerContext, judgedKind: TaskKind | undefined): string {
  const answer = reading.request.split("## The answer to grade").at(-1) ?? "";
  const flawed = SIMULATED_PROGRAMS.find(
    (program) => program.flawedCode && answer.includes(program.flawedCode.trim().slice(0, 120)),
  );
  const verdict =
    answer.trim().length < 40
      ? { score: 2, reasons: ["the answer is empty or nearly so"] }
      : flawed
        ? {
            score: 4,
            reasons: [
              `${flawed.exportName} does not handle missing entries: get() returns V | undefined typed as V`,
              "it does not type-check under --strict",
            ],
          }
        : {
            score: 8,
            reasons: [
              `a sound ${judgedKind ?? "answer"} that covers the request`,
              "could name one more edge case",
            ],
          };
  return JSON.stringify(verdict);
}
