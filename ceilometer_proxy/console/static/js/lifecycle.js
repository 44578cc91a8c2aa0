// StackTach's "timings": the time between an action's `.start` and `.end`
// notifications. Pairs are made per (action, request_id) so that two
// resizes of one instance are not mixed up; events without a request_id
// pair with the next end of the same action.

import {parseTime} from './dom.js';

export function trait(event, name) {
  const found = (event.traits || []).find((t) => t.name === name);
  return found ? found.value : undefined;
}

export function oldestFirst(events) {
  return [...events].sort((a, b) =>
    a.generated.localeCompare(b.generated) ||
    a.message_id.localeCompare(b.message_id));
}

// [{action, requestId, start, end, seconds}] in start order; `end` and
// `seconds` are null for a start that has no end (yet).
export function timings(events) {
  const open = new Map();
  const pairs = [];
  for (const event of oldestFirst(events)) {
    const match = /^(.*)\.(start|end)$/.exec(event.event_type);
    if (!match) {
      continue;
    }
    const [, action, phase] = match;
    const requestId = trait(event, 'request_id') || '';
    const key = action + '\u0000' + requestId;
    if (phase === 'start') {
      const pair = {action, requestId, start: event, end: null, seconds: null};
      pairs.push(pair);
      open.set(key, (open.get(key) || []).concat([pair]));
    } else {
      const waiting = open.get(key) || [];
      const pair = waiting.shift();
      if (pair) {
        pair.end = event;
        pair.seconds = (parseTime(event.generated) - parseTime(pair.start.generated)) / 1000;
      }
    }
  }
  return pairs;
}
