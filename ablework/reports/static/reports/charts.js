// Monitoring charts.  Each chart reads its numbers from a json_script block (no inline code: CSP with
// nonces); the same numbers are in the table beside it, so the chart is a picture of the table.
(function () {
  "use strict";

  function render(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) { el.hidden = true; return; }
    el.style.height = Math.max(240, data.labels.length * 26 * Math.max(1, data.series.length) + 90) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var suffix = data.percent ? "%" : "";
    chart.setOption({
      animation: false,
      color: ["#0b4f8a", "#b35c00", "#2e7d32", "#6a1b9a", "#37474f"],
      legend: { top: 0, textStyle: { color: "#222", fontSize: 14 } },
      grid: { left: 8, right: 64, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}" + suffix, color: "#333" } },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { color: "#222", fontSize: 13 } },
      tooltip: { show: false },
      series: data.series.map(function (s) {
        return {
          name: s.name, type: "bar", data: s.data, barMaxWidth: 16,
          label: {
            show: true, position: "right", color: "#222",
            formatter: function (p) { return p.value === null || p.value === undefined ? "—" : p.value + suffix; }
          }
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-report-chart]"), render);
  });
})();
