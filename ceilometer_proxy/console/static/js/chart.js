// Time-series charts on uPlot (vendored under vendor/uplot, MIT).

import uPlot from '../vendor/uplot/uPlot.esm.js';
import {parseTime} from './dom.js';

// Colours that stay apart for the first eight series, then repeat.
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
                 '#8c564b', '#e377c2', '#17becf'];

// Axis labels in UTC, 24-hour: hours and minutes within a day, the date
// too when the ticks span days.
function timeLabel(splits) {
  const span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
  return (seconds) => {
    const text = new Date(seconds * 1000).toISOString();
    return span > 86400 ? text.slice(5, 10) + ' ' + text.slice(11, 16) : text.slice(11, 16);
  };
}

// Replaces the chart in `host` by one of `series` ({id, periods}) against
// time: one line per series, y in `unit`. Periods missing from a series
// are gaps, not zeros.
export function drawTimeSeries(host, series, unit) {
  if (host.chart) {
    host.chart.destroy();
    host.chart = null;
  }
  while (host.firstChild) {
    host.removeChild(host.firstChild);
  }
  const starts = [...new Set(series.flatMap((s) => s.periods.map((p) => p.start)))]
    .sort();
  const xs = starts.map((start) => parseTime(start).getTime() / 1000);
  const columns = series.map((s) => {
    const byStart = new Map(s.periods.map((p) => [p.start, p.avg]));
    return starts.map((start) => (byStart.has(start) ? byStart.get(start) : null));
  });
  const options = {
    width: Math.max(320, (host.clientWidth || 900) - 16),
    height: 320,
    scales: {x: {time: true}},
    axes: [{values: (u, splits) => splits.map(timeLabel(splits))},
           {label: unit, size: 70}],
    series: [{label: 'time (UTC)', value: (u, v) => (v === null ? '' :
      new Date(v * 1000).toISOString().slice(0, 19).replace('T', ' '))}]
      .concat(series.map((s, i) => ({
        label: s.id,
        stroke: COLOURS[i % COLOURS.length],
        width: 2,
        spanGaps: false,
        value: (u, v) => (v === null ? '' : v.toFixed(2) + ' ' + unit),
      }))),
  };
  host.chart = new uPlot(options, [xs, ...columns], host);
  return host.chart;
}
