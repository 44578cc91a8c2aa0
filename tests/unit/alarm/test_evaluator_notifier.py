"""The notifier: webhook bodies, retries, TLS options, log actions."""

import json
import logging
from urllib import parse

import pytest
import requests

from ceilometer_proxy.alarm import notifier
from ceilometer_proxy import service
from tests.unit.alarm import fakes


@pytest.fixture
def conf():
    conf = service.prepare_service([], config_files=[])
    yield conf
    conf.reset()


class Response(object):
    def __init__(self, status_code):
        self.status_code = status_code


class Session(object):
    """Answers with the given statuses (or raises given exceptions)."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.posts = []

    def post(self, url, **kwargs):
        self.posts.append((url, kwargs))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return Response(outcome)


def make(conf, outcomes):
    sleeps = []
    n = notifier.AlarmNotifier(conf, sleep=sleeps.append)
    session = Session(outcomes)
    n._local.session = session
    return n, session, sleeps


def payload():
    alarm = fakes.make_alarm(state='alarm', severity='critical')
    return notifier.payload_of(alarm, 'ok', 'why', {'type': 'threshold'})


def test_payload_has_ceilometer_fields():
    alarm = fakes.make_alarm(state='alarm', name='hot', severity='critical')
    body = notifier.payload_of(alarm, 'ok', 'because', {'k': 1})
    assert body == {'alarm_id': alarm.alarm_id, 'alarm_name': 'hot',
                    'severity': 'critical', 'previous': 'ok',
                    'current': 'alarm', 'reason': 'because',
                    'reason_data': {'k': 1}}


def test_post_sends_json_with_a_request_id(conf):
    n, session, _ = make(conf, [200])
    body = payload()
    assert n.post(parse.urlsplit('http://127.0.0.1:9/hook'), body) == 200
    [(url, kwargs)] = session.posts
    assert url == 'http://127.0.0.1:9/hook'
    assert json.loads(kwargs['data']) == body
    assert kwargs['headers']['content-type'] == 'application/json'
    assert kwargs['headers']['x-openstack-request-id'].startswith('req-')
    assert kwargs['timeout'] == 10.0


def test_failures_are_retried_with_backoff(conf):
    conf.set_override('rest_notifier_max_retries', 3, 'alarm')
    conf.set_override('rest_notifier_retry_backoff', 0.5, 'alarm')
    n, session, sleeps = make(conf, [
        requests.ConnectionError('refused'), 503,
        requests.Timeout('slow'), 204])
    assert n.post(parse.urlsplit('http://h/x'), payload()) == 204
    assert len(session.posts) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_gives_up_after_the_retries(conf):
    conf.set_override('rest_notifier_max_retries', 1, 'alarm')
    n, session, _ = make(conf, [500, 502])
    assert n.post(parse.urlsplit('http://h/x'), payload()) is None
    assert len(session.posts) == 2


def test_client_errors_are_not_retried(conf):
    conf.set_override('rest_notifier_max_retries', 3, 'alarm')
    n, session, _ = make(conf, [404])
    assert n.post(parse.urlsplit('http://h/x'), payload()) == 404
    assert len(session.posts) == 1


def test_https_options(conf):
    conf.set_override('rest_notifier_certificate_file', '/c.pem', 'alarm')
    conf.set_override('rest_notifier_certificate_key', '/k.pem', 'alarm')
    n, session, _ = make(conf, [200, 200])
    n.post(parse.urlsplit('https://h/x'), payload())
    n.post(parse.urlsplit('https://h/x?ceilometer-alarm-ssl-verify=0'),
           payload())
    first, second = (kwargs for _, kwargs in session.posts)
    assert first['verify'] is True and first['cert'] == ('/c.pem', '/k.pem')
    assert second['verify'] is False


def test_log_and_unknown_actions_only_log(conf, caplog):
    n, session, _ = make(conf, [])
    with caplog.at_level(logging.INFO):
        n.handle('log://', payload())
        n.handle('sms://123', payload())
    assert session.posts == []
    text = caplog.text
    assert 'with action log://' in text and 'because why' in text
    assert 'Action sms://123 for alarm' in text and 'is unknown' in text


def test_notify_runs_the_actions_of_the_current_state(conf):
    n, session, _ = make(conf, [])
    alarm = fakes.make_alarm(state='ok', ok_actions=['log://'],
                             alarm_actions=['http://h/alarm'])
    futures = n.notify(alarm, 'alarm', 'r', {})
    assert len(futures) == 1
    futures[0].result(5)
    alarm.ok_actions = []
    assert n.notify(alarm, 'alarm', 'r', {}) == []
    n.shutdown()


def test_a_broken_action_does_not_raise(conf, caplog):
    n = notifier.AlarmNotifier(conf)
    alarm = fakes.make_alarm(state='alarm',
                             alarm_actions=['http://[bad', 'log://'])
    with caplog.at_level(logging.INFO):
        for future in n.notify(alarm, 'ok', 'r', {}):
            assert future.result(5) is None
    n.shutdown()
    assert 'with action log://' in caplog.text
