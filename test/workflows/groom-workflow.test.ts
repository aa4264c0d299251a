/**
 * The groom workflow end to end on the spine (real runtime, SQLite ledger, gates, the built-in fs
 * server) with scripted back ends answering each story's grooming: a Markdown backlog ranked with
 * a duplicate set aside, a folder of stories (Markdown and JSON) where one groomer's answer fails
 * its schema and climbs the ladder, and a broken backlog refused in one line before any run.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BackendCall } from "../../src/backends/backend.js";
import type { GroomedBacklog } from "../../src/workflows/graphs/backlog-ranking.js";
import { type Spine, startSpine } from "../helpers/spine-harness.js";
import { answerByTask, openRuns, taskOf, WORKFLOW_CONFIG } from "../helpers/workflow-harness.js";

type Runs = Awaited<ReturnType<typeof openRuns>>;

const BACKLOG = `# Shop backlog

Stories for the next quarter.

## US-1: Export orders as CSV
As a shop owner I want to export my orders as CSV.

## US-2: Dark mode
As a user I want a dark theme.

## US-3: Refunds from the order page
As support I want to refund an order where I see it.
- partial refunds?

## US-4: Download orders as a spreadsheet
As an owner I want my orders in a spreadsheet.
`;

/** What each story's groomer answers, by story id (read from the prompt). */
const GROOMED: Record<string, object> = {
  "US-1": {
    summary: "CSV export",
    size: "S",
    value: 4,
    risk: "low",
    duplicate_of: null,
    questions: [],
    ready: true,
  },
  "US-2": {
    summary: "Dark theme",
    size: "M",
    value: 2,
    risk: "low",
    duplicate_of: null,
    questions: [],
    ready: true,
  },
  "US-3": {
    summary: "Refunds",
    size: "L",
    value: 5,
    risk: "high",
    duplicate_of: null,
    questions: ["Are partial refunds in scope?"],
    ready: false,
  },
  "US-4": {
    summary: "Spreadsheet",
    size: "S",
    value: 4,
    risk: "low",
    duplicate_of: "US-1",
    questions: [],
    ready: true,
  },
};

const storyIdOf = (call: BackendCall) =>
  /Story:\n([^:\n]+):/.exec(String(call.request.messages.at(-1)?.content ?? ""))?.[1] ?? "?";

const groomer = (call: BackendCall) =>
  JSON.stringify(GROOMED[storyIdOf(call)] ?? { ...GROOMED["US-2"], summary: storyIdOf(call) });

describe("groom workflow", { timeout: 120_000 }, () => {
  let spine: Spine | undefined;
  let runs: Runs | undefined;
  afterEach(async () => {
    await runs?.close();
    await spine?.close();
    runs = undefined;
    spine = undefined;
  });

  async function start(answers: Parameters<typeof answerByTask>[0] = {}) {
    const all = {
      "backlog-grooming": groomer,
      "gap-analysis": "## Gaps\n\nSplit US-3 into full and partial refunds; build US-1 first.",
      ...answers,
    };
    spine = await startSpine(WORKFLOW_CONFIG, { engine: answerByTask(all), openRouter: answerByTask(all) });
    runs = await openRuns(spine.runtime);
    return { spine, runs };
  }

  it("grooms each story of a Markdown backlog, ranks them, sets the duplicate aside and writes the report", async () => {
    const { spine, runs } = await start();
    const folder = mkdtempSync(join(tmpdir(), "switchyard-backlog-"));
    const file = join(folder, "backlog.md");
    writeFileSync(file, BACKLOG);

    const started = await runs.start("groom", { backlog: file });
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ stories: 4, ranked: 3, duplicates: 1, points: 10 });

    const { steps, artefacts } = await runs.show(started.id);
    expect(steps.map((step) => step.key).sort()).toEqual(
      [
        "aggregate",
        "groom:US-1",
        "groom:US-2",
        "groom:US-3",
        "groom:US-4",
        "plan",
        "report",
        "synthesise",
      ].sort(),
    );
    expect(steps.find((step) => step.key === "plan")?.detail).toBe("4 stories in backlog.md");
    for (const key of ["groom:US-1", "groom:US-2", "groom:US-3", "groom:US-4"])
      expect(steps.find((step) => step.key === key)).toMatchObject({
        status: "done",
        task: "backlog-grooming",
        alias: "local-reasoner",
        tier: 1,
      });
    // The synthesis is a gap analysis: Sonnet by the routing table.
    expect(steps.find((step) => step.key === "synthesise")).toMatchObject({ alias: "cloud-sonnet", tier: 2 });

    const backlog = JSON.parse(
      (await runs.artefact(artefacts.find((artefact) => artefact.kind === "groomed-backlog")!.id)).content!,
    ) as GroomedBacklog;
    // Ready first, then value per point: US-1 (4/2), US-2 (2/3); US-3 (5/5) is not ready.
    expect(backlog.ranked.map((story) => [story.rank, story.id, story.priority])).toEqual([
      [1, "US-1", "high"],
      [2, "US-2", "low"],
      [3, "US-3", "medium"],
    ]);
    expect(backlog.ranked[0]?.duplicates).toEqual(["US-4"]);
    expect(backlog.duplicates).toEqual([
      { id: "US-4", title: "Download orders as a spreadsheet", of: "US-1", why: "the groomer says so" },
    ]);

    const report = (await runs.artefact(done.outcome!.report as string)).content!;
    expect(report).toContain("# Groomed backlog: backlog.md");
    expect(report).toContain("| 1 | US-1 | Export orders as CSV | S | 2 | 4 | low | high | yes | 0 |");
    expect(report).toContain(
      '- US-4 "Download orders as a spreadsheet" duplicates US-1 (the groomer says so)',
    );
    expect(report).toContain("- Are partial refunds in scope?");
    expect(report).toContain("Split US-3 into full and partial refunds");

    // Each groomer saw its own story and the rest of the backlog (for duplicates).
    const prompts = spine.engine.calls
      .filter((call) => taskOf(call.request.messages) === "backlog-grooming")
      .map((call) => String(call.request.messages.at(-1)?.content));
    expect(prompts).toHaveLength(4);
    const fourth = prompts.find((prompt) => prompt.includes("Story:\nUS-4:"))!;
    expect(fourth).toContain("- US-1: Export orders as CSV");
    expect(fourth).not.toContain("- US-4:");
    // The backlog itself is only read.
    expect(readFileSync(file, "utf8")).toBe(BACKLOG);
  });

  it("reads a folder of stories, and climbs the ladder when a groomer's answer does not fit its schema", async () => {
    const { runs } = await start({
      "backlog-grooming": (call: BackendCall) =>
        storyIdOf(call) === "export-csv" && !call.model.startsWith("anthropic/")
          ? JSON.stringify({ summary: "CSV", size: "HUGE", value: 9 })
          : groomer(call),
    });
    const folder = mkdtempSync(join(tmpdir(), "switchyard-stories-"));
    writeFileSync(
      join(folder, "export-csv.md"),
      "# Export orders as CSV\n\nAs an owner…\n\n## Acceptance\n- a file\n",
    );
    mkdirSync(join(folder, "more"));
    writeFileSync(
      join(folder, "more", "stories.json"),
      JSON.stringify(
        [{ id: "US-2", title: "Dark mode", notes: ["system setting"] }, "US-3: Refunds"],
        null,
        2,
      ),
    );
    writeFileSync(join(folder, "notes.txt"), "not a story");

    const started = await runs.start("groom", { backlog: folder });
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(done.outcome).toMatchObject({ stories: 3, ranked: 3, duplicates: 0 });
    const { steps } = await runs.show(started.id);
    expect(steps.find((step) => step.key === "groom:export-csv")).toMatchObject({
      status: "done",
      alias: "cloud-sonnet",
      escalations: 1,
    });
    expect(steps.find((step) => step.key === "groom:US-3")).toMatchObject({ status: "done", tier: 1 });
    expect(done.escalations).toBe(1);
  });

  it("grooms no more stories at once than the Engine's slots allow, less the one left to the gateway", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const directory = mkdtempSync(join(tmpdir(), "switchyard-wide-"));
    // Four slots on the Engine, one left to the gateway's interactive requests: three groomers at once.
    const config = `${WORKFLOW_CONFIG}  reserve_interactive_slots: 1\nbackends:\n  engine: { slots: 4 }\n`;
    spine = await startSpine(config, {
      engine: (call) =>
        taskOf(call.request.messages) === "backlog-grooming"
          ? { kind: "reply", text: groomer(call), after: held }
          : answerByTask({ "gap-analysis": "Fine." })(call),
      openRouter: answerByTask({ "gap-analysis": "Fine." }),
    });
    runs = await openRuns(spine.runtime);
    const width = runs.limiter.width("local-reasoner");
    expect(width).toBe(3);
    const file = join(directory, "backlog.json");
    writeFileSync(
      file,
      JSON.stringify(["One", "Two", "Three", "Four", "Five", "Six"].map((title) => ({ title }))),
    );
    const started = await runs.start("groom", { backlog: file });
    await spine.engine.called(width);
    // The rest wait in the limiter while the first ones are held.
    await new Promise((resolve) => setImmediate(resolve));
    expect(spine.engine.calls).toHaveLength(width);
    release();
    const done = await runs.halted(started.id);
    expect(done.status, done.reason ?? "").toBe("done");
    expect(
      spine.engine.calls.filter((call) => taskOf(call.request.messages) === "backlog-grooming"),
    ).toHaveLength(6);
    expect(runs.limiter.peaks.get("local-reasoner")).toBe(width);
  });

  it("refuses a backlog it cannot read in one line naming the file and line, making no run", async () => {
    const { runs } = await start();
    const folder = mkdtempSync(join(tmpdir(), "switchyard-bad-backlog-"));
    const file = join(folder, "backlog.json");
    writeFileSync(file, '[\n  { "id": "US-1", "title": "Export" },\n  { "id": "US-2", "owner": "me" }\n]\n');
    await expect(runs.start("groom", { backlog: file })).rejects.toThrow(
      /^backlog\.json:3: story 2 has no "title"; give each story one$/,
    );
    await expect(runs.start("groom", { backlog: join(folder, "missing.md") })).rejects.toThrow(
      /^The backlog .*missing\.md does not exist$/,
    );
    await expect(runs.start("groom", {})).rejects.toThrow(/^groom: backlog: --backlog must name/);
    expect(await runs.list()).toEqual([]);
  });
});
