// Energy: power over time per probe (or per project or region) and the
// energy consumed in the window, like Kwapi's graphs, from the v2
// statistics of the `power` (gauge, W) and `energy` (cumulative, kWh)
// meters the Kwapi pollsters record.

import * as api from './api.js';
import {drawTimeSeries} from './chart.js';
import {apiTime, clear, el, number, rendering} from './dom.js';
import * as energy from './energy_math.js';

const DEFAULT_CHECKED = 8;
let generation = 0;
// What the caller last ticked, kept across redraws of the page.
let chosen = null;

// Probes: resources with a power or energy meter, as /v2/meters lists
// them to this caller. Their region, when known, is in the resource's
// metadata: the Kwapi pollsters record their endpoint's region, and in
// cascading mode an administrator sees the region of the resource map.
async function findProbes() {
  const meters = await api.get('/meters');
  const probes = new Map();
  for (const meter of meters) {
    if (meter.name !== 'power' && meter.name !== 'energy') {
      continue;
    }
    const probe = probes.get(meter.resource_id) ||
      {id: meter.resource_id, project: meter.project_id || '', region: '',
       meters: new Set()};
    probe.meters.add(meter.name);
    probes.set(meter.resource_id, probe);
  }
  if (probes.size) {
    const resources = await api.get('/resources', [], {meter_links: 0});
    for (const resource of resources) {
      const probe = probes.get(resource.resource_id);
      if (probe) {
        probe.region = (resource.metadata || {}).region || '';
      }
    }
  }
  return [...probes.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function statistics(meter, probeId, range) {
  return api.get('/meters/' + meter + '/statistics', [
    {field: 'resource_id', op: 'eq', value: probeId},
    {field: 'timestamp', op: 'ge', value: range.start},
    {field: 'timestamp', op: 'lt', value: range.end},
  ], {period: range.period});
}

// A probe's statistics of the meters it has (one without an energy
// meter is not asked for one).
async function probeSeries(probe, range) {
  const of = (meter) => (probe.meters.has(meter)
    ? statistics(meter, probe.id, range) : Promise.resolve([]));
  const [power, energyStats] = await Promise.all([of('power'), of('energy')]);
  return energy.probeSeries(probe.id, power, energyStats, range.period);
}

function grouped(series, probes, group) {
  if (group === 'probe') {
    return series;
  }
  const keyOf = new Map(probes.map((p) => [p.id, p[group] || '(none)']));
  const members = new Map();
  for (const one of series) {
    const key = keyOf.get(one.id);
    members.set(key, (members.get(key) || []).concat([one]));
  }
  return [...members.entries()].sort((a, b) => a[0].localeCompare(b[0]))
    .map(([key, list]) => energy.groupSeries(key, list));
}

// What a kWh costs ([console] kwh_price; 0: no cost column).
function price() {
  const settings = api.getSettings();
  return {perKwh: Number(settings.kwh_price) || 0, currency: settings.currency || ''};
}

function controls(root, redraw, probes) {
  const windowSelect = el('select', {id: 'energy-window', onchange: redraw},
    energy.WINDOWS.map((w) => el('option', {value: w.seconds,
      selected: w.seconds === 3600}, w.label)));
  const groups = [['probe', 'probe'], ['project', 'project']];
  if (probes.some((p) => p.region)) {
    groups.push(['region', 'region']);
  }
  const groupSelect = el('select', {id: 'energy-group', onchange: redraw},
    groups.map(([value, label]) => el('option', {value}, label)));
  root.append(el('div', {class: 'controls'},
    el('label', {}, 'Window ', windowSelect),
    el('label', {}, 'Group by ', groupSelect),
    el('span', {id: 'energy-range'})));
  root.append(el('fieldset', {id: 'energy-probes'}, el('legend', {}, 'Probes')));
  root.append(el('div', {id: 'energy-chart', class: 'chart'}));
  root.append(el('h3', {}, 'Per series over the window'));
  const heads = ['series', 'average power (W)', 'peak power (W)', 'energy (kWh)'];
  if (price().perKwh > 0) {
    heads.push('cost (' + price().currency + ')');
  }
  heads.push('energy from');
  root.append(el('table', {id: 'energy-totals'},
    el('thead', {}, el('tr', {}, heads.map((h) => el('th', {}, h)))),
    el('tbody')));
  root.append(el('details', {open: true},
    el('summary', {}, 'Power per period (W)'),
    el('table', {id: 'energy-series'},
      el('thead', {}, el('tr', {}, ['series', 'period start (UTC)', 'average power (W)']
        .map((h) => el('th', {}, h)))),
      el('tbody'))));
}

function probeBoxes(root, probes, redraw) {
  const box = root.querySelector('#energy-probes');
  box.querySelectorAll('label').forEach((node) => node.remove());
  probes.forEach((probe, index) => {
    const checked = chosen ? chosen.has(probe.id) : index < DEFAULT_CHECKED;
    box.append(el('label', {class: 'probe-choice'},
      el('input', {type: 'checkbox', class: 'probe', value: probe.id,
        checked, dataset: {project: probe.project, region: probe.region || undefined},
        onchange: () => {
          chosen = new Set([...box.querySelectorAll('input.probe:checked')]
            .map((input) => input.value));
          redraw();
        }}),
      ' ' + probe.id,
      el('span', {class: 'muted'}, probe.region ? ' ' + probe.region : '',
        probe.project ? ' · ' + probe.project : '')));
  });
  if (!probes.length) {
    box.append(el('label', {id: 'energy-empty', class: 'muted'},
      'No power or energy samples visible to you.'));
  }
}

function fillTables(root, series) {
  const totals = clear(root.querySelector('#energy-totals tbody'));
  const rows = clear(root.querySelector('#energy-series tbody'));
  for (const one of series) {
    const t = energy.totals(one);
    totals.append(el('tr', {dataset: {series: one.id}},
      el('td', {class: 'series'}, one.id),
      el('td', {class: 'power-avg num', dataset: {value: t.avg}}, number(t.avg)),
      el('td', {class: 'power-max num', dataset: {value: t.max}}, number(t.max)),
      el('td', {class: 'energy-kwh num', dataset: {value: one.kwh}}, number(one.kwh, 4)),
      price().perKwh > 0 ? el('td', {class: 'energy-cost num',
        dataset: {value: one.kwh * price().perKwh}}, number(one.kwh * price().perKwh, 4))
        : null,
      el('td', {class: 'energy-source'}, one.source)));
    for (const period of one.periods) {
      rows.append(el('tr', {dataset: {series: one.id, periodStart: period.start,
        value: period.avg}},
        el('td', {}, one.id), el('td', {}, period.start.replace('T', ' ')),
        el('td', {class: 'num'}, number(period.avg))));
    }
  }
}

export function render(root) {
  clear(root);
  root.append(el('h2', {}, 'Energy'));
  let probes = [];
  const redraw = () => draw(root, probes);
  rendering(root, async () => {
    probes = await findProbes();
    controls(root, redraw, probes);
    probeBoxes(root, probes, redraw);
    await drawNow(root, probes);
  });
}

function draw(root, probes) {
  rendering(root, () => drawNow(root, probes));
}

async function drawNow(root, probes) {
  const mine = ++generation;
  const seconds = Number(root.querySelector('#energy-window').value);
  const group = root.querySelector('#energy-group').value;
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  const range = {start: apiTime(new Date(end.getTime() - seconds * 1000)),
                 end: apiTime(end),
                 period: Math.max(1, Math.round(seconds / energy.POINTS))};
  const picked = [...root.querySelectorAll('#energy-probes input.probe:checked')]
    .map((input) => probes.find((p) => p.id === input.value));
  const series = await Promise.all(picked.map((p) => probeSeries(p, range)));
  if (mine !== generation) {
    return; // a newer draw has started; it shows its own answer
  }
  const shown = grouped(series, probes, group);
  Object.assign(root.querySelector('#energy-range').dataset,
    {start: range.start, end: range.end, period: range.period});
  root.querySelector('#energy-range').textContent =
    range.start.replace('T', ' ') + ' to ' + range.end.replace('T', ' ') +
    ' UTC, one point every ' + range.period + ' s';
  const chart = root.querySelector('#energy-chart');
  if (shown.some((s) => s.periods.length)) {
    drawTimeSeries(chart, shown, 'W');
  } else {
    if (chart.chart) {
      chart.chart.destroy();
      chart.chart = null;
    }
    clear(chart).append(el('p', {class: 'muted'}, 'No power samples in this window.'));
  }
  fillTables(root, shown);
}
