// Alarms: their states, one alarm's history as a timeline, and, for an
// administrator of a cascade, the region that evaluates each alarm.

import * as api from './api.js';
import {clear, el, parseTime, rendering, shownTime} from './dom.js';

function ruleSummary(alarm) {
  const rule = alarm.threshold_rule || alarm.combination_rule ||
    alarm.gnocchi_resources_threshold_rule ||
    alarm.gnocchi_aggregation_by_metrics_threshold_rule ||
    alarm.gnocchi_aggregation_by_resources_threshold_rule || {};
  if (alarm.type === 'combination') {
    return (rule.operator || 'and') + ' of ' + (rule.alarm_ids || []).length + ' alarms';
  }
  const ops = {lt: '<', le: '<=', eq: '=', ne: '!=', ge: '>=', gt: '>'};
  const parts = [rule.statistic || '', rule.meter_name || rule.metric || '',
                 ops[rule.comparison_operator] || rule.comparison_operator || '',
                 rule.threshold];
  const where = (rule.query || []).map((q) => q.field + ' ' + (ops[q.op] || q.op || '=') +
                                            ' ' + q.value);
  return parts.filter((p) => p !== '' && p !== undefined).join(' ') +
    (rule.period ? ' over ' + rule.period + ' s' : '') +
    (where.length ? ' where ' + where.join(', ') : '');
}

// {alarm id: region} for an administrator of a cascade, else null.
async function regionsOf() {
  if (!(api.isCascading() && api.mayBeAdmin())) {
    return null;
  }
  const regions = await api.getIfAllowed('/regions', null);
  if (regions === null) {
    return null;
  }
  const found = new Map();
  for (const region of regions) {
    for (const id of region.alarm_ids || []) {
      found.set(id, region.name);
    }
  }
  return found;
}

export function renderList(root) {
  clear(root);
  root.append(el('h2', {}, 'Alarms'));
  rendering(root, async () => {
    const [alarms, regions] = await Promise.all([api.get('/alarms'), regionsOf()]);
    alarms.sort((a, b) => a.name.localeCompare(b.name) || a.alarm_id.localeCompare(b.alarm_id));
    const head = ['name', 'type', 'state', 'enabled', 'severity', 'rule']
      .map((h) => el('th', {}, h));
    if (regions) {
      head.push(el('th', {id: 'alarms-region-col'}, 'region'));
    }
    head.push(el('th', {}, ''));
    root.append(el('table', {id: 'alarms-list'},
      el('thead', {}, el('tr', {}, head)),
      el('tbody', {}, alarms.map((alarm) => el('tr', {dataset: {alarmId: alarm.alarm_id}},
        el('td', {class: 'name'}, alarm.name),
        el('td', {class: 'type'}, alarm.type),
        el('td', {class: 'state'}, el('span', {class: 'state-badge state-' + alarm.state},
                                      alarm.state)),
        el('td', {class: 'enabled'}, alarm.enabled ? 'yes' : 'no'),
        el('td', {class: 'severity'}, alarm.severity || ''),
        el('td', {class: 'rule'}, ruleSummary(alarm)),
        regions ? el('td', {class: 'region'}, regions.get(alarm.alarm_id) || '') : null,
        el('td', {}, el('a', {class: 'show-alarm',
          href: '#/alarms/' + encodeURIComponent(alarm.alarm_id)}, 'history')))))));
    if (!alarms.length) {
      root.append(el('p', {id: 'alarms-empty', class: 'muted'}, 'No alarm visible to you.'));
    }
  });
}

// The state an alarm entered with a history change, if it says.
function stateOf(change) {
  if (change.type !== 'creation' && change.type !== 'state transition') {
    return null;
  }
  try {
    return JSON.parse(change.detail).state || null;
  } catch (ignored) {
    return null;
  }
}

// One segment per state change, oldest first, as wide as the state lasted
// (the last one until now).
function stateTimeline(history) {
  // The API lists newest first; reversed, a stable sort keeps changes of
  // one millisecond in the order they were made.
  const changes = [...history].reverse()
    .map((c) => ({state: stateOf(c), at: parseTime(c.timestamp), c}))
    .filter((c) => c.state).sort((a, b) => a.at - b.at);
  const now = new Date();
  const span = changes.length ? Math.max(1, now - changes[0].at) : 1;
  return el('div', {id: 'alarm-state-timeline', class: 'state-timeline'},
    changes.map((change, i) => {
      const until = i + 1 < changes.length ? changes[i + 1].at : now;
      const width = Math.max(0.5, 100 * (until - change.at) / span);
      return el('div', {class: 'segment state-' + change.state,
        dataset: {state: change.state, timestamp: change.c.timestamp},
        title: change.state + ' from ' + shownTime(change.c.timestamp),
        style: 'width:' + width.toFixed(2) + '%'}, change.state);
    }));
}

export function renderAlarm(root, alarmId) {
  clear(root);
  const detail = el('section', {id: 'alarm-detail'});
  root.append(el('p', {}, el('a', {href: '#/alarms'}, '← alarms')), detail);
  rendering(root, async () => {
    const id = encodeURIComponent(alarmId);
    const [alarm, history] = await Promise.all([
      api.get('/alarms/' + id), api.get('/alarms/' + id + '/history')]);
    detail.append(
      el('h2', {}, alarm.name, ' ', el('span', {class: 'state-badge state-' + alarm.state},
                                       alarm.state)),
      el('p', {class: 'muted'}, alarm.type + ': ' + ruleSummary(alarm)),
      el('h3', {}, 'States over time'), stateTimeline(history),
      el('h3', {}, 'History (newest first)'),
      el('ol', {id: 'alarm-history', class: 'timeline'}, history.map((change) =>
        el('li', {dataset: {eventId: change.event_id, type: change.type,
                            timestamp: change.timestamp}},
          el('span', {class: 'when'}, shownTime(change.timestamp)),
          el('span', {class: 'change-type'}, change.type),
          el('code', {class: 'detail'}, change.detail)))));
  });
}
