"""The console of a cascading API, read by a real headless Chromium.

Two v2 regions behind one cascading server (``[console] enabled``).
Probes are registered in the resource map as ``kwapi.probe`` resources
(whose meters, energy and power, the shipped type2meters.json names) and
their samples posted to their region's own API under their cascaded ids;
events are written into each region's store; alarms are created through
the cascading API and routed to the region of the probe they watch. An
administrator must see both regions merged, with the region grouping and
the alarms' region column; a member sees only its project, and no
region anywhere.
"""

import datetime

import pytest

from tests import deployment
from tests import services
from tests.functional import console as c

SETTINGS = {'console': {'enabled': True},
            'cascading': {'http_timeout': 20}}
P1 = c.member('p1', 'u1')
P3 = c.member('p3', 'u3')
# probe -> (region, project, user, has an energy meter)
PROBES = {'probe-r1a': ('r1', 'p1', 'u1', True),
          'probe-r2a': ('r2', 'p1', 'u1', False),
          'probe-r2b': ('r2', 'p2', 'u2', False)}
# alarm name -> (probe it watches, states put, creator)
ALARMS = {'c-r1-power': ('probe-r1a', ('alarm',), P1),
          'c-r2-power': ('probe-r2a', ('ok', 'alarm'), P1),
          'c-r2-p2': ('probe-r2b', ('ok',), c.member('p2', 'u2'))}


def seed(built):
    now = datetime.datetime.utcnow()
    for phase, (probe, (region, project, user, energy)) in enumerate(
            sorted(PROBES.items())):
        built.register(probe, region=region, cascaded_id='c-' + probe,
                       resource_type='kwapi.probe', project_id=project,
                       user_id=user)
        power, kwh = c.probe_samples('c-' + probe, project, user, now,
                                     energy, phase=float(phase))
        for meter, samples in (('power', power), ('energy', kwh)):
            for start in range(0, len(samples), 60):
                built.post_samples(region, meter, samples[start:start + 60])
    base = now - datetime.timedelta(hours=2)
    r1 = c.lifecycle_events('inst-r1', 'p1', 'u1', base, 'r1-')
    r2 = [('r2-volume', 'volume.create.end',
           base + datetime.timedelta(seconds=30),
           [('project_id', 'string', 'p1'), ('volume_id', 'string', 'v1')],
           {}),
          ('r2-p2', 'image.upload', base + datetime.timedelta(seconds=45),
           [('project_id', 'string', 'p2'), ('image_id', 'string', 'i2')],
           {})]
    for region, rows in (('r1', r1), ('r2', r2)):
        services.record_events(built.regions[region].server.db_url,
                               c.models_of(rows))
    for name, (probe, states, creator) in sorted(ALARMS.items()):
        c.create_alarm(built.client(creator), name, 'power', probe,
                       states=states, severity='critical')


@pytest.fixture(scope='module')
def world(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('r1', 'r2'),
                            extra=SETTINGS) as built:
        seed(built)
        yield built


def test_config_names_the_mode(world):
    c.assert_settings(world.url, auth_mode='noauth', mode='cascading')


def test_admin_energy_merges_both_regions(page, world):
    """Every probe of both regions, with its region; grouped by region,
    each region's series is the sum of its probes'."""
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/energy', 'page-energy')
    admin = world.client()
    assert c.probes_listed(page) == {
        probe: (project, region, True)
        for probe, (region, project, _u, _e) in PROBES.items()}
    assert c.option_values(page, 'select#energy-group') == [
        'probe', 'project', 'region']
    c.assert_energy_matches(page, admin, PROBES)
    page.choose('select#energy-group', 'region')
    page.eventually(lambda: set(c.series_rows(page)), {'r1', 'r2'})
    page.wait_ready('page-energy')
    start, end, period = c.energy_range(page)
    shown, totals = c.series_rows(page), c.totals(page)
    for region in ('r1', 'r2'):
        want = c.expected_sum(
            [c.probe_series(admin, probe, start, end, period)
             for probe, (where, _p, _u, _e) in sorted(PROBES.items())
             if where == region], period)
        assert shown[region] == pytest.approx(want['rows']), region
        assert totals[region]['avg'] == pytest.approx(want['avg'])
        assert totals[region]['max'] == pytest.approx(want['max'])
        assert totals[region]['kwh'] == pytest.approx(want['kwh'])
        assert totals[region]['source'] == want['source']
    assert totals['r1']['source'] == 'energy meter'
    assert totals['r2']['source'] == 'integrated power'
    assert page.console_errors() == []


def test_admin_events_merge_both_regions(page, world):
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/events', 'page-events')
    want = world.client().get_json('/v2/events', limit=100)
    assert {e['message_id'][:3] for e in want} == {'r1-', 'r2-'}
    assert c.event_rows(page) == [
        (e['message_id'], e['generated'], e['event_type']) for e in want]
    assert page.console_errors() == []


def alarm_regions(world):
    """{alarm name: region} as the regions' own APIs hold them."""
    held = {}
    for region in world.region_names:
        for alarm in world.client(region=region).get_json('/v2/alarms'):
            held[alarm['name']] = region
    return held


def test_admin_alarms_show_their_region(page, world, shoot):
    """Each alarm's region is the one of the probe it watches, as the
    regions hold them and as /v2/regions says."""
    c.sign_in_as(page, c.ADMIN)
    c.open_ready(page, '#/alarms', 'page-alarms')
    want = sorted(world.client().get_json('/v2/alarms'),
                  key=lambda a: a['name'])
    routed = {name: PROBES[probe][0]
              for name, (probe, _s, _c) in ALARMS.items()}
    assert alarm_regions(world) == routed
    regions = world.client().get_json('/v2/regions')
    serving = {alarm_id: r['name'] for r in regions
               for alarm_id in r['alarm_ids']}
    assert page.exists('th#alarms-region-col')
    rows = c.alarm_rows(page)
    assert [alarm_id for alarm_id, _cells in rows] == [
        a['alarm_id'] for a in want]
    for (alarm_id, cells), alarm in zip(rows, want):
        assert cells['name'] == alarm['name']
        assert cells['state'] == alarm['state']
        assert cells['region'] == routed[alarm['name']]
        assert cells['region'] == serving[alarm_id]
    shoot(page, 'cascading-alarms.png')
    assert page.console_errors() == []


def test_a_member_sees_its_project_and_no_region(page, world):
    c.sign_in_as(page, P1)
    member = world.client(P1)
    c.open_ready(page, '#/energy', 'page-energy')
    mine = {probe: ('p1', None, True)
            for probe, (_r, project, _u, _e) in PROBES.items()
            if project == 'p1'}
    assert c.probes_listed(page) == mine
    assert 'region' not in c.option_values(page, 'select#energy-group')
    c.assert_energy_matches(page, member, mine)
    c.open_ready(page, '#/events', 'page-events')
    want = member.get_json('/v2/events', limit=100)
    assert 'r2-p2' not in [e['message_id'] for e in want]
    assert [r[0] for r in c.event_rows(page)] == [
        e['message_id'] for e in want]
    c.open_ready(page, '#/alarms', 'page-alarms')
    assert [cells['name'] for _id, cells in c.alarm_rows(page)] == [
        'c-r1-power', 'c-r2-power']
    assert not page.exists('th#alarms-region-col')
    assert not page.exists('td.region')
    assert page.console_errors() == []


def test_a_member_of_another_project_sees_nothing(page, world):
    c.sign_in_as(page, P3)
    c.open_ready(page, '#/energy', 'page-energy')
    assert c.probes_listed(page) == {} and c.series_rows(page) == {}
    c.open_ready(page, '#/events', 'page-events')
    assert c.event_rows(page) == []
    assert page.displayed('#events-empty')
    c.open_ready(page, '#/alarms', 'page-alarms')
    assert c.alarm_rows(page) == []
    assert 'probe-r' not in page.driver.page_source
    assert page.console_errors() == []


def test_a_region_that_does_not_answer_is_named(page, world):
    """With ``partial_results`` off a fan-out missing a region is the
    API's 503 naming it, which the page shows; the region back, the page
    is whole again. (Last in the module: it stops a region.)"""
    c.sign_in_as(page, c.ADMIN)
    admin = world.client(c.ADMIN)
    world.stop_region('r2')
    try:
        answer = admin.get('/v2/events', limit=100)
        assert answer.status_code == 503
        page.open('/console/#/events')
        assert page.wait_ready('page-events', allow_error=True) == 'error'
        assert page.error_text() == answer.json()['error_message'][
            'faultstring']
        assert 'r2' in page.error_text()
    finally:
        world.start_region('r2')
    c.open_ready(page, '#/events', 'page-events')
    assert [r[0] for r in c.event_rows(page)] == [
        e['message_id'] for e in admin.get_json('/v2/events', limit=100)]
    assert not page.error_text()
