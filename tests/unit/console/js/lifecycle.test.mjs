// Pairing .start and .end events into timings (static/js/lifecycle.js).
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {oldestFirst, timings} from '../../../../ceilometer_proxy/console/static/js/lifecycle.js';

let count = 0;
const event = (type, generated, requestId) => ({
  message_id: 'm' + (++count), event_type: type, generated,
  traits: requestId ? [{name: 'request_id', type: 'string', value: requestId}] : []});

test('start and end of one request make a timing', () => {
  const pairs = timings([
    event('compute.instance.create.end', '2026-01-01T00:00:12.500000', 'r1'),
    event('compute.instance.create.start', '2026-01-01T00:00:00', 'r1')]);
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0].action, 'compute.instance.create');
  assert.equal(pairs[0].seconds, 12.5);
});

test('requests of one action are not mixed up', () => {
  const pairs = timings([
    event('compute.instance.resize.start', '2026-01-01T00:00:00', 'r1'),
    event('compute.instance.resize.start', '2026-01-01T00:00:01', 'r2'),
    event('compute.instance.resize.end', '2026-01-01T00:00:03', 'r2'),
    event('compute.instance.resize.end', '2026-01-01T00:00:10', 'r1')]);
  assert.deepEqual(pairs.map((p) => [p.requestId, p.seconds]), [['r1', 10], ['r2', 2]]);
});

test('a start without its end stays open; other events are not timings', () => {
  const pairs = timings([
    event('compute.instance.delete.start', '2026-01-01T00:00:00', 'r9'),
    event('compute.instance.exists', '2026-01-01T00:00:01', 'r9'),
    event('compute.instance.update', '2026-01-01T00:00:02')]);
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0].end, null);
  assert.equal(pairs[0].seconds, null);
});

test('without a request id, an end closes the oldest open start', () => {
  const pairs = timings([
    event('image.upload.start', '2026-01-01T00:00:00'),
    event('image.upload.end', '2026-01-01T00:01:00')]);
  assert.equal(pairs[0].seconds, 60);
});

test('oldest first sorts by time, then message id', () => {
  const a = {message_id: 'b', generated: '2026-01-01T00:00:00'};
  const b = {message_id: 'a', generated: '2026-01-01T00:00:00'};
  const c = {message_id: 'c', generated: '2025-12-31T23:59:59.999000'};
  assert.deepEqual(oldestFirst([a, b, c]).map((e) => e.message_id), ['c', 'a', 'b']);
});
