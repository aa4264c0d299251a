/**
 * The page shell every dashboard page shares (head, navigation, the vendored scripts) and the
 * small formatters the pages use. Status is always written out in words or symbols, never carried
 * by colour alone.
 */
import { formatPercent } from "../planning/report-table.js";
import { type Html, html } from "./html-template.js";

export const DASHBOARD_PREFIX = "/dashboard";

export type PageName = "overview" | "live" | "engines" | "runs" | "calibration";

const PAGES: ReadonlyArray<{ name: PageName; path: string; label: string }> = [
  { name: "overview", path: DASHBOARD_PREFIX, label: "Overview" },
  { name: "live", path: `${DASHBOARD_PREFIX}/live`, label: "Live" },
  { name: "engines", path: `${DASHBOARD_PREFIX}/engines`, label: "Engines" },
  { name: "runs", path: `${DASHBOARD_PREFIX}/runs`, label: "Runs" },
  { name: "calibration", path: `${DASHBOARD_PREFIX}/calibration`, label: "Calibration" },
];

export interface PageOptions {
  title: string;
  /** The navigation entry to mark as current; none on the login and error pages. */
  current?: PageName;
  /** Whether a logout button makes sense (tokens configured). */
  signedIn?: boolean;
  body: Html;
}

const asset = (name: string) => `${DASHBOARD_PREFIX}/assets/${name}`;

export function page(options: PageOptions): string {
  const navigation = options.current
    ? html`<nav aria-label="Dashboard pages"><ul>${PAGES.map(
        (entry) =>
          html`<li><a href="${entry.path}"${entry.name === options.current ? html` aria-current="page"` : ""}>${entry.label}</a></li>`,
      )}</ul>${
        options.signedIn
          ? html`<form method="post" action="${DASHBOARD_PREFIX}/logout" class="logout"><button type="submit">Sign out</button></form>`
          : ""
      }</nav>`
    : "";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'>
<title>${options.title} · Switchyard</title>
<link rel="stylesheet" href="${asset("uPlot.min.css")}">
<link rel="stylesheet" href="${asset("dashboard.css")}">
<script src="${asset("htmx.min.js")}" defer></script>
<script src="${asset("htmx-sse.js")}" defer></script>
<script src="${asset("uPlot.iife.min.js")}" defer></script>
<script src="${asset("dashboard.js")}" defer></script>
</head>
<body>
<header><p class="brand"><a href="${DASHBOARD_PREFIX}">Switchyard</a></p>${navigation}</header>
<main id="main">
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>
`.text;
}

// The same figures as the CLI's formatUsd and formatCount, with the formatters made once:
// toLocaleString builds one per call, which was most of the time a page took to render.
const COUNT = new Intl.NumberFormat("en-US");
const CENTS = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const FRACTIONS_OF_A_CENT = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 4,
  maximumFractionDigits: 4,
});

/** "$29.87"; under a cent, four decimals ("$0.0042"). */
export function usd(value: number): string {
  const absolute = Math.abs(value);
  const formatter = absolute !== 0 && absolute < 0.01 ? FRACTIONS_OF_A_CENT : CENTS;
  return `${value < 0 ? "-" : ""}$${formatter.format(absolute)}`;
}

export const count = (value: number): string => COUNT.format(value);
export const percent = (share: number): string => formatPercent(share);

/** `2026-12-05 09:44:50 UTC`: one zone for every viewer, written out. */
export function utcTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function milliseconds(value: number | null): string {
  if (value === null) return "–";
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** A gauge that reads without colour: the bar, then the figures in words. */
export function gauge(label: string, used: number, limit: number, detail: string): Html {
  const share = limit > 0 ? used / limit : 0;
  const state = share >= 1 ? "at cap" : share >= 0.8 ? "high" : "ok";
  return html`<div class="gauge" data-state="${state}">
<p class="gauge-label"><span>${label}</span> <span class="gauge-state">[${state}]</span></p>
<meter min="0" max="${limit > 0 ? limit : 1}" low="${limit * 0.5}" high="${limit * 0.8}" optimum="0" value="${Math.min(used, limit > 0 ? limit : used)}" aria-label="${label}">${percent(share)}</meter>
<p class="gauge-figures">${detail}</p>
</div>`;
}
