"""The console of a local-mode API, read by a real headless Chromium.

One API process (``[console] enabled = true``) on a database of this
module holds three Kwapi-style probes (power every 30 s over the last hour,
energy for two of them), an instance's lifecycle and a few other events,
and threshold alarms with histories, seeded through the API itself (and
the event store driver for events, which have no write API). Each page
test signs in through the console's form, opens a page and compares what
it lists with what the test reads from /v2 with the same identity, checks
that the browser console logged no error, and leaves a screenshot.
"""

import datetime
import json
import urllib.parse

import pytest
import requests

from tests import services
from tests.functional import console as c

P1 = c.member('p1', 'u1')
P2 = c.member('p2', 'u2')
P3 = c.member('p3', 'u3')
# probe -> (project, user, has an energy meter)
PROBES = {'probe-a': ('p1', 'u1', True), 'probe-b': ('p1', 'u1', True),
          'probe-c': ('p2', 'u2', False)}
INSTANCE, OTHER_INSTANCE = 'inst-x', 'inst-y'
EV = 'ev-x-'
WINDOWS = ['300', '3600', '86400', '604800', '2592000', '31536000']
KWH_PRICE = 0.25


class World(object):
    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.alarms = {}
        self.base = None

    def client(self, headers=c.ADMIN):
        return services.Client(self.url, headers=dict(headers))


def seed(world):
    admin = world.client()
    now = datetime.datetime.utcnow()
    for phase, (probe, (project, user, energy)) in enumerate(
            sorted(PROBES.items())):
        power, kwh = c.probe_samples(probe, project, user, now, energy,
                                     phase=float(phase))
        c.post_in_batches(admin, 'power', power)
        if kwh:
            c.post_in_batches(admin, 'energy', kwh)
    world.base = now - datetime.timedelta(hours=3)
    rows = c.lifecycle_events(INSTANCE, 'p1', 'u1', world.base, EV)
    rows.append(('ev-y-create-end', 'compute.instance.create.end',
                 world.base + datetime.timedelta(seconds=60),
                 [('project_id', 'string', 'p2'), ('user_id', 'string', 'u2'),
                  ('instance_id', 'string', OTHER_INSTANCE),
                  ('request_id', 'string', 'req-y')], {}))
    services.record_events(world.server.db_url, c.models_of(rows))
    p1, p2 = world.client(P1), world.client(P2)
    world.alarms = {
        'p1-power-high': c.create_alarm(
            p1, 'p1-power-high', 'power', 'probe-a',
            states=('alarm', 'ok', 'alarm'), severity='critical'),
        'p1-energy-rate': c.create_alarm(
            p1, 'p1-energy-rate', 'energy', 'probe-b', states=('ok',),
            severity='moderate', threshold=50.0),
        'p1-quiet': c.create_alarm(p1, 'p1-quiet', 'power', 'probe-b',
                                   enabled=False),
        'p2-power': c.create_alarm(p2, 'p2-power', 'power', 'probe-c',
                                   states=('alarm',), severity='critical'),
    }


@pytest.fixture(scope='module')
def world(mongodb_url):
    name = services.unique_db_name('console')
    server = services.ApiServer(services.db_url(mongodb_url, name),
                                extra={'console': {'enabled': True,
                                                   'kwh_price': KWH_PRICE}})
    try:
        server.start()
        built = World(server)
        seed(built)
        yield built
    finally:
        server.cleanup()
        services.drop_database(mongodb_url, name)


def test_console_disabled_answers_404(api_server):
    """A server without ``[console] enabled`` serves no console."""
    for path in ('/console/', '/console/config.json', '/console/index.html'):
        assert requests.get(api_server.url + path,
                            timeout=30).status_code == 404, path


def test_config_names_the_mode(world):
    c.assert_settings(world.url, auth_mode='noauth', mode='local')


def test_no_identity_shows_only_the_sign_in_form(page):
    page.open('/console/')
    page.forget_identity()
    page.open('/console/#/alarms')
    page.wait_until(lambda: page.displayed('form#signin'), 'form#signin')
    for field in ('#signin-user', '#signin-project', '#signin-roles',
                  '#signin-submit'):
        assert page.displayed(field), field
    for section in ('page-energy', 'page-events', 'page-alarms'):
        assert not page.displayed('section#' + section), section
    assert page.console_errors() == []


def test_energy_page_draws_what_the_statistics_say(page, world, shoot):
    """Per probe: the average power per period, and the window's totals
    (kWh from the energy meter for a and b, integrated power for c)."""
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/energy', 'page-energy')
    assert c.probes_listed(page) == {
        probe: (project, None, True)
        for probe, (project, _u, _e) in PROBES.items()}
    assert c.option_values(page, 'select#energy-window') == WINDOWS
    assert page.find('select#energy-window').get_attribute('value') == '3600'
    assert c.option_values(page, 'select#energy-group') == [
        'probe', 'project']
    assert page.exists('#energy-chart')
    start, end, period = c.energy_range(page)
    assert period == 60
    assert (c.parse_time(end) - c.parse_time(start)).total_seconds() == 3600
    assert abs((datetime.datetime.utcnow() - c.parse_time(end))
               .total_seconds()) < 600
    c.assert_energy_matches(page, world.client(), PROBES)
    totals = c.totals(page)
    assert {p: t['source'] for p, t in totals.items()} == {
        'probe-a': 'energy meter', 'probe-b': 'energy meter',
        'probe-c': 'integrated power'}
    # [console] kwh_price: what each series' energy cost.
    assert 'cost (EUR)' in page.texts('#energy-totals th')
    for row in page.find_all('#energy-totals tbody tr'):
        cost = page.find_all('td.energy-cost', row)[0].get_attribute(
            'data-value')
        assert float(cost) == pytest.approx(
            totals[row.get_attribute('data-series')]['kwh'] * KWH_PRICE)
    shoot(page, 'energy.png')
    assert page.console_errors() == []


def test_energy_grouped_by_project_sums_its_probes(page, world):
    """The project series are their probes' sums; a shorter window asks
    for shorter periods (window / 60)."""
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/energy', 'page-energy')
    admin = world.client()
    for window in ('3600', '300'):
        page.choose('select#energy-window', window)
        page.eventually(lambda: c.energy_range(page)[2], int(window) // 60)
        page.choose('select#energy-group', 'project')
        page.eventually(lambda: set(c.series_rows(page)), {'p1', 'p2'})
        page.wait_ready('page-energy')
        start, end, period = c.energy_range(page)
        assert period == int(window) // 60
        shown, totals = c.series_rows(page), c.totals(page)
        for project in ('p1', 'p2'):
            want = c.expected_sum(
                [c.probe_series(admin, probe, start, end, period)
                 for probe, (owner, _u, _e) in sorted(PROBES.items())
                 if owner == project], period)
            assert shown[project] == pytest.approx(want['rows']), project
            assert totals[project]['avg'] == pytest.approx(want['avg'])
            assert totals[project]['max'] == pytest.approx(want['max'])
            assert totals[project]['kwh'] == pytest.approx(want['kwh'])
            assert totals[project]['source'] == want['source']
        page.choose('select#energy-group', 'probe')
        page.eventually(lambda: set(c.series_rows(page)), set(PROBES))
        page.wait_ready('page-energy')
        c.assert_energy_matches(page, admin, PROBES)
    assert page.console_errors() == []


def search_events(page, **fields):
    for name in ('type', 'trait-name', 'trait-value', 'start', 'end'):
        page.fill('#events-' + name, fields.get(name.replace('-', '_')))
    page.choose('select#events-trait-type', 'string')
    page.mark_stale('page-events')
    page.click('#events-submit')
    page.wait_ready('page-events')


def api_rows(events):
    return [(e['message_id'], e['generated'], e['event_type'])
            for e in events]


def test_events_page_lists_what_the_api_lists(page, world, shoot):
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/events', 'page-events')
    admin = world.client()
    assert page.find('#events-limit').get_attribute('value') == '100'
    want = admin.get_json('/v2/events', limit=100)
    assert len(want) == 8
    assert c.event_rows(page) == api_rows(want)
    for row in page.find_all('table#events-results tbody tr'):
        link = page.find_all('a.show-event', row)[0].get_attribute('href')
        assert link.endswith('#/events/' + row.get_attribute(
            'data-message-id'))
    shoot(page, 'events.png')
    assert page.console_errors() == []

    trait = {'field': 'instance_id', 'op': 'eq', 'value': INSTANCE,
             'type': 'string'}
    search_events(page, trait_name='instance_id', trait_value=INSTANCE)
    want = admin.get_json('/v2/events', q=[trait], limit=100)
    assert len(want) == 5
    assert page.eventually(lambda: c.event_rows(page),
                           api_rows(want)) == api_rows(want)

    start = (world.base + datetime.timedelta(seconds=1)).isoformat()
    end = (world.base + datetime.timedelta(seconds=1000)).isoformat()
    search_events(page, trait_name='instance_id', trait_value=INSTANCE,
                  start=start, end=end)
    want = admin.get_json('/v2/events', limit=100, q=[
        trait, {'field': 'start_timestamp', 'op': 'ge', 'value': start},
        {'field': 'end_timestamp', 'op': 'le', 'value': end}])
    assert [e['message_id'] for e in want] == [
        EV + 'off-end', EV + 'off-start', EV + 'create-end']
    assert page.eventually(lambda: c.event_rows(page),
                           api_rows(want)) == api_rows(want)

    search_events(page, type='compute.instance.create.end')
    want = admin.get_json('/v2/events', limit=100, q=[
        {'field': 'event_type', 'op': 'eq',
         'value': 'compute.instance.create.end'}])
    assert len(want) == 2
    assert page.eventually(lambda: c.event_rows(page),
                           api_rows(want)) == api_rows(want)
    assert page.console_errors() == []


def test_older_events_page_back_through_the_list(page, world):
    """With a limit of 3, "Older events" adds the next page each time
    until the oldest; together they are the API's whole list, in its
    order, once each."""
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/events', 'page-events')
    page.fill('#events-limit', '3')
    page.mark_stale('page-events')
    page.click('#events-submit')
    page.wait_ready('page-events')
    want = api_rows(world.client().get_json('/v2/events', limit=100))
    assert c.event_rows(page) == want[:3]
    clicks = 0
    while page.displayed('#events-older'):
        page.mark_stale('page-events')
        page.click('#events-older')
        page.wait_ready('page-events')
        clicks += 1
        assert clicks <= len(want)
    assert c.event_rows(page) == want
    assert clicks >= 2
    assert page.console_errors() == []


def test_event_detail_shows_its_traits(page, world, shoot):
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/events', 'page-events')
    message_id = EV + 'create-end'
    page.click('tr[data-message-id="%s"] a.show-event' % message_id)
    page.wait_until(lambda: page.exists('section#event-detail'),
                    'section#event-detail')
    page.wait_ready('page-events')
    want = world.client().get_json('/v2/events/' + message_id)
    shown = {}
    for row in page.find_all('table#event-traits tbody tr[data-trait]'):
        shown[row.get_attribute('data-trait')] = (
            page.text_content(page.find_all('td.trait-type', row)[0]),
            page.text_content(page.find_all('td.trait-value', row)[0]))
    assert shown == {t['name']: (t['type'], t['value'])
                     for t in want['traits']}
    assert json.loads(page.text_content(page.find('pre#event-raw'))) == want
    shoot(page, 'event-detail.png')
    assert page.console_errors() == []


def timings(page):
    out = {}
    for row in page.find_all('table#lifecycle-timings tbody tr'):
        duration = page.find_all('td.duration', row)[0]
        seconds = duration.get_attribute('data-seconds')
        out[row.get_attribute('data-action')] = (
            row.get_attribute('data-request-id'),
            page.text_content(page.find_all('td.end', row)[0]) or None,
            None if seconds is None else float(seconds))
    return out


def timeline(page):
    return [(li.get_attribute('data-message-id'),
             li.get_attribute('data-event-type'),
             li.get_attribute('data-generated'))
            for li in page.find_all('ol#lifecycle-timeline li'
                                    '[data-message-id]')]


def test_lifecycle_times_each_action(page, world, shoot):
    """create took 12.5 s, power_off 3.25 s; the delete never ended."""
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/events/lifecycle/' + INSTANCE, 'page-events')
    events = world.client().get_json('/v2/events', limit=100, q=[
        {'field': 'instance_id', 'op': 'eq', 'value': INSTANCE,
         'type': 'string'}])
    oldest_first = sorted(events, key=lambda e: e['generated'])
    assert timeline(page) == [(e['message_id'], e['event_type'],
                               e['generated']) for e in oldest_first]
    by_id = {e['message_id']: c.parse_time(e['generated']) for e in events}

    def took(action):
        return (by_id[EV + action + '-end'] -
                by_id[EV + action + '-start']).total_seconds()
    assert took('create') == 12.5 and took('off') == 3.25
    got = timings(page)
    assert set(got) == {'compute.instance.create',
                        'compute.instance.power_off',
                        'compute.instance.delete'}
    assert got['compute.instance.create'][0] == EV + 'req-create'
    assert got['compute.instance.create'][2] == pytest.approx(took('create'))
    assert got['compute.instance.power_off'][0] == EV + 'req-off'
    assert got['compute.instance.power_off'][2] == pytest.approx(took('off'))
    assert got['compute.instance.delete'] == (EV + 'req-del', None, None)
    shoot(page, 'lifecycle.png')
    assert page.console_errors() == []

    page.fill('#lifecycle-instance', OTHER_INSTANCE)
    page.click('#lifecycle-submit')
    assert page.eventually(lambda: [t[0] for t in timeline(page)],
                           ['ev-y-create-end']) == ['ev-y-create-end']
    page.wait_ready('page-events')
    assert page.console_errors() == []


def alarm_cells(alarm):
    return {'name': alarm['name'], 'type': alarm['type'],
            'state': alarm['state'],
            'enabled': 'yes' if alarm['enabled'] else 'no',
            'severity': alarm['severity']}


def test_alarms_page_lists_states(page, world, shoot):
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/alarms', 'page-alarms')
    want = sorted(world.client().get_json('/v2/alarms'),
                  key=lambda a: a['name'])
    assert [a['name'] for a in want] == [
        'p1-energy-rate', 'p1-power-high', 'p1-quiet', 'p2-power']
    assert c.alarm_rows(page) == [(a['alarm_id'], alarm_cells(a))
                                  for a in want]
    assert not page.exists('th#alarms-region-col')
    assert page.attrs('a.show-alarm', 'href') == [
        page.url('/console/#/alarms/' + a['alarm_id']) for a in want]
    shoot(page, 'alarms.png')
    assert page.console_errors() == []


def test_alarm_detail_shows_its_history(page, world, shoot):
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/alarms', 'page-alarms')
    alarm_id = world.alarms['p1-power-high']
    page.click('tr[data-alarm-id="%s"] a.show-alarm' % alarm_id)
    page.wait_until(lambda: page.exists('section#alarm-detail'),
                    'section#alarm-detail')
    page.wait_ready('page-alarms')
    history = world.client().get_json('/v2/alarms/%s/history' % alarm_id)
    assert [h['type'] for h in history] == ['state transition'] * 3 + [
        'creation']
    items = page.find_all('ol#alarm-history li[data-event-id]')
    assert [(li.get_attribute('data-event-id'), li.get_attribute('data-type'),
             li.get_attribute('data-timestamp')) for li in items] == [
        (h['event_id'], h['type'], h['timestamp']) for h in history]
    assert all(page.find_all('.detail', li) for li in items)
    changes = [json.loads(h['detail'])['state'] for h in reversed(history)
               if h['type'] == 'state transition']
    segments = page.attrs('#alarm-state-timeline div.segment[data-state]',
                          'data-state')
    # "One per state change": the transitions, after the state the alarm
    # was created in when the console draws that one too.
    assert segments in (changes, ['insufficient data'] + changes)
    shoot(page, 'alarm-detail.png')
    assert page.console_errors() == []


def test_a_member_of_another_project_sees_nothing(page, world):
    """p3 owns nothing: no probe, event or alarm of p1 or p2 shows on any
    page (and the API agrees)."""
    c.sign_in_as(page, P3)
    p3 = world.client(P3)
    c.open_ready(page, '#/energy', 'page-energy')
    assert c.probes_listed(page) == {} and c.series_rows(page) == {}
    assert c.totals(page) == {}
    assert 'probe-' not in page.driver.page_source
    c.open_ready(page, '#/events', 'page-events')
    assert p3.get_json('/v2/events', limit=100) == []
    assert c.event_rows(page) == []
    assert page.displayed('#events-empty')
    assert EV not in page.driver.page_source
    c.open_ready(page, '#/events/lifecycle/' + INSTANCE, 'page-events')
    assert timeline(page) == [] and timings(page) == {}
    c.open_ready(page, '#/alarms', 'page-alarms')
    assert p3.get_json('/v2/alarms') == []
    assert c.alarm_rows(page) == []
    assert 'p1-' not in page.driver.page_source
    assert page.console_errors() == []
    # Another project's event by its id: the API's 404, nothing of it.
    p3.get('/v2/events/' + EV + 'create-end', status=404)
    page.open('/console/#/events/' + EV + 'create-end')
    page.wait_ready('page-events', allow_error=True)
    assert page.find_all('table#event-traits tbody tr[data-trait]') == []
    assert 'node-1' not in page.driver.page_source
    # The browser reports the refused request itself, nothing else.
    assert all('/v2/events/' in e['message'] and '404' in e['message']
               for e in page.console_errors())


def test_a_member_of_p2_sees_only_p2(page, world):
    c.sign_in_as(page, P2)
    p2 = world.client(P2)
    c.open_ready(page, '#/energy', 'page-energy')
    assert c.probes_listed(page) == {'probe-c': ('p2', None, True)}
    c.assert_energy_matches(page, p2, ['probe-c'])
    c.open_ready(page, '#/events', 'page-events')
    assert c.event_rows(page) == api_rows(p2.get_json('/v2/events',
                                                      limit=100))
    assert [r[0] for r in c.event_rows(page)] == ['ev-y-create-end']
    c.open_ready(page, '#/alarms', 'page-alarms')
    assert [r[0] for r in c.alarm_rows(page)] == [world.alarms['p2-power']]
    assert c.alarm_rows(page)[0][1]['state'] == 'alarm'
    assert page.console_errors() == []


def test_sign_out_forgets_the_identity(page):
    c.sign_in_as(page, P2)
    assert 'u2' in page.find('#whoami').text
    page.sign_out()
    page.open('/console/#/alarms')
    page.wait_until(lambda: page.displayed('form#signin'), 'form#signin')
    assert not page.displayed('section#page-alarms')
    assert page.console_errors() == []


def test_odd_routes_answer_as_the_api_does(page, world):
    """An id that is not valid percent-encoding, or holds '/' or markup,
    is asked of the API as typed and the API's 404 shown as text."""
    c.sign_in_as(page, c.ADMIN)
    for raw, meant in (('%E0%A4%A', '%E0%A4%A'),
                       ('a%2Fb', 'a/b'),
                       ('%3Cimg%20src%3Dx%3E', '<img src=x>')):
        answer = world.client().get('/v2/events/' + urllib.parse.quote(
            meant, safe=''))
        assert answer.status_code == 404
        page.open('/console/#/events/' + raw)
        assert page.wait_ready('page-events', allow_error=True) == 'error'
        assert page.error_text() == answer.json()['error_message'][
            'faultstring']
        assert not page.find_all('#main img')
        errors = page.console_errors()
        assert errors and all('404' in e['message'] for e in errors), errors


def test_watch_shows_an_event_as_it_arrives(page, world):
    """Ticked, the search runs again every 10 s: an event stored after
    the page loaded shows up, marked new. (Last: it adds an event.)"""
    c.sign_in_as(page, P1)
    c.open_ready(page, '#/events', 'page-events')
    before = [r[0] for r in c.event_rows(page)]
    page.click('#events-watch')
    fresh = 'ev-watched-' + str(len(before))
    services.record_events(world.server.db_url, c.models_of([
        (fresh, 'compute.instance.update', datetime.datetime.utcnow(),
         [('project_id', 'string', 'p1'),
          ('instance_id', 'string', INSTANCE)], {})]))
    want = [e['message_id'] for e in world.client(P1).get_json(
        '/v2/events', limit=100)]
    assert want == [fresh] + before
    assert page.eventually(lambda: [r[0] for r in c.event_rows(page)],
                           want, timeout=40) == want
    assert page.attrs('table#events-results tbody tr.new',
                      'data-message-id') == [fresh]
    page.click('#events-watch')
    assert page.console_errors() == []
