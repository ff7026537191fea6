// Milestones on a time axis (ECharts): one row per project (or per milestone of one project),
// planned dates as hollow circles, actual dates as filled ones, and a line for today.
(function () {
  function draw(el) {
    var source = document.getElementById(el.dataset.milestones);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var single = !data.projects;
    var rows = single ? data.rows.map(function (r) { return { name: r.label, points: [r] }; }) : data.projects;
    var names = rows.map(function (r) { return r.name; });
    var planned = [], actual = [];
    rows.forEach(function (row, y) {
      row.points.forEach(function (p) {
        if (p.planned) planned.push({ value: [p.planned, y], label: p.label });
        if (p.actual) actual.push({ value: [p.actual, y], label: p.label });
      });
    });
    var today = new Date(data.today).getTime();
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { formatter: function (p) { return names[p.value[1]] + "<br>" + (p.data.label || "") + " " + p.value[0]; } },
      legend: { top: 0, data: [el.dataset.plannedLabel, el.dataset.actualLabel] },
      grid: { left: 8, right: 24, top: 32, bottom: 24, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 220, overflow: "truncate" } },
      series: [
        { name: el.dataset.plannedLabel, type: "scatter", symbol: "emptyCircle", symbolSize: 10, data: planned },
        { name: el.dataset.actualLabel, type: "scatter", symbolSize: 10, data: actual },
        // An invisible point on today widens the axis to it, and carries the line for today.
        { type: "scatter", symbolSize: 0, silent: true, tooltip: { show: false }, data: [[today, 0]],
          markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { color: "#d63939" }, data: [{ xAxis: today }] } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-milestones]").forEach(draw);
  });
})();
