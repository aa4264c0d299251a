/**
 * The simulated code reviews that synthesise other steps' work rather than read code: a bug
 * hunt's report from its ranked findings table, and one review from a change's lint findings,
 * first review and test results. Each is recognised by what its prompt holds (a findings table; a
 * first review) and written from it, so a workflow's last step reads like a summary of its run.
 */
import { sectionAfter, testOutcome } from "./simulated-prompt-reading.js";
import { upperFirst } from "./simulated-text.js";

interface TableFinding {
  severity: string;
  where: string;
  title: string;
  reports: number;
  fix: string;
}

/** The synthesis the prompt asks for, or undefined when it is an ordinary review. */
export function synthesisAnswer(request: string): string | undefined {
  if (!/\bsynthesis\b/i.test(request)) return undefined;
  const findings = sectionAfter(request, /^findings:$/i);
  if (findings !== undefined) return bugHuntReport(request, findings);
  const firstReview = sectionAfter(request, /^first review:$/i);
  if (firstReview !== undefined) return reviewSynthesis(request, firstReview);
  return undefined;
}

function bugHuntReport(request: string, table: string): string {
  const scope = /\bbug hunt over (.+?):/i.exec(request)?.[1] ?? "the code";
  const findings = tableRows(table);
  if (findings.length === 0)
    return `## Bug hunt report: ${scope}\n\nThe explorers found nothing they could point at in the code. That is not proof of no bugs: the next step is tests for the edges (empty input, the first and last item, bad values) of the busiest module.`;
  const count = (severity: string) => findings.filter((finding) => finding.severity === severity).length;
  const themes = new Map<string, number>();
  for (const finding of findings) themes.set(finding.title, (themes.get(finding.title) ?? 0) + 1);
  const common = [...themes.entries()]
    .filter(([, times]) => times > 1)
    .sort((left, right) => right[1] - left[1])
    .slice(0, 3);
  return [
    `## Bug hunt report: ${scope}`,
    "",
    `**${findings.length} findings** (${count("high")} high, ${count("medium")} medium, ${count("low")} low).`,
    "",
    "### Fix first",
    ...findings
      .slice(0, 3)
      .map(
        (finding, index) =>
          `${index + 1}. **${finding.title}** — \`${finding.where}\` (${finding.severity}${finding.reports > 1 ? `, reported ${finding.reports}×` : ""}). ${upperFirst(finding.fix)}.`,
      ),
    "",
    "### What they have in common",
    ...(common.length > 0
      ? common.map(([title, times]) => `- ${title}: ${times} places`)
      : [
          "- Nothing repeats: each is a different slip, and none is covered by a test that would have caught it.",
        ]),
    "",
    "### Next steps",
    "1. Write a failing test for each high finding, then fix it; keep the test.",
    "2. Turn the repeated patterns above into lint rules, so they do not come back.",
    "3. Hunt again after the fixes: a fix at a boundary often moves the bug one line.",
  ].join("\n");
}

/** The rows of a Markdown findings table: | # | severity | where | finding | reports | evidence | fix |. */
function tableRows(table: string): TableFinding[] {
  return table
    .split("\n")
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, "|"));
      return {
        severity: cells[1] ?? "low",
        where: cells[2] ?? "",
        title: cells[3] ?? "a finding",
        reports: Number(cells[4]) || 1,
        fix: (cells[6] ?? "").replace(/\.$/, "") || "see the evidence",
      };
    });
}

function reviewSynthesis(request: string, firstReview: string): string {
  const lint = sectionAfter(request, /^lint findings:$/i) ?? "";
  const outcome = testOutcome(request);
  const blocking = firstReview
    .split("\n")
    .filter((line) => /^\d+\.\s/.test(line.trim()))
    .map((line) => line.trim().replace(/^\d+\.\s*/, ""));
  if (outcome.state === "failed") blocking.push(`The tests fail: ${outcome.summary}`);
  const improvements = lint
    .split("\n")
    .filter((line) => /^- /.test(line.trim()))
    .slice(0, 8);
  return [
    "## Review",
    "",
    `**Verdict:** ${blocking.length === 0 ? "approve" : "request changes"} (${blocking.length} blocking, ${improvements.length} to improve)`,
    "",
    "### Blocking",
    ...(blocking.length > 0 ? blocking.map((item, index) => `${index + 1}. ${item}`) : ["None."]),
    "",
    "### To improve",
    ...(improvements.length > 0 ? improvements : ["- Nothing the linter found."]),
    "",
    "### Tests",
    outcome.state === "not run"
      ? "- The tests did not run: run them before merging."
      : `- ${outcome.summary}${outcome.passedCount !== undefined ? ` (${outcome.passedCount} passing)` : ""}.`,
  ].join("\n");
}
