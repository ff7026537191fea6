// Draws every element marked data-chart from the JSON in the <script> its data-chart names:
// {"categories": [...], "series": [{"name": ..., "data": [...]}]} as grouped bars; a series with
// "type": "line" and "axis": 1 is drawn as a line against a second axis on the right (e.g. growth %).
(function () {
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, el.dataset.theme || null, { renderer: "svg" });
    if (el.dataset.theme === "dark") chart.setOption({ backgroundColor: "transparent" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 6 ? 30 : 0 } },
      yAxis: data.series.some(function (s) { return s.axis === 1; })
        ? [{ type: "value", name: data.unit || "" }, { type: "value", name: "%", splitLine: { show: false } }]
        : { type: "value", name: data.unit || "" },
      series: data.series.map(function (s) {
        return { name: s.name, type: s.type || "bar", data: s.data, yAxisIndex: s.axis || 0, connectNulls: true };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
