/**
 * The Overview page: each budget as a gauge with its figures in words, the alerts fired, the
 * forecast, the savings, each tier's share of requests, and two charts (per day this period, per
 * hour lately) drawn by uPlot from the same figures, which are also in a table for anyone (or any
 * screen reader) that cannot see the charts.
 */
import type { SavingsReport } from "../planning/savings-report.js";
import { count, gauge, percent, usd, utcTime } from "./dashboard-layout.js";
import { type Html, html, jsonScript } from "./html-template.js";
import type { OverviewData, TierSeries } from "./overview-data.js";

export function overviewBody(data: OverviewData): Html {
  const { budgets, forecast } = data;
  const { period } = budgets.status;
  return html`<p class="hint">Budget period ${period.start.toISOString().slice(0, 10)} → ${period.end.toISOString().slice(0, 10)} (${period.timeZone}); at a cap: ${budgets.onExhausted}. As of ${utcTime(data.asOf)}.</p>
<section aria-labelledby="budgets-heading"><h2 id="budgets-heading">Budgets</h2>
<div class="gauges">${budgets.status.lines.map((line) =>
    gauge(
      line.budget,
      line.settledUsd + line.reservedUsd,
      line.limitUsd,
      `${usd(line.settledUsd)} spent + ${usd(line.reservedUsd)} reserved of ${usd(line.limitUsd)} (${percent(line.limitUsd > 0 ? (line.settledUsd + line.reservedUsd) / line.limitUsd : 0)}); ${usd(line.remainingUsd)} left`,
    ),
  )}</div>
<p>Paid traffic may still spend ${usd(budgets.status.effectiveRemainingUsd)}${budgets.status.keyRemainingUsd === null ? "" : html` (OpenRouter key credit left: ${usd(budgets.status.keyRemainingUsd)})`}.</p>
<p class="alerts">Alerts this period: ${
    budgets.alerts.length === 0
      ? "none"
      : budgets.alerts
          .map((alert) => `⚠ ${alert.budget} ${alert.thresholdPercent}% (${utcTime(alert.firedAt)})`)
          .join(", ")
  }</p>
<p>Forecast to period end: <strong>${usd(forecast.forecastUsd)}</strong> at ${usd(forecast.dailyRateUsd)}/day (${usd(forecast.spentUsd)} in the ledger so far, day ${Math.ceil(forecast.elapsedDays)} of ${Math.round(forecast.periodDays)}).</p>
</section>
<section aria-labelledby="savings-heading"><h2 id="savings-heading">Savings</h2>${savingsSection(data.savings)}</section>
<section aria-labelledby="tiers-heading"><h2 id="tiers-heading">Requests by tier</h2>
<table class="compact"><thead><tr><th scope="col">Tier</th><th scope="col">Requests</th><th scope="col">Share</th><th scope="col">Cost</th></tr></thead>
<tbody>${data.tiers.map((tier) => html`<tr><td>Tier ${tier.tier}${tier.tier === 1 ? " (local)" : ""}</td><td class="number">${count(tier.requests)}</td><td class="number">${percent(tier.share)}</td><td class="number">${usd(tier.costUsd)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row">All</th><td class="number">${count(data.requests)}</td><td></td><td class="number">${usd(forecast.spentUsd)}</td></tr></tfoot></table>
</section>
<section aria-labelledby="charts-heading"><h2 id="charts-heading">Over time</h2>
<figure><figcaption>Requests and cost per tier, per day this period</figcaption><div class="chart" data-chart="daily" role="img" aria-label="Chart of requests and cost per tier per day; the table below has the figures"></div></figure>
<figure><figcaption>Requests and cost per tier, per hour (UTC), last ${data.hourly.starts.length} hours</figcaption><div class="chart" data-chart="hourly" role="img" aria-label="Chart of requests and cost per tier per hour; the table below has the figures"></div></figure>
<details><summary>The figures as a table (per day)</summary>${seriesTable(data.daily)}</details>
</section>
${jsonScript("overview-data", { daily: data.daily, hourly: data.hourly })}`;
}

function savingsSection(savings: OverviewData["savings"]): Html {
  if ("unavailable" in savings) return html`<p>Savings cannot be worked out: ${savings.unavailable}</p>`;
  const report: SavingsReport = savings;
  const row = (label: string, toDate: number, month: number) =>
    html`<tr><th scope="row">${label}</th><td class="number">${usd(toDate)}</td><td class="number">${usd(month)}</td></tr>`;
  return html`<table class="compact"><thead><tr><th></th><th scope="col">To date</th><th scope="col">Per month</th></tr></thead><tbody>
${row("Switchyard: API spend", report.toDate.apiUsd, report.projectedMonth.apiUsd)}
${row("Switchyard: electricity", report.toDate.electricityUsd, report.projectedMonth.electricityUsd)}
${row("Claude subscription", report.toDate.subscriptionUsd, report.projectedMonth.subscriptionUsd)}
${row(`All on ${report.sonnetModel}`, report.toDate.allSonnetApiUsd, report.projectedMonth.allSonnetApiUsd)}
${row("Saved against the subscription", report.toDate.savedVsSubscriptionUsd, report.projectedMonth.savedVsSubscriptionUsd)}
${row("Saved against all-Sonnet", report.toDate.savedVsAllSonnetUsd, report.projectedMonth.savedVsAllSonnetUsd)}
</tbody></table>
<p class="hint">${count(report.requests)} requests, ${count(report.inputTokens)} input and ${count(report.outputTokens)} output tokens; electricity ${report.electricityKwhPerMonth.toFixed(1)} kWh a month. The all-Sonnet figure prices every token at list price, without prompt caching.</p>`;
}

function seriesTable(series: TierSeries): Html {
  return html`<div class="table-wrap"><table class="compact"><thead><tr><th scope="col">${series.bucket === "day" ? "Day" : "Hour"}</th>${series.tiers.map((tier) => html`<th scope="col">Tier ${tier.tier} requests</th><th scope="col">Tier ${tier.tier} cost</th>`)}</tr></thead>
<tbody>${series.labels.map(
    (label, index) =>
      html`<tr><th scope="row">${label}</th>${series.tiers.map((tier) => html`<td class="number">${count(tier.requests[index] ?? 0)}</td><td class="number">${usd(tier.costUsd[index] ?? 0)}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}
