/**
 * The groom workflow's model-free parts: reading stories out of Markdown and JSON backlogs (ids,
 * heading levels, fenced code, folders, errors naming the line) and ranking groomed stories
 * (duplicates by the groomer's word or by title, a duplicate cycle, a duplicate not in the
 * backlog, the ranking order).
 */
import { describe, expect, it } from "vitest";
import { rankBacklog } from "../../src/workflows/graphs/backlog-ranking.js";
import { type BacklogStory, backlogStories } from "../../src/workflows/graphs/backlog-stories.js";
import type { GroomedStory } from "../../src/workflows/step-outputs.js";

describe("backlog stories", () => {
  it("splits a Markdown file at the shallowest heading level that repeats, ignoring fenced code", () => {
    const stories = backlogStories(
      [
        {
          name: "backlog.md",
          content:
            "# Backlog\nintro\n\n## [PROJ-7] Search\nfind things\n### Acceptance\n- fast\n\n```md\n## not a story\n```\n## Tags\ntag things\n",
        },
      ],
      false,
    );
    expect(stories).toEqual([
      {
        id: "PROJ-7",
        title: "Search",
        text: "find things\n### Acceptance\n- fast\n\n```md\n## not a story\n```",
        source: "backlog.md:4",
      },
      { id: "S2", title: "Tags", text: "tag things", source: "backlog.md:12" },
    ]);
  });

  it("takes each Markdown file of a folder as one story and JSON files as arrays or single stories", () => {
    const stories = backlogStories(
      [
        { name: "login.md", content: "# Log in with SSO\n\n## Acceptance\n- works with Okta\n" },
        {
          name: "more/two.json",
          content: '{ "stories": [{ "id": 12, "title": "Export", "size_hint": "S" }] }',
        },
        { name: "one.json", content: '{ "title": "Archive", "description": "old orders" }' },
      ],
      true,
    );
    expect(stories.map((story) => [story.id, story.title, story.source])).toEqual([
      ["login", "Log in with SSO", "login.md"],
      ["12", "Export", "more/two.json:1"],
      ["one", "Archive", "one.json:1"],
    ]);
    expect(stories[0]?.text).toBe("## Acceptance\n- works with Okta");
    expect(stories[1]?.text).toBe("size hint: S");
    expect(stories[2]?.text).toBe("description: old orders");
  });

  it("names the file and line of what it cannot use", () => {
    const bad =
      (content: string, name = "backlog.json") =>
      () =>
        backlogStories([{ name, content }], false);
    expect(bad('[\n  { "title": "A" },\n  42\n]')).toThrow(
      /^backlog\.json:3: story 2 must be a string or an object with a "title"$/,
    );
    expect(bad('[\n  { "title": "A",\n')).toThrow(/^backlog\.json:\d+: not valid JSON/);
    expect(bad('"just text"')).toThrow(/a JSON backlog is an array of stories/);
    expect(bad("## US-1: A\n\n## US-1: B\n", "b.md")).toThrow(
      /^b\.md:3: story id "US-1" is used twice \(also at b\.md:1\); give each story its own id$/,
    );
    expect(bad("", "empty.md")).toThrow(/^empty\.md holds no stories/);
  });
});

const groomed = (fields: Partial<GroomedStory> = {}): GroomedStory => ({
  summary: "s",
  size: "M",
  value: 3,
  risk: "low",
  duplicate_of: null,
  questions: [],
  ready: true,
  ...fields,
});

const story = (id: string, title = `Story ${id}`): BacklogStory => ({
  id,
  title,
  text: "",
  source: `b.md:${id}`,
});

describe("backlog ranking", () => {
  it("keeps the earliest story of a duplicate cycle, joins same-titled stories, and notes unknown duplicates", () => {
    const backlog = rankBacklog([
      { story: story("A"), groomed: groomed({ duplicate_of: "b" }) },
      { story: story("B"), groomed: groomed({ duplicate_of: "A" }) },
      { story: story("C", "Export  orders!"), groomed: groomed({ duplicate_of: "Z-9" }) },
      { story: story("D", "export orders"), groomed: groomed() },
    ]);
    expect(backlog.ranked.map((entry) => [entry.id, entry.duplicates])).toEqual([
      ["A", ["B"]],
      ["C", ["D"]],
    ]);
    expect(backlog.duplicates).toEqual([
      { id: "B", title: "Story B", of: "A", why: "the groomer says so" },
      { id: "D", title: "export orders", of: "C", why: "the same title" },
    ]);
    expect(backlog.notes).toEqual([
      "C: the groomer named Z-9 as its duplicate, which is not in the backlog; kept as its own story",
    ]);
  });

  it("ranks ready stories first, then by value per point, then by value", () => {
    const entries = [
      { story: story("A"), groomed: groomed({ size: "XL", value: 5 }) },
      { story: story("B"), groomed: groomed({ size: "XS", value: 2 }) },
      { story: story("C"), groomed: groomed({ size: "XS", value: 5, ready: false }) },
      { story: story("D"), groomed: groomed({ size: "S", value: 4 }) },
    ];
    const backlog = rankBacklog(entries);
    expect(backlog.ranked.map((entry) => `${entry.rank}:${entry.id}:${entry.priority}`)).toEqual([
      // B and D are worth 2 per point each; D is worth more.
      "1:D:high",
      "2:B:high",
      "3:A:low",
      "4:C:high",
    ]);
    expect(backlog.totals).toEqual({ stories: 4, ranked: 4, points: 12, ready: 3 });
  });
});
