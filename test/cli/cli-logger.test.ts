/**
 * The log of a command a person runs (src/cli/cli-logger.ts): plain lines with the message, its
 * fields and the error's message, written where it is told (stderr), below the level not at all.
 */
import { describe, expect, it } from "vitest";
import { cliLogger, formatEntry } from "../../src/cli/cli-logger.js";

describe("a command's log", () => {
  it("writes each entry at or above its level as one plain line", () => {
    const lines: string[] = [];
    const logger = cliLogger("warn", (text) => lines.push(text));
    logger.info("not shown");
    logger.warn("released 1 budget reservation left by a process that died");
    logger.warn({ engine: "studio", loadMs: 1200 }, 'Engine "studio" took long to load');
    logger.error({ err: new Error("disk full") }, "budget: booking settled spend failed");
    expect(lines).toEqual([
      "switchyard: released 1 budget reservation left by a process that died\n",
      'switchyard: Engine "studio" took long to load (engine=studio, loadMs=1200)\n',
      "switchyard: budget: booking settled spend failed: disk full\n",
    ]);
  });

  it("shows a line that is not an entry as it came", () => {
    expect(formatEntry("plain text\n")).toBe("switchyard: plain text");
    expect(formatEntry('{"level":40}')).toBe("switchyard: (no message)");
  });
});
