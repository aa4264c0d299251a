/**
 * A groomed backlog made into one ranked list without a model. Duplicates first: a story the
 * groomer says duplicates another of the backlog, or whose title is another's once normalised,
 * joins that story's group, and each group keeps its earliest story (so A-duplicates-B and
 * B-duplicates-A keep one, the same one either way); a duplicate named that is not in the
 * backlog is noted, not followed. The rest are ranked by readiness (ready stories first), then
 * value per point of size (XS 1, S 2, M 3, L 5, XL 8), then value, then backlog order. Given in backlog
 * order (the workflow sorts the groomers' answers so), the same answers give the same backlog.
 */
import type { GroomedStory } from "../step-outputs.js";
import type { BacklogStory } from "./backlog-stories.js";

export const SIZE_POINTS = { XS: 1, S: 2, M: 3, L: 5, XL: 8 } as const;

export interface RankedStory {
  rank: number;
  id: string;
  title: string;
  summary: string;
  size: GroomedStory["size"];
  points: number;
  value: number;
  risk: GroomedStory["risk"];
  /** From value per point: high at 1.5 and over, medium at 0.75 and over, else low. */
  priority: "high" | "medium" | "low";
  ready: boolean;
  questions: string[];
  /** The ids of the stories set aside as its duplicates. */
  duplicates: string[];
  source: string;
}

export interface SetAside {
  id: string;
  title: string;
  of: string;
  why: "the groomer says so" | "the same title";
}

export interface GroomedBacklog {
  ranked: RankedStory[];
  duplicates: SetAside[];
  /** What the aggregation could not use, one line each. */
  notes: string[];
  totals: { stories: number; ranked: number; points: number; ready: number };
}

export function rankBacklog(
  entries: ReadonlyArray<{ story: BacklogStory; groomed: GroomedStory }>,
): GroomedBacklog {
  const byId = new Map(entries.map((entry, order) => [entry.story.id.toLowerCase(), { ...entry, order }]));
  // The group of each story: union-find, rooted at the group's earliest story.
  const parent = new Map<string, string>([...byId.keys()].map((id) => [id, id]));
  const find = (id: string): string => {
    const up = parent.get(id)!;
    return up === id ? id : find(up);
  };
  const join = (left: string, right: string) => {
    const [first, second] = [find(left), find(right)].sort((a, b) => byId.get(a)!.order - byId.get(b)!.order);
    if (first !== second) parent.set(second!, first!);
  };
  /** Stories a groomer linked to another (either end): the rest were joined by their titles. */
  const named = new Set<string>();
  const notes: string[] = [];
  const titles = new Map<string, string>();
  for (const [id, entry] of byId) {
    const other = entry.groomed.duplicate_of?.trim().toLowerCase();
    if (other && other !== id) {
      if (byId.has(other)) {
        join(id, other);
        named.add(id).add(other);
      } else
        notes.push(
          `${entry.story.id}: the groomer named ${entry.groomed.duplicate_of} as its duplicate, which is not in the backlog; kept as its own story`,
        );
    }
    const title = normalisedTitle(entry.story.title);
    const same = titles.get(title);
    if (same) join(id, same);
    else titles.set(title, id);
  }

  const duplicates: SetAside[] = [];
  const kept: RankedStory[] = [];
  for (const [id, entry] of byId) {
    const root = find(id);
    if (root !== id) {
      duplicates.push({
        id: entry.story.id,
        title: entry.story.title,
        of: byId.get(root)!.story.id,
        why: named.has(id) ? "the groomer says so" : "the same title",
      });
      continue;
    }
    const { story, groomed } = entry;
    const points = SIZE_POINTS[groomed.size];
    kept.push({
      rank: 0,
      id: story.id,
      title: story.title,
      summary: groomed.summary,
      size: groomed.size,
      points,
      value: groomed.value,
      risk: groomed.risk,
      priority: priorityOf(groomed.value / points),
      ready: groomed.ready,
      questions: groomed.questions,
      duplicates: [],
      source: story.source,
    });
  }
  for (const duplicate of duplicates)
    kept.find((story) => story.id === duplicate.of)?.duplicates.push(duplicate.id);
  const order = (story: RankedStory) => byId.get(story.id.toLowerCase())!.order;
  const ranked = kept
    .sort(
      (left, right) =>
        Number(right.ready) - Number(left.ready) ||
        right.value / right.points - left.value / left.points ||
        right.value - left.value ||
        order(left) - order(right),
    )
    .map((story, index) => ({ ...story, rank: index + 1 }));
  return {
    ranked,
    duplicates,
    notes,
    totals: {
      stories: entries.length,
      ranked: ranked.length,
      points: ranked.reduce((sum, story) => sum + story.points, 0),
      ready: ranked.filter((story) => story.ready).length,
    },
  };
}

function priorityOf(valuePerPoint: number): RankedStory["priority"] {
  if (valuePerPoint >= 1.5) return "high";
  return valuePerPoint >= 0.75 ? "medium" : "low";
}

function normalisedTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The groomed backlog as Markdown: the ranked table, the duplicates, the open questions, the notes. */
export function backlogReport(backlog: GroomedBacklog, name: string): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const { totals } = backlog;
  const lines = [
    `# Groomed backlog: ${name}`,
    "",
    `${totals.stories} stories: ${totals.ranked} ranked (${totals.points} points, ${totals.ready} ready to build), ${backlog.duplicates.length} set aside as duplicates.`,
    "",
    "| rank | id | story | size | points | value | risk | priority | ready | questions |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...backlog.ranked.map(
      (story) =>
        `| ${story.rank} | ${cell(story.id)} | ${cell(story.title)} | ${story.size} | ${story.points} | ${story.value} | ${story.risk} | ${story.priority} | ${story.ready ? "yes" : "no"} | ${story.questions.length} |`,
    ),
  ];
  if (backlog.duplicates.length > 0)
    lines.push(
      "",
      "## Duplicates",
      ...backlog.duplicates.map(
        (duplicate) => `- ${duplicate.id} "${duplicate.title}" duplicates ${duplicate.of} (${duplicate.why})`,
      ),
    );
  const asked = backlog.ranked.filter((story) => story.questions.length > 0);
  if (asked.length > 0) {
    lines.push("", "## Open questions");
    for (const story of asked)
      lines.push(
        "",
        `### ${story.id}: ${story.title}`,
        ...story.questions.map((question) => `- ${question}`),
      );
  }
  if (backlog.notes.length > 0) lines.push("", "## Notes", ...backlog.notes.map((note) => `- ${note}`));
  return lines.join("\n");
}
