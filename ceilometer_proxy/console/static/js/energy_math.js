// The arithmetic of the energy page, apart from the DOM so it reads as
// what it is. A "series" is a list of periods {start (period_start text),
// seconds (period length), avg, max, count} for power (W), plus the
// energy consumed (kWh) and where that figure came from.

export const WINDOWS = [
  {seconds: 300, label: '5 min'},
  {seconds: 3600, label: '1 hour'},
  {seconds: 86400, label: '1 day'},
  {seconds: 604800, label: '1 week'},
  {seconds: 2592000, label: '1 month'},
  {seconds: 31536000, label: '1 year'},
];

// Points per chart: the statistics period is window / POINTS.
export const POINTS = 60;

export const ENERGY_METER = 'energy meter';
export const INTEGRATED = 'integrated power';
export const MIXED = 'mixed';

// kWh consumed from the period statistics of a cumulative energy meter:
// what each period rose by (max - min) plus the rises across the gaps
// between consecutive periods. A drop between periods is a probe reset
// (Kwapi restarts count from zero) and adds nothing.
export function consumedFromEnergy(periods) {
  let total = 0;
  let previousMax = null;
  for (const period of periods) {
    total += period.max - period.min;
    if (previousMax !== null && period.min > previousMax) {
      total += period.min - previousMax;
    }
    previousMax = period.max;
  }
  return total;
}

// kWh from power statistics when no energy meter exists: average watts
// times the period's length.
export function consumedFromPower(periods) {
  let joules = 0;
  for (const period of periods) {
    joules += period.avg * period.seconds;
  }
  return joules / 3.6e6;
}

// One probe's series from its power and energy statistics.
export function probeSeries(id, powerStats, energyStats, period) {
  const periods = powerStats.map((s) => ({
    start: s.period_start, seconds: s.period || period,
    avg: s.avg, max: s.max, count: s.count}));
  const energyPeriods = energyStats.filter((s) => s.count > 0);
  const fromMeter = energyPeriods.length > 0;
  return {
    id,
    periods,
    kwh: fromMeter ? consumedFromEnergy(energyPeriods)
                   : consumedFromPower(periods),
    source: fromMeter ? ENERGY_METER : INTEGRATED,
  };
}

// The series of a group (a project or a region): per period start, the
// sums of its members' averages and maxima; the sum of their energy.
export function groupSeries(id, members) {
  const byStart = new Map();
  for (const member of members) {
    for (const period of member.periods) {
      const found = byStart.get(period.start) ||
        {start: period.start, seconds: period.seconds, avg: 0, max: 0, count: 0};
      found.avg += period.avg;
      found.max += period.max;
      found.count += period.count;
      byStart.set(period.start, found);
    }
  }
  const sources = new Set(members.map((m) => m.source));
  return {
    id,
    periods: [...byStart.values()].sort((a, b) => a.start.localeCompare(b.start)),
    kwh: members.reduce((total, m) => total + m.kwh, 0),
    source: sources.size === 1 ? [...sources][0] : MIXED,
  };
}

// Average of the periods' averages and maximum of their maxima (W).
export function totals(series) {
  if (!series.periods.length) {
    return {avg: null, max: null};
  }
  const avgs = series.periods.map((p) => p.avg);
  return {
    avg: avgs.reduce((a, b) => a + b, 0) / avgs.length,
    max: Math.max(...series.periods.map((p) => p.max)),
  };
}
