// 四个一 completion charts.  Reads each chart's numbers from a json_script block (no inline code, CSP);
// the same numbers are in the table beside the chart, so the chart is a picture of the table.
(function () {
  "use strict";

  function percent(value) {
    return value === null || value === undefined ? "—" : value + "%";
  }

  function render(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    el.style.height = Math.max(240, data.labels.length * 48 + 90) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      color: ["#0b4f8a", "#b35c00"],
      legend: { top: 0, textStyle: { color: "#222", fontSize: 14 } },
      grid: { left: 8, right: 56, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", color: "#333" } },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { color: "#222", fontSize: 13 } },
      tooltip: { show: false },
      series: data.series.map(function (s) {
        return {
          name: s.name, type: "bar", data: s.data, barMaxWidth: 18,
          label: { show: true, position: "right", color: "#222", formatter: function (p) { return percent(p.value); } }
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), render);
  });
})();
