/* Statistics dashboard: draws the charts from the #stats-data JSON; every mark opens the rows behind it. */
(function () {
  "use strict";

  function go(params) {
    var url = params && params.data && params.data.url;
    if (url) { window.location.href = url; }
  }

  function make(el, option) {
    // richText tooltips draw on the canvas: HTML tooltips would need inline styles, which the CSP forbids.
    option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip || {});
    var chart = echarts.init(el);
    chart.setOption(option);
    chart.on("click", go);
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
    return chart;
  }

  function mapOption(name, items) {
    var max = items.reduce(function (m, i) { return Math.max(m, i.value); }, 1);
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        return p.data ? p.data.label + "：" + p.data.value : p.name; } },
      visualMap: { min: 0, max: max, left: "left", bottom: 10, calculable: true,
                   inRange: { color: ["#fde0dd", "#b22222"] } },
      series: [{ type: "map", map: name, roam: true, data: items, nameProperty: "name",
                 emphasis: { label: { show: false } } }]
    };
  }

  function drawMap(el, name, items) {
    fetch(el.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap(name, geo);
      make(el, mapOption(name, items));
    });
  }

  function init() {
    var node = document.getElementById("stats-data");
    if (!node || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.dataset.chart;
      if (kind === "world") { drawMap(el, "world", data.world); }
      else if (kind === "china") { drawMap(el, "china", data.china); }
      else if (kind === "trend") {
        make(el, {
          tooltip: { trigger: "axis" }, legend: {},
          xAxis: { type: "category", data: data.trend.years.map(String) }, yAxis: [{ type: "value" }, { type: "value" }],
          series: data.trend.series.map(function (s, i) {
            return { name: s.title, type: i === 0 ? "bar" : "line", yAxisIndex: i,
                     data: s.points.map(function (p) { return { value: p.value, url: p.url }; }) };
          })
        });
      } else if (kind === "ranking") {
        var rows = data.ranking.slice(0, 10).reverse();
        make(el, {
          tooltip: { trigger: "item" }, grid: { left: 120 },
          xAxis: { type: "value" }, yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
          series: [{ type: "bar", data: rows.map(function (r) { return { value: r.value, url: r.url }; }) }]
        });
      } else if (kind === "pie") {
        var pie = data.pies[Number(el.dataset.index)];
        make(el, {
          tooltip: { trigger: "item" },
          series: [{ type: "pie", radius: ["35%", "65%"], data: pie.items.map(function (i) {
            return { name: i.label, value: i.value, url: i.url }; }) }]
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
