// The cases dashboard's chart: cases received and resolved by kind (data from a json_script tag).
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("cases-chart");
  var data = document.getElementById("cases-chart-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  el.style.height = "360px";  // set from script: the CSP forbids inline style attributes
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {data: [d.received_label, d.resolved_label]},
    grid: {left: 40, right: 10, bottom: 80},
    xAxis: {type: "category", data: d.kinds, axisLabel: {rotate: 30}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: d.received_label, type: "bar", data: d.received, itemStyle: {color: "#a61b1b"}},
      {name: d.resolved_label, type: "bar", data: d.resolved, itemStyle: {color: "#2e7d32"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
