/**
 * The dashboard's own script, served as a static file (kept in a module so the build ships it).
 * It draws the Overview's charts with uPlot from the figures the page carries, keeps the live feed
 * to a bounded length, and sends the browser back to the token prompt when its session has ended.
 * No eval, no inline handlers: the pages' Content-Security-Policy allows only files from here.
 */
export const DASHBOARD_SCRIPT = `(function () {
  "use strict";
  var LOGIN = "/dashboard/login";
  var MAX_FEED_ROWS = 200;
  var DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
  var COLOURS = ["#0b5cad", "#b35900", "#6a3d9a", "#2d7a2d"];

  function toLogin() {
    window.location.assign(LOGIN + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function drawCharts() {
    var source = document.getElementById("overview-data");
    if (!source || typeof uPlot === "undefined") return;
    var figures = JSON.parse(source.textContent || "{}");
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var series = figures[element.getAttribute("data-chart")];
      if (!series || series.starts.length === 0) return;
      var columns = [series.starts.map(function (start) { return start / 1000; })];
      var lines = [{}];
      series.tiers.forEach(function (tier, index) {
        columns.push(tier.requests);
        lines.push({ label: "Tier " + tier.tier + " requests", scale: "requests", width: 2,
          stroke: COLOURS[index % 4], dash: DASHES[index % 4] });
      });
      series.tiers.forEach(function (tier, index) {
        columns.push(tier.costUsd);
        lines.push({ label: "Tier " + tier.tier + " cost", scale: "usd", width: 1,
          stroke: COLOURS[index % 4], dash: DASHES[(index + 1) % 4],
          points: { show: true, size: 5, fill: "#fff" },
          value: function (_plot, value) { return value == null ? "–" : "$" + value.toFixed(2); } });
      });
      element.textContent = "";
      new uPlot({
        width: Math.max(280, element.clientWidth || 600),
        height: 240,
        tzDate: function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"); },
        scales: { x: { time: true } },
        series: lines,
        axes: [{}, { scale: "requests", label: "requests" },
          { scale: "usd", side: 1, label: "USD", grid: { show: false } }],
      }, columns, element);
      element.setAttribute("data-drawn", "true");
    });
  }

  function trimFeed() {
    var body = document.getElementById("feed-rows");
    if (!body) return;
    while (body.rows.length > MAX_FEED_ROWS) body.deleteRow(body.rows.length - 1);
  }

  function showLive(state, text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.setAttribute("data-live", state);
    status.textContent = "Live updates: " + text;
  }

  document.addEventListener("DOMContentLoaded", drawCharts);
  document.addEventListener("htmx:sseMessage", trimFeed);
  document.addEventListener("htmx:sseOpen", function () { showLive("connected", "connected"); });
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail && event.detail.xhr && event.detail.xhr.status === 401) toLogin();
  });
  // An event stream refused (session over, server restarted) closes; ask whether the session lives.
  document.addEventListener("htmx:sseError", function () {
    showLive("disconnected", "disconnected, retrying");
    fetch("/dashboard/api/session", { credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) toLogin();
    }, function () {});
  });
})();
`;
