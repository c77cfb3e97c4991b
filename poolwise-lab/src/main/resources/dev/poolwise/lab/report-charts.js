/*
 * The report's charts (four, and a fifth for runs with background requests), drawn with Apache ECharts (inlined
 * above) from window.POOLWISE_RESULTS, which has the same keys as results.json. Animations are off so that a screenshot taken right after loading
 * shows the finished charts.
 */
(function () {
  'use strict';
  var data = window.POOLWISE_RESULTS || { results: [] };
  var all = data.results || [];
  var ran = all.filter(function (r) { return r.skipped === null || r.skipped === undefined; });
  var measured = ran.filter(function (r) { return r.pages > 0; });
  var palette = ['#2f6fdf', '#e0692b', '#2a9d5c', '#c23b3b', '#8a5cc7', '#b08a1e', '#1f9aa8', '#d0579b', '#5d6b7a',
    '#7a9a01'];
  var font = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function num(v) { return typeof v === 'number' && isFinite(v); }
  function fmtMs(v) {
    if (!num(v)) { return '–'; }
    var a = Math.abs(v);
    if (a === 0) { return '0'; }
    if (a < 1) { return v.toFixed(2); }
    if (a < 10) { return v.toFixed(1); }
    return Math.round(v).toLocaleString('en-US');
  }
  /* One color per topology, the same in every chart: its position among all rows. */
  function color(row) { return palette[all.indexOf(row) % palette.length]; }

  function base(extra) {
    var option = {
      animation: false,
      color: palette,
      textStyle: { fontFamily: font, color: '#1d2330' },
      grid: { left: 76, right: 28, top: 48, bottom: 56, containLabel: false },
      legend: { type: 'scroll', top: 4, left: 'center', textStyle: { fontSize: 12 }, itemWidth: 18, itemHeight: 10 },
      tooltip: { trigger: 'axis', confine: true }
    };
    for (var key in extra) { option[key] = extra[key]; }
    return option;
  }
  function valueAxis(name, extra) {
    var axis = {
      type: 'value', name: name, nameLocation: 'middle', nameGap: 52, nameTextStyle: { color: '#5f6b7a' },
      axisLabel: { color: '#5f6b7a' }, splitLine: { lineStyle: { color: '#eceff3' } }
    };
    for (var key in extra) { axis[key] = extra[key]; }
    return axis;
  }
  function draw(id, option, emptyMessage) {
    var element = document.getElementById(id);
    if (!element || typeof echarts === 'undefined') { return; }
    if (!option) {
      element.innerHTML = '<p class="caption" style="padding-top:150px;text-align:center">' + esc(emptyMessage) + '</p>';
      return;
    }
    try {
      var chart = echarts.init(element, null, { renderer: 'canvas' });
      chart.setOption(option);
      window.addEventListener('resize', function () { chart.resize(); });
      element.setAttribute('data-drawn', 'true');
    } catch (e) {
      // One broken chart must not take the others down; say what happened where the chart would be.
      element.innerHTML = '<p class="caption" style="padding-top:150px;text-align:center">This chart could not be'
        + ' drawn: ' + esc(e && e.message ? e.message : e) + '</p>';
    }
  }

  /* Cumulative share (%) of events at or below each bucket bound; x clamped above zero for the log axis. */
  function cumulative(buckets) {
    var total = 0;
    buckets.forEach(function (b) { total += b.count; });
    if (total === 0) { return []; }
    var sorted = buckets.slice().sort(function (a, b) { return a.up_to_ms - b.up_to_ms; });
    var points = [];
    var seen = 0;
    var floor = 0.001;
    sorted.forEach(function (b) {
      seen += b.count;
      points.push([Math.max(b.up_to_ms, floor), Math.round(seen / total * 10000) / 100]);
    });
    // Keep one 0 % point before the rise and one 100 % point at the end: empty buckets only stretch the axis.
    var first = 0;
    while (first + 1 < points.length && points[first + 1][1] === 0) { first++; }
    var last = first;
    while (last < points.length - 1 && points[last][1] < 100) { last++; }
    return points.slice(first, last + 1);
  }
  function cdfOption(rows, key, xName, yName) {
    var series = rows.map(function (r) {
      return {
        name: r.topology, type: 'line', showSymbol: false, smooth: false, step: false,
        lineStyle: { width: 2 }, itemStyle: { color: color(r) }, data: cumulative(r[key] || [])
      };
    }).filter(function (s) { return s.data.length > 0; });
    if (series.length === 0) { return null; }
    var min = Infinity;
    series.forEach(function (s) { s.data.forEach(function (p) { if (p[0] < min) { min = p[0]; } }); });
    return base({
      legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle', textStyle: { fontSize: 12 },
        itemWidth: 18, itemHeight: 10 },
      grid: { left: 76, right: 150, top: 24, bottom: 56 },
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: function (params) {
          var lines = params.map(function (p) {
            return p.marker + esc(p.seriesName) + ': ' + p.value[1].toFixed(1) + ' % ≤ ' + fmtMs(p.value[0]) + ' ms';
          });
          return lines.join('<br>');
        }
      },
      xAxis: valueAxis(xName, { type: 'log', logBase: 10, min: Math.pow(10, Math.floor(Math.log10(min))), nameGap: 30,
        axisLabel: { color: '#5f6b7a', formatter: function (v) { return fmtMs(v); } } }),
      yAxis: valueAxis(yName, { min: 0, max: 100, axisLabel: { color: '#5f6b7a', formatter: '{value} %' } }),
      series: series
    });
  }

  /* 1. Page latency percentiles: grouped bars p50 / p95 / p99 per topology. */
  draw('chart-percentiles', measured.length === 0 ? null : base({
    legend: { top: 4, data: ['p50', 'p95', 'p99'] },
    tooltip: {
      trigger: 'axis', confine: true, axisPointer: { type: 'shadow' },
      formatter: function (params) {
        return '<b>' + esc(params[0].name) + '</b><br>' + params.map(function (p) {
          return p.marker + p.seriesName + ': ' + fmtMs(p.value) + ' ms';
        }).join('<br>');
      }
    },
    xAxis: {
      type: 'category', data: measured.map(function (r) { return r.topology; }),
      axisLabel: { interval: 0, color: '#1d2330', fontSize: 12, margin: 10 },
      axisTick: { alignWithLabel: true }
    },
    yAxis: valueAxis('page latency (ms)', { axisLabel: { color: '#5f6b7a', formatter: function (v) { return fmtMs(v); } } }),
    series: [['p50', '#9ec1f5'], ['p95', '#4f8ef0'], ['p99', '#1d4fb8']].map(function (p) {
      return {
        name: p[0], type: 'bar', barMaxWidth: 28, itemStyle: { color: p[1], borderRadius: [2, 2, 0, 0] },
        data: measured.map(function (r) { return r.page_latency_ms ? r.page_latency_ms[p[0]] : 0; })
      };
    })
  }), 'No topology completed a page.');

  /* 2. Page latency distribution. */
  draw('chart-latency', cdfOption(measured, 'page_latency_histogram', 'page latency (ms, log scale)', '% of pages'),
    'No page latency histogram in these results.');

  /* 3. Server connections over time, with max_connections as a horizontal marker. */
  (function () {
    var maxConnections = data.server ? data.server.max_connections : null;
    var series = ran.map(function (r) {
      return {
        name: r.topology, type: 'line', showSymbol: false, lineStyle: { width: 2 }, itemStyle: { color: color(r) },
        data: (r.server_connections_timeline || []).map(function (s) { return [s.at_ms / 1000, s.connections]; })
      };
    }).filter(function (s) { return s.data.length > 0; });
    if (series.length === 0) {
      draw('chart-connections', null, 'No server connection samples in these results.');
      return;
    }
    if (num(maxConnections)) {
      series[0].markLine = {
        silent: true, symbol: 'none', lineStyle: { color: '#b42318', type: 'dashed', width: 1.5 },
        label: { position: 'insideEndTop', color: '#b42318', formatter: 'max_connections ' + maxConnections },
        data: [{ yAxis: maxConnections }]
      };
    }
    var warmup = data.scenario ? data.scenario.warmup_seconds : 0;
    if (num(warmup) && warmup > 0) {
      series[0].markArea = {
        silent: true, itemStyle: { color: 'rgba(95, 107, 122, 0.08)' },
        label: { position: 'insideTop', color: '#5f6b7a', fontSize: 11 },
        data: [[{ name: 'warm-up', xAxis: 0 }, { xAxis: warmup }]]
      };
    }
    draw('chart-connections', base({
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: function (params) {
          return (params.length ? params[0].value[0].toFixed(1) + ' s<br>' : '') + params.map(function (p) {
            return p.marker + esc(p.seriesName) + ': ' + p.value[1];
          }).join('<br>');
        }
      },
      xAxis: valueAxis('seconds since the topology started', { nameGap: 30, min: 0, max: 'dataMax' }),
      yAxis: valueAxis('server connections', {
        min: 0,
        max: function (extent) {
          var top = Math.max(extent.max, num(maxConnections) ? maxConnections : 0);
          return Math.ceil(top * 1.1 / 10) * 10;
        }
      }),
      series: series
    }));
  })();

  /* 4. Acquire wait distribution. */
  draw('chart-acquire', cdfOption(measured, 'acquire_wait_histogram', 'acquire wait (ms, log scale)', '% of acquisitions'),
    'No acquire wait histogram in these results.');

  /*
   * 5. Background loading (only in reports of runs with --background): the pages' p50 and p99 beside the background
   * requests' p50 and p99, per topology, so a +lane:K row stands next to the same pools without the lane.
   */
  (function () {
    if (!document.getElementById('chart-background')) { return; }
    var rows = measured.filter(function (r) { return r.background; });
    function interval(ci) { return ci ? ' (95 % CI ' + fmtMs(ci.low) + '–' + fmtMs(ci.high) + ' ms)' : ''; }
    var bars = [
      ['page p50', '#9ec1f5', function (r) { return r.page_latency_ms.p50; }, function () { return ''; }],
      ['page p99', '#1d4fb8', function (r) { return r.page_latency_ms.p99; },
        function (r) { return interval(r.page_latency_p99_ci_ms); }],
      ['background p50', '#f3b58f', function (r) { return r.background.latency_ms.p50; }, function () { return ''; }],
      ['background p99', '#c4511a', function (r) { return r.background.latency_ms.p99; },
        function (r) { return interval(r.background.latency_p99_ci_ms); }]
    ];
    draw('chart-background', rows.length === 0 ? null : base({
      legend: { top: 4, data: bars.map(function (b) { return b[0]; }) },
      tooltip: {
        trigger: 'axis', confine: true, axisPointer: { type: 'shadow' },
        formatter: function (params) {
          var row = rows[params[0].dataIndex];
          return '<b>' + esc(params[0].name) + '</b><br>' + params.map(function (p) {
            return p.marker + p.seriesName + ': ' + fmtMs(p.value) + ' ms' + bars[p.seriesIndex][3](row);
          }).join('<br>') + '<br>background requests failed: ' + esc(
            row.background.failures.pool_timeout + row.background.failures.too_many_clients
              + row.background.failures.other + (row.background.failures.pool_locked || 0)) + ' of ' + esc(row.background.requests);
        }
      },
      xAxis: {
        type: 'category', data: rows.map(function (r) { return r.topology; }),
        axisLabel: { interval: 0, color: '#1d2330', fontSize: 12, margin: 10 }, axisTick: { alignWithLabel: true }
      },
      yAxis: valueAxis('latency (ms)', { axisLabel: { color: '#5f6b7a', formatter: function (v) { return fmtMs(v); } } }),
      series: bars.map(function (b) {
        return {
          name: b[0], type: 'bar', barMaxWidth: 28, itemStyle: { color: b[1], borderRadius: [2, 2, 0, 0] },
          data: rows.map(function (r) { return b[2](r); })
        };
      })
    }), 'No topology with background requests completed a page.');
  })();
})();
