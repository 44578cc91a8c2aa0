"""Browser tests of the read-only web console (/console/).

A real headless Chromium (tests/browser.py) reads pages of a real API
process whose store the tests seeded through the real interfaces; every
number or list a page shows is compared with what the test reads from the
same /v2 API with the same identity. The helpers here build the seed data
and read the pages' tables by the DOM contract's data-* attributes.
"""

import datetime
import math

import pytest
import requests

ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-project',
         'X-Roles': 'admin'}


def member(project, user):
    return {'X-User-Id': user, 'X-Project-Id': project, 'X-Roles': 'member'}


def assert_settings(url, **expected):
    """/console/config.json names what the page must know (the keys
    given; the console may add its own)."""
    answer = requests.get(url + '/console/config.json', timeout=30)
    assert answer.status_code == 200
    settings = answer.json()
    assert {k: settings.get(k) for k in expected} == expected


def open_ready(page, route, section):
    """Open a console route and wait for its page to be ready."""
    page.open('/console/' + route)
    page.wait_ready(section)


def sign_in_as(page, headers):
    page.sign_in(headers['X-User-Id'], headers['X-Project-Id'],
                 headers['X-Roles'])


# -- samples --------------------------------------------------------------

def probe_samples(resource_id, project, user, now, energy, phase=0.0,
                  step=30, span=3600):
    """Kwapi-style samples of one probe over the last ``span`` seconds:
    ``power`` (gauge, W) every ``step`` s, and when ``energy`` the rising
    cumulative ``energy`` (kWh) the same power integrates to."""
    power, kwh = [], []
    total = 10.0 + phase
    count = span // step
    for i in range(count):
        stamp = now - datetime.timedelta(seconds=span - 3 - i * step)
        watts = 180.0 + phase * 40 + 35.0 * math.sin(i / 7.0 + phase)
        total += watts * step / 3.6e6
        common = {'resource_id': resource_id, 'project_id': project,
                  'user_id': user, 'timestamp': stamp.isoformat(),
                  'resource_metadata': {'kwapi_probe': resource_id}}
        power.append(dict(common, counter_name='power', counter_type='gauge',
                          counter_unit='W', counter_volume=round(watts, 3)))
        kwh.append(dict(common, counter_name='energy',
                        counter_type='cumulative', counter_unit='kWh',
                        counter_volume=round(total, 6)))
    return power, (kwh if energy else [])


def post_in_batches(client, meter, samples, size=60):
    for start in range(0, len(samples), size):
        client.post_json('/v2/meters/' + meter, samples[start:start + size])


# -- events ---------------------------------------------------------------

def lifecycle_events(instance_id, project, user, base, prefix):
    """(message id, type, generated, traits, raw) of an instance's life:
    create (12.5 s), power off (3.25 s), a delete that never ended, and
    an image upload and a volume creation in the same project."""
    def at(seconds):
        return base + datetime.timedelta(seconds=seconds)

    owner = [('project_id', 'string', project), ('user_id', 'string', user)]
    inst = owner + [('instance_id', 'string', instance_id)]
    return [
        (prefix + 'create-start', 'compute.instance.create.start', at(0),
         inst + [('request_id', 'string', prefix + 'req-create'),
                 ('host', 'string', 'node-1'),
                 ('memory_mb', 'integer', 512)],
         {'event_type': 'compute.instance.create.start',
          'payload': {'instance_id': instance_id}}),
        (prefix + 'create-end', 'compute.instance.create.end', at(12.5),
         inst + [('request_id', 'string', prefix + 'req-create'),
                 ('host', 'string', 'node-1'),
                 ('memory_mb', 'integer', 512),
                 ('vcpus', 'integer', 2),
                 ('load', 'float', 0.75),
                 ('launched_at', 'datetime', at(12))],
         {'event_type': 'compute.instance.create.end',
          'payload': {'instance_id': instance_id, 'state': 'active',
                      'nested': {'cells': [1, 2]}}}),
        (prefix + 'image', 'image.upload', at(300),
         owner + [('image_id', 'string', prefix + 'img'),
                  ('size', 'integer', 4096)], {}),
        (prefix + 'off-start', 'compute.instance.power_off.start', at(600),
         inst + [('request_id', 'string', prefix + 'req-off')], {}),
        (prefix + 'off-end', 'compute.instance.power_off.end', at(603.25),
         inst + [('request_id', 'string', prefix + 'req-off')], {}),
        (prefix + 'volume', 'volume.create.end', at(900),
         owner + [('volume_id', 'string', prefix + 'vol'),
                  ('size', 'integer', 10)], {}),
        (prefix + 'delete-start', 'compute.instance.delete.start', at(1200),
         inst + [('request_id', 'string', prefix + 'req-del')], {}),
    ]


def models_of(rows):
    from ceilometer_proxy.event import models

    return [models.Event(
        message_id=message_id, event_type=event_type, generated=generated,
        traits=[models.Trait(name, models.Trait.get_type_by_name(kind),
                             value) for name, kind, value in traits],
        raw=raw) for message_id, event_type, generated, traits, raw in rows]


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace('Z', ''))


# -- alarms ---------------------------------------------------------------

def create_alarm(client, name, meter, resource_id, states=(),
                 severity='low', enabled=True, threshold=200.0):
    """A threshold alarm on one resource, then PUT through ``states`` so
    its history has a transition each."""
    alarm = client.post_json('/v2/alarms', {
        'name': name, 'type': 'threshold', 'severity': severity,
        'enabled': enabled,
        'threshold_rule': {'meter_name': meter, 'threshold': threshold,
                           'comparison_operator': 'gt', 'period': 60,
                           'query': [{'field': 'resource_id', 'op': 'eq',
                                      'value': resource_id}]}})
    for state in states:
        client.put('/v2/alarms/%s/state' % alarm['alarm_id'], state,
                   status=200)
    return alarm['alarm_id']


# -- energy: what the API says ----------------------------------------------

def energy_range(page):
    """(data-start, data-end, data-period) of #energy-range."""
    element = page.find('#energy-range')
    return (element.get_attribute('data-start'),
            element.get_attribute('data-end'),
            int(element.get_attribute('data-period')))


def statistics(client, meter, resource_id, start, end, period):
    return client.get_json('/v2/meters/%s/statistics' % meter, q=[
        {'field': 'resource_id', 'op': 'eq', 'value': resource_id},
        {'field': 'timestamp', 'op': 'ge', 'value': start},
        {'field': 'timestamp', 'op': 'lt', 'value': end}], period=period)


def probe_series(client, probe, start, end, period):
    """{'power': [stats], 'energy': [stats]} of one probe in the range."""
    return {meter: statistics(client, meter, probe, start, end, period)
            for meter in ('power', 'energy')}


def kwh_of(series, period):
    """(kWh, source) by the contract: the cumulative meter's rises when
    there are energy samples, else the integrated power."""
    energy = sorted(series['energy'], key=lambda s: s['period_start'])
    if energy:
        total = sum(s['max'] - s['min'] for s in energy)
        total += sum(max(0.0, b['min'] - a['max'])
                     for a, b in zip(energy, energy[1:]))
        return total, 'energy meter'
    return (sum(s['avg'] * period for s in series['power']) / 3.6e6,
            'integrated power')


def expected_probe(series, period):
    """What the rows and totals of a probe series must show."""
    power = series['power']
    kwh, source = kwh_of(series, period)
    return {
        'rows': {s['period_start']: s['avg'] for s in power},
        'avg': sum(s['avg'] for s in power) / len(power),
        'max': max(s['max'] for s in power),
        'kwh': kwh, 'source': source}


def expected_sum(members, period):
    """A project or region series: its probes' series summed per period
    (rows: the summed averages; the summed series' max per period is the
    sum of the maxima, and its total the max of those), the kWh summed;
    the source is the energy meter's when every probe has one."""
    rows, maxima = {}, {}
    for series in members:
        for stat in series['power']:
            start = stat['period_start']
            rows[start] = rows.get(start, 0.0) + stat['avg']
            maxima[start] = maxima.get(start, 0.0) + stat['max']
    parts = [kwh_of(series, period) for series in members]
    sources = {source for _kwh, source in parts}
    return {'rows': rows, 'avg': sum(rows.values()) / len(rows),
            'max': max(maxima.values()),
            'kwh': sum(kwh for kwh, _source in parts),
            'source': sources.pop() if len(sources) == 1 else None}


# -- energy: what the page shows ---------------------------------------------

def probes_listed(page):
    """{resource id: (data-project, data-region, checked)}."""
    return {box.get_attribute('value'): (
        box.get_attribute('data-project'), box.get_attribute('data-region'),
        box.is_selected())
        for box in page.find_all('#energy-probes input[type=checkbox].probe')}


def series_rows(page):
    """{series: {period start: W}} of table#energy-series."""
    out = {}
    for row in page.find_all('table#energy-series tbody tr'):
        out.setdefault(row.get_attribute('data-series'), {})[
            row.get_attribute('data-period-start')] = float(
                row.get_attribute('data-value'))
    return out


def totals(page):
    """{series: {'avg', 'max', 'kwh', 'source'}} of table#energy-totals."""
    out = {}
    for row in page.find_all('table#energy-totals tbody tr[data-series]'):
        def value(css):
            return float(page.find_all(css, row)[0].get_attribute(
                'data-value'))
        out[row.get_attribute('data-series')] = {
            'avg': value('td.power-avg'), 'max': value('td.power-max'),
            'kwh': value('td.energy-kwh'),
            'source': page.text_content(
                page.find_all('td.energy-source', row)[0])}
    return out


def option_values(page, css):
    return [o.get_attribute('value') for o in page.find_all(css + ' option')]


def assert_energy_matches(page, client, probes):
    """Rows and totals of every probe series equal the API's statistics
    over the exact range the page asked for."""
    start, end, period = energy_range(page)
    shown_rows, shown_totals = series_rows(page), totals(page)
    # Not a test module: no assertion rewriting, so the messages say it.
    assert set(shown_rows) == set(probes), (sorted(shown_rows), probes)
    assert set(shown_totals) == set(probes), (sorted(shown_totals), probes)
    for probe in probes:
        want = expected_probe(
            probe_series(client, probe, start, end, period), period)
        assert shown_rows[probe] == pytest.approx(want['rows']), (
            probe, 'rows', shown_rows[probe], want['rows'])
        got = shown_totals[probe]
        for key in ('avg', 'max', 'kwh'):
            assert got[key] == pytest.approx(want[key]), (
                probe, key, got[key], want[key])
        assert got['source'] == want['source'], (probe, got, want)


# -- events and alarms: what the pages show ----------------------------------

def event_rows(page):
    """[(message id, td.generated, td.event-type)] of the results."""
    return [(row.get_attribute('data-message-id'),
             page.text_content(page.find_all('td.generated', row)[0]),
             page.text_content(page.find_all('td.event-type', row)[0]))
            for row in page.find_all(
                'table#events-results tbody tr[data-message-id]')]


def listed_ids(page, css, attribute):
    return [e.get_attribute(attribute) for e in page.find_all(css)]


def alarm_rows(page):
    """{alarm id: {cell class: text}} of table#alarms-list, in order."""
    out = []
    for row in page.find_all('table#alarms-list tbody tr[data-alarm-id]'):
        cells = {}
        for name in ('name', 'type', 'state', 'enabled', 'severity',
                     'region'):
            found = page.find_all('td.' + name, row)
            if found:
                cells[name] = page.text_content(found[0])
        out.append((row.get_attribute('data-alarm-id'), cells))
    return out
