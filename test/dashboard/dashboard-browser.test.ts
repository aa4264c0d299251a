/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core against a real
 * gateway on the fake back ends. It signs in through the token prompt (a wrong token refused),
 * watches live rows arrive as requests are sent, opens a request's attempts, approves and rejects
 * paused runs, is sent back to the prompt when its session ends, and fits a phone's screen.
 * Screenshots go to test-output/dashboard/. Skips, saying why, where Chromium is not installed
 * (scripts/ensure-chromium.sh installs it before `npm test`).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import OpenAI from "openai";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { RecordingRunsSource } from "./recording-runs-source.js";

const CHROMIUM = process.env.SWITCHYARD_TEST_CHROMIUM ?? "/usr/bin/chromium";
const TOKEN = "browser-test-token-0123456789";
const SCREENSHOTS = resolve(import.meta.dirname, "../../test-output/dashboard");
/** Known to work headless on this machine; without the network flags Chromium dials out at start. */
const CHROMIUM_FLAGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

if (!existsSync(CHROMIUM)) {
  const reason = `no Chromium at ${CHROMIUM} (run scripts/ensure-chromium.sh as root, or set SWITCHYARD_TEST_CHROMIUM)`;
  console.warn(`Skipping the dashboard browser tests: ${reason}`);
  describe.skip(`dashboard in a browser (skipped: ${reason})`, () => {
    it("needs Chromium", () => {});
  });
} else {
  // A real browser on a busy 2-core machine: generous limits, and every wait is on the page.
  describe("dashboard in a browser", { timeout: 60_000 }, () => {
    let harness: Harness;
    let browser: Browser;
    let page: Page;
    /** The dashboard's clock runs with the real one; tests move it ahead to end sessions. */
    let clockOffset = 0;
    let runs: RecordingRunsSource;
    let client: OpenAI;

    const shot = (name: string, target: Page = page) =>
      target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      runs = new RecordingRunsSource(Date.now());
      harness = await startHarness({
        authTokens: [TOKEN],
        gateway: { runs, now: () => Date.now() + clockOffset },
      });
      client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: TOKEN });
      await client.chat.completions.create({
        model: "cloud-sonnet",
        max_tokens: 40,
        messages: [{ role: "user", content: "Review this pull request" }],
      });
      // Playwright starts Chromium headless, without its sandbox and on a fresh profile of its own.
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await harness?.close();
    });

    it("asks for the token, refuses a wrong one and shows the overview with the right one", async () => {
      await page.goto(`${harness.url}/`);
      await page.waitForURL(/\/dashboard\/login\?next=/);
      await page.getByLabel("Token").fill("not-the-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page
        .getByRole("alert")
        .getByText(/matches none of server\.auth_tokens/)
        .waitFor();
      await shot("login-refused");
      await page.getByLabel("Token").fill(TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
      await page.locator('[data-chart="daily"][data-drawn="true"] canvas').waitFor();
      await page.locator('[data-chart="hourly"][data-drawn="true"] canvas').waitFor();
      expect(await page.locator(".gauge").count()).toBe(3);
      expect(await page.locator(".gauge").first().textContent()).toMatch(/monthly \[ok\].*\$0\.\d+ spent/s);
      expect(await page.locator("#tiers-heading + table tbody").textContent()).toMatch(
        /Tier 2\s*1\s*100\.0%/,
      );
      expect(page.url()).not.toContain(TOKEN);
      expect(await page.content()).not.toContain(TOKEN);
      await shot("overview");
    });

    it("shows live rows as requests are sent, and a request's attempts on a click", async () => {
      await page.getByRole("link", { name: "Live" }).click();
      await page.locator('#live-status[data-live="connected"]').waitFor();
      const before = await page.locator("#feed-rows tr").count();
      await client.chat.completions.create({
        model: "local-coder",
        messages: [{ role: "user", content: "Write a commit message for: fix the pager" }],
      });
      await client.chat.completions.create({
        model: "local-reasoner",
        messages: [{ role: "user", content: "Draft a user story for exporting invoices" }],
      });
      await page
        .locator("#feed-rows tr")
        .nth(before + 1)
        .waitFor();
      const newest = page.locator("#feed-rows tr").first();
      expect(await newest.textContent()).toMatch(/local-reasoner/);
      expect(await page.locator("#feed-rows tr").nth(1).textContent()).toMatch(/local-coder.*✓ ok/s);
      await newest.click();
      await page
        .locator("#attempts")
        .getByText(/Attempt 1/)
        .waitFor();
      expect(await page.locator("#attempts").textContent()).toMatch(
        /local-reasoner \(deepseek-r1:32b, tier 1\)/,
      );
      await shot("live");
    });

    it("shows each Engine with its models and profile", async () => {
      await page.getByRole("link", { name: "Engines" }).click();
      await page.locator('section.engine[data-engine="engine"]').waitFor();
      expect(await page.locator("section.engine h2").textContent()).toMatch(/engine ▲ up/);
      expect(await page.locator("section.engine").textContent()).toMatch(/qwen2\.5-coder:32b/);
      await shot("engines");
    });

    it("approves one paused run and rejects another with a reason", async () => {
      await page.getByRole("link", { name: "Runs" }).click();
      await page.getByRole("link", { name: "run-approve" }).click();
      await page.getByText("File these three bugs?").waitFor();
      await shot("run-paused");
      await page.getByRole("button", { name: "Approve" }).click();
      await page.getByRole("status").getByText("Approved: the run carries on.").waitFor();
      expect(runs.approvals).toEqual(["run-approve"]);
      expect(await page.locator('li[data-step="report"]').textContent()).toMatch(/▶ running.*◀ current/s);
      expect(await page.getByRole("button", { name: "Approve" }).count()).toBe(0);
      await shot("run-approved");

      await page.goto(`${harness.url}/dashboard/runs/run-reject`);
      await page.getByLabel("Reason for rejecting").fill("Two of these are duplicates");
      await page.getByRole("button", { name: "Reject" }).click();
      await page.getByRole("status").getByText("Rejected: the run was told why.").waitFor();
      expect(runs.rejections).toEqual([{ id: "run-reject", reason: "Two of these are duplicates" }]);
    });

    it("shows calibration and an unknown page as a 404 page", async () => {
      await page.getByRole("link", { name: "Calibration" }).click();
      await page.getByRole("heading", { name: "Recommended moves" }).waitFor();
      await shot("calibration");
      const response = await page.goto(`${harness.url}/dashboard/nowhere`);
      expect(response?.status()).toBe(404);
      await page.getByText("There is no dashboard page at /dashboard/nowhere").waitFor();
    });

    it("fits a phone's screen", async () => {
      const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
      const phone = await context.newPage();
      await phone.goto(`${harness.url}/dashboard?token=${TOKEN}`);
      await phone.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
      expect(phone.url()).toBe(`${harness.url}/dashboard`);
      const overflow = await phone.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await shot("overview-phone", phone);
      await phone.goto(`${harness.url}/dashboard/live`);
      await phone.locator("#feed-rows tr").first().waitFor();
      await shot("live-phone", phone);
      await context.close();
    });

    it("sends the browser back to the token prompt when its session has ended", async () => {
      clockOffset += 13 * 3_600_000;
      await page.goto(`${harness.url}/dashboard/engines`);
      await page.waitForURL(/\/dashboard\/login\?error=expired/);
      await page.getByText("Your session has ended").waitFor();
      await page.getByLabel("Token").fill(TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${harness.url}/dashboard/engines`);
      await shot("session-renewed");
    });
  });
}
