/**
 * The workflow processes' collector setting (src/workflows/collector-tuning.ts): a runner turns
 * allocation-site pretenuring off once, and a pretenuring choice on the command line stands.
 */
import { describe, expect, it } from "vitest";
import {
  declinePretenuring,
  pretenuringChosen,
  pretenuringDeclined,
} from "../../src/workflows/collector-tuning.js";

describe("the collector setting for workflows", () => {
  it("leaves a choice made on the command line or in NODE_OPTIONS alone", () => {
    expect(pretenuringChosen(["--allocation-site-pretenuring"])).toBe(true);
    expect(pretenuringChosen(["--expose-gc", "--no-allocation-site-pretenuring"])).toBe(true);
    expect(pretenuringChosen(["--allocation_site_pretenuring=false"])).toBe(true);
    expect(pretenuringChosen([], "--max-old-space-size=512 --no-allocation-site-pretenuring")).toBe(true);
  });

  it("takes no other option for that choice", () => {
    expect(pretenuringChosen([])).toBe(false);
    expect(pretenuringChosen(["--expose-gc", "--max-semi-space-size=8"], "--enable-source-maps")).toBe(false);
    expect(pretenuringChosen(["--allocation-site-pretenuring-extra"])).toBe(false);
  });

  it("turns pretenuring off once, and says so after", () => {
    expect(pretenuringChosen(process.execArgv, process.env.NODE_OPTIONS)).toBe(false);
    expect(declinePretenuring()).toBe(true);
    expect(pretenuringDeclined()).toBe(true);
    expect(declinePretenuring()).toBe(true);
  });
});
