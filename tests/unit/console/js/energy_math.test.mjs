// The energy page's arithmetic (static/js/energy_math.js), run by node.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import * as energy from '../../../../ceilometer_proxy/console/static/js/energy_math.js';

const period = (start, min, max, avg = 0, seconds = 60) =>
  ({period_start: start, period: seconds, min, max, avg, count: 2});

test('energy meter: rises within and between periods', () => {
  const periods = [period('a', 1.0, 1.5), period('b', 1.6, 2.0), period('c', 2.0, 2.25)];
  // 0.5 + 0.4 + 0.25 within, 0.1 between a and b, 0 between b and c
  assert.equal(energy.consumedFromEnergy(periods).toFixed(6), '1.250000');
});

test('energy meter: a probe reset between periods adds nothing', () => {
  const periods = [period('a', 5.0, 6.0), period('b', 0.0, 0.5)];
  assert.equal(energy.consumedFromEnergy(periods), 1.5);
});

test('integrated power: average watts times the period, in kWh', () => {
  const periods = [{avg: 1000, seconds: 3600}, {avg: 500, seconds: 1800}];
  assert.equal(energy.consumedFromPower(periods), 1.25);
});

test('a probe without energy samples integrates its power', () => {
  const series = energy.probeSeries('p', [period('a', 0, 0, 3600, 1000)], [], 1000);
  assert.equal(series.source, energy.INTEGRATED);
  assert.equal(series.kwh, 1);
  const metered = energy.probeSeries('p', [period('a', 0, 0, 3600)],
                                     [period('a', 2, 3)], 60);
  assert.equal(metered.source, energy.ENERGY_METER);
  assert.equal(metered.kwh, 1);
});

test('groups sum their members per period start', () => {
  const a = {id: 'a', kwh: 1, source: energy.ENERGY_METER,
             periods: [{start: 't1', seconds: 60, avg: 10, max: 12, count: 1},
                       {start: 't2', seconds: 60, avg: 20, max: 22, count: 1}]};
  const b = {id: 'b', kwh: 2, source: energy.INTEGRATED,
             periods: [{start: 't2', seconds: 60, avg: 5, max: 6, count: 1}]};
  const group = energy.groupSeries('p1', [a, b]);
  assert.deepEqual(group.periods.map((p) => [p.start, p.avg, p.max]),
                   [['t1', 10, 12], ['t2', 25, 28]]);
  assert.equal(group.kwh, 3);
  assert.equal(group.source, energy.MIXED);
  assert.deepEqual(energy.totals(group), {avg: 17.5, max: 28});
});

test('an empty series has no totals', () => {
  assert.deepEqual(energy.totals({periods: []}), {avg: null, max: null});
});
