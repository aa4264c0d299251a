/**
 * The dashboard's static files. The vendored libraries are served straight from their npm
 * packages (htmx.org, htmx-ext-sse, uplot are runtime dependencies, so they are installed wherever
 * Switchyard is, each with its licence in its own folder): no copy to keep in step, no CDN, no
 * bundler. Our own stylesheet and script live in modules. Everything is read once, at start.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DASHBOARD_SCRIPT } from "./dashboard-script.js";
import { DASHBOARD_CSS } from "./dashboard-style.js";

export interface StaticAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const JAVASCRIPT = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/** Served name → the package file it is read from (pinned in package.json: htmx 2.0, sse 2.2, uPlot 1.6). */
const VENDORED: Record<string, { file: string; contentType: string }> = {
  "htmx.min.js": { file: "htmx.org/dist/htmx.min.js", contentType: JAVASCRIPT },
  "htmx-sse.js": { file: "htmx-ext-sse/dist/sse.min.js", contentType: JAVASCRIPT },
  "uPlot.iife.min.js": { file: "uplot/dist/uPlot.iife.min.js", contentType: JAVASCRIPT },
  "uPlot.min.css": { file: "uplot/dist/uPlot.min.css", contentType: CSS },
};

export function loadAssets(): Map<string, StaticAsset> {
  const require = createRequire(import.meta.url);
  const assets = new Map<string, StaticAsset>();
  const add = (name: string, body: Buffer, contentType: string) =>
    assets.set(name, {
      body,
      contentType,
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    });
  for (const [name, { file, contentType }] of Object.entries(VENDORED))
    add(name, readFileSync(require.resolve(file)), contentType);
  add("dashboard.css", Buffer.from(DASHBOARD_CSS), CSS);
  add("dashboard.js", Buffer.from(DASHBOARD_SCRIPT), JAVASCRIPT);
  return assets;
}
