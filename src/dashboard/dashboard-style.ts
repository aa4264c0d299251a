/**
 * The dashboard's stylesheet, kept in a module so the build ships it with the code (no bundler,
 * no copy step). Small and hand-written: readable on a phone and a laptop, and nothing it shows
 * depends on colour alone — states are written out as text and symbols.
 */
export const DASHBOARD_CSS = `
:root { --ink: #1b1d21; --muted: #5b6270; --line: #d5d9e0; --accent: #0b5cad; --back: #fafbfc; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--back); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: #fff; }
.brand { margin: 0; font-weight: 700; }
.brand a { color: var(--ink); text-decoration: none; }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem .9rem; list-style: none; margin: 0; padding: 0; }
nav a { color: var(--accent); }
nav a[aria-current="page"] { color: var(--ink); font-weight: 700; text-decoration: underline 2px; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .5rem; }
.hint, .empty { color: var(--muted); }
.gauges { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .8rem; }
.gauge { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; background: #fff; }
.gauge[data-state="high"] { border-width: 2px; }
.gauge[data-state="at cap"] { border: 3px double var(--ink); }
.gauge-label { display: flex; justify-content: space-between; margin: 0 0 .3rem; font-weight: 600; }
.gauge-state { font-weight: 400; }
.gauge-figures { margin: .3rem 0 0; font-size: .9rem; }
meter { width: 100%; height: 1.1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.compact { width: auto; min-width: 50%; }
.feed tbody tr { cursor: pointer; }
.feed tbody tr:hover, .feed tbody tr:focus-within { background: #eef3fa; }
.live { display: grid; gap: 1rem; }
@media (min-width: 70rem) { .live { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.attempts { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem; background: #fff; }
.attempt-list { padding-left: 1.2rem; }
.chart { min-height: 240px; overflow-x: auto; }
figure { margin: 0 0 1rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.engine, .run, .gate { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .9rem .8rem; margin-bottom: 1rem; background: #fff; }
.engine[data-state="down"] { border: 3px double var(--ink); }
.warnings li, .alerts { color: var(--warn); }
.graph li { margin: .25rem 0; }
.graph li[aria-current="step"] { font-weight: 600; }
.edges { color: var(--muted); margin-left: .5rem; }
dl.profile { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.profile dd { margin: 0; }
button { font: inherit; padding: .35rem .9rem; border: 1px solid var(--ink); border-radius: 4px; background: #fff; cursor: pointer; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
input { font: inherit; padding: .3rem .4rem; border: 1px solid var(--muted); border-radius: 4px; max-width: 100%; }
.gate form { margin: .5rem 0; }
.login { max-width: 26rem; margin: 3rem auto; }
.login input { width: 100%; margin: .3rem 0 .8rem; }
.error { border-left: 4px solid var(--ink); padding: .3rem .7rem; background: #fff4f0; }
.notice { border-left: 4px solid var(--accent); padding: .3rem .7rem; background: #f0f6ff; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.inline-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
.logout { margin: 0; }
.logout button { padding: .15rem .6rem; }
@media (max-width: 40rem) { body { font-size: 14px; } main { padding: .6rem; } th, td { padding: .3rem; } }
`;
