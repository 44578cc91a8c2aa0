// Events, StackTach-style: search the notifications kept as events by
// type, trait and time; one event's traits and raw notification; an
// instance's lifecycle with the time each action took. Read-only: "you
// can't hurt anything".

import * as api from './api.js';
import {clear, duration, el, parseTime, rendering, shownTime} from './dom.js';
import {oldestFirst, timings, trait} from './lifecycle.js';

// Traits worth a glance in the result list, in this order.
const SUMMARY_TRAITS = ['instance_id', 'resource_id', 'display_name', 'state',
                        'host', 'project_id', 'request_id'];
// What the search form held last, so coming back from an event shows the
// same list.
let lastSearch = {type: '', traitName: '', traitValue: '', traitType: 'string',
                  start: '', end: '', limit: '100'};

function summary(event) {
  const parts = [];
  for (const name of SUMMARY_TRAITS) {
    const value = trait(event, name);
    if (value !== undefined) {
      parts.push(name + '=' + value);
    }
  }
  return parts.join('  ');
}

function searchQuery(search) {
  const q = [];
  if (search.type) q.push({field: 'event_type', op: 'eq', value: search.type});
  if (search.traitName) {
    q.push({field: search.traitName, op: 'eq', value: search.traitValue,
            type: search.traitType});
  }
  if (search.start) q.push({field: 'start_timestamp', op: 'ge', value: search.start});
  if (search.end) q.push({field: 'end_timestamp', op: 'le', value: search.end});
  return q;
}

function input(id, label, value, attrs = {}) {
  return el('label', {}, label + ' ', el('input', Object.assign({id, value}, attrs)));
}

function searchForm(onSearch) {
  const s = lastSearch;
  const types = el('datalist', {id: 'events-type-list'});
  // Event types are listed to administrators only; members type them.
  if (api.mayBeAdmin()) {
    api.getIfAllowed('/event_types', []).then((names) => {
      names.forEach((name) => types.append(el('option', {value: name})));
    }).catch(() => {});
  }
  const form = el('form', {id: 'events-search', class: 'controls'},
    input('events-type', 'Event type', s.type,
          {list: 'events-type-list', placeholder: 'compute.instance.create.end', size: 30}),
    types,
    input('events-trait-name', 'Trait', s.traitName, {placeholder: 'instance_id', size: 14}),
    el('select', {id: 'events-trait-type'}, ['string', 'integer', 'float', 'datetime']
      .map((t) => el('option', {value: t, selected: t === s.traitType}, t))),
    input('events-trait-value', '=', s.traitValue, {size: 24}),
    input('events-start', 'From', s.start, {placeholder: '2026-12-01T00:00:00', size: 20}),
    input('events-end', 'to', s.end, {placeholder: 'UTC, ISO 8601', size: 20}),
    input('events-limit', 'Limit', s.limit, {type: 'number', min: 1, max: 10000}),
    el('button', {id: 'events-submit', type: 'submit'}, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = (id) => form.querySelector('#' + id).value.trim();
    lastSearch = {type: value('events-type'), traitName: value('events-trait-name'),
                  traitValue: value('events-trait-value'),
                  traitType: value('events-trait-type'),
                  start: value('events-start'), end: value('events-end'),
                  limit: value('events-limit') || '100'};
    onSearch();
  });
  return form;
}

function lifecycleForm() {
  const form = el('form', {id: 'lifecycle-search', class: 'controls'},
    input('lifecycle-instance', 'Instance lifecycle', '',
          {placeholder: 'instance id', size: 38}),
    el('button', {id: 'lifecycle-submit', type: 'submit'}, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = form.querySelector('#lifecycle-instance').value.trim();
    if (id) {
      location.hash = '#/events/lifecycle/' + encodeURIComponent(id);
    }
  });
  return form;
}

function resultRow(event) {
  return el('tr', {dataset: {messageId: event.message_id}},
    el('td', {class: 'generated'}, event.generated),
    el('td', {class: 'event-type'}, event.event_type),
    el('td', {class: 'traits-summary'}, summary(event)),
    el('td', {}, el('a', {class: 'show-event',
      href: '#/events/' + encodeURIComponent(event.message_id)}, 'show')));
}

function resultsTable(events) {
  return el('table', {id: 'events-results'},
    el('thead', {}, el('tr', {}, ['generated (UTC)', 'event type', 'traits', '']
      .map((h) => el('th', {}, h)))),
    el('tbody', {}, events.map(resultRow)));
}

// The next page, StackTach-style: the same search up to the oldest event
// shown (inclusive, so that events sharing its time are not skipped; the
// ones already listed are left out).
function olderButton(root, listed) {
  const button = el('button', {id: 'events-older', type: 'button',
    hidden: listed.length < Number(lastSearch.limit)}, 'Older events');
  button.addEventListener('click', () => rendering(root, async () => {
    const oldest = listed[listed.length - 1].generated;
    const q = searchQuery(Object.assign({}, lastSearch, {end: ''}))
      .concat([{field: 'end_timestamp', op: 'le', value: oldest}]);
    const known = new Set(listed.map((e) => e.message_id));
    const page = await api.get('/events', q, {limit: lastSearch.limit});
    const fresh = page.filter((e) => !known.has(e.message_id));
    const body = root.querySelector('#events-results tbody');
    fresh.forEach((event) => body.append(resultRow(event)));
    listed.push(...fresh);
    button.hidden = fresh.length === 0 || page.length < Number(lastSearch.limit);
  }));
  return button;
}

// StackTach's "watch": the same search again every WATCH_SECONDS while
// the box is ticked and the page is shown; rows not seen before are
// marked new.
const WATCH_SECONDS = 10;

function watchBox(root, run) {
  let timer = null;
  const box = el('input', {type: 'checkbox', id: 'events-watch'});
  box.addEventListener('change', () => {
    clearInterval(timer);
    timer = box.checked ? setInterval(() => {
      if (!root.isConnected) {
        clearInterval(timer);
      } else if (root.dataset.state !== 'loading') {
        run();
      }
    }, WATCH_SECONDS * 1000) : null;
  });
  return el('label', {class: 'controls'}, box,
    ' Watch: search again every ' + WATCH_SECONDS + ' s ',
    el('span', {id: 'events-updated', class: 'muted'}));
}

export function renderSearch(root) {
  clear(root);
  const results = el('div', {id: 'events-results-box'});
  let seen = null;
  const run = () => rendering(root, async () => {
    const events = await api.get('/events', searchQuery(lastSearch),
                                 {limit: lastSearch.limit});
    const table = resultsTable(events);
    if (seen) {
      table.querySelectorAll('tbody tr').forEach((row) =>
        row.classList.toggle('new', !seen.has(row.dataset.messageId)));
    }
    seen = new Set(events.map((e) => e.message_id));
    clear(results).append(table,
      el('p', {id: 'events-empty', class: 'muted', hidden: events.length > 0},
         'No event matches.'),
      olderButton(root, [...events]));
    root.querySelector('#events-updated').textContent =
      'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
  });
  const search = () => {
    seen = null;
    return run();
  };
  root.append(el('h2', {}, 'Events'), searchForm(search), watchBox(root, run),
              lifecycleForm(), results);
  search();
}

export function renderEvent(root, messageId) {
  clear(root);
  const detail = el('section', {id: 'event-detail'});
  root.append(el('p', {}, el('a', {href: '#/events'}, '← events')), detail);
  rendering(root, async () => {
    const event = await api.get('/events/' + encodeURIComponent(messageId));
    detail.append(
      el('h2', {}, event.event_type),
      el('p', {class: 'muted'}, 'message ' + event.message_id + ', generated ' +
         shownTime(event.generated)),
      el('table', {id: 'event-traits'},
        el('thead', {}, el('tr', {}, ['trait', 'type', 'value'].map((h) => el('th', {}, h)))),
        el('tbody', {}, (event.traits || []).map((t) => el('tr', {dataset: {trait: t.name}},
          el('td', {class: 'trait-name'}, t.name),
          el('td', {class: 'trait-type'}, t.type),
          el('td', {class: 'trait-value'}, t.value))))),
      el('h3', {}, 'As the API gives it'),
      el('pre', {id: 'event-raw'}, JSON.stringify(event, null, 2)));
    const instance = trait(event, 'instance_id');
    if (instance) {
      detail.append(el('p', {}, el('a', {href: '#/events/lifecycle/' +
        encodeURIComponent(instance)}, 'lifecycle of instance ' + instance)));
    }
  });
}

function timeline(events) {
  const first = events.length ? parseTime(events[0].generated) : null;
  return el('ol', {id: 'lifecycle-timeline', class: 'timeline'},
    events.map((event) => el('li', {dataset: {messageId: event.message_id,
      eventType: event.event_type, generated: event.generated}},
      el('span', {class: 'when'}, shownTime(event.generated)),
      el('span', {class: 'offset muted'},
         '+' + duration((parseTime(event.generated) - first) / 1000)),
      el('a', {href: '#/events/' + encodeURIComponent(event.message_id)}, event.event_type),
      el('span', {class: 'muted'}, trait(event, 'state') ? ' state=' + trait(event, 'state') : ''))));
}

function timingsTable(pairs) {
  const longest = Math.max(1e-9, ...pairs.map((p) => p.seconds || 0));
  return el('table', {id: 'lifecycle-timings'},
    el('thead', {}, el('tr', {}, ['action', 'request', 'start', 'end', 'duration', '']
      .map((h) => el('th', {}, h)))),
    el('tbody', {}, pairs.map((p) => el('tr', {dataset: {requestId: p.requestId,
      action: p.action}},
      el('td', {class: 'action'}, p.action),
      el('td', {class: 'request muted'}, p.requestId),
      el('td', {class: 'start'}, p.start.generated),
      el('td', {class: 'end'}, p.end ? p.end.generated : ''),
      el('td', {class: 'duration num', dataset: {seconds: p.seconds === null ? undefined
        : p.seconds}}, p.seconds === null ? 'no end yet' : duration(p.seconds)),
      el('td', {class: 'bar-cell'}, p.seconds === null ? '' : el('div', {class: 'bar',
        style: 'width:' + Math.max(1, 100 * p.seconds / longest).toFixed(1) + '%'}))))));
}

export function renderLifecycle(root, instanceId) {
  clear(root);
  const box = el('section', {id: 'lifecycle'});
  root.append(el('p', {}, el('a', {href: '#/events'}, '← events')),
    el('h2', {}, 'Lifecycle of instance ' + instanceId), lifecycleForm(), box);
  root.querySelector('#lifecycle-instance').value = instanceId;
  rendering(root, async () => {
    const events = oldestFirst(await api.get('/events',
      [{field: 'instance_id', op: 'eq', value: instanceId, type: 'string'}],
      {limit: 10000}));
    box.append(el('h3', {}, 'Timeline'), timeline(events),
      el('h3', {}, 'Timings (.start to .end of one request)'), timingsTable(timings(events)));
    if (!events.length) {
      box.append(el('p', {id: 'lifecycle-empty', class: 'muted'},
        'No event of this instance is visible to you.'));
    }
  });
}
