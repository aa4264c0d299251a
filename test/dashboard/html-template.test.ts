import { describe, expect, it } from "vitest";
import { html, jsonScript, trustedHtml } from "../../src/dashboard/html-template.js";

describe("html template", () => {
  it("escapes every value unless it is markup made here", () => {
    const name = `<script>alert("x")</script>&'`;
    const inner = html`<b>${name}</b>`;
    expect(html`<p title="${name}">${inner}${[1, " & ", null, undefined, false]}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b>1 &amp; </p>',
    );
    expect(html`${trustedHtml("<hr>")}`.text).toBe("<hr>");
  });

  it("puts JSON in a script block that no value can close", () => {
    const block = jsonScript("data", { text: "</script><script>alert(1)</script>" }).text;
    expect(block).not.toContain("</script><script>");
    const json = block.slice(block.indexOf(">") + 1, block.lastIndexOf("</script>"));
    expect(JSON.parse(json)).toEqual({ text: "</script><script>alert(1)</script>" });
  });
});

describe("dashboard link", () => {
  it("names the dashboard, with the token as a one-time query parameter when there is one", async () => {
    const { dashboardLink } = await import("../../src/dashboard/dashboard-auth.js");
    expect(dashboardLink("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787/dashboard");
    expect(dashboardLink("http://127.0.0.1:8787/", "a b&c")).toBe(
      "http://127.0.0.1:8787/dashboard?token=a+b%26c",
    );
  });
});
