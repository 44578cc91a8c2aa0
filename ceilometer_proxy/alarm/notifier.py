"""Running an alarm's actions: webhooks (http, https) and log lines.

Actions run on a thread pool inside the evaluator process, so a slow or
dead webhook delays neither the evaluation of other alarms nor the next
cycle; every failure is logged and dropped (the alarm's state is already
stored, and ``repeat_actions`` is how a user asks for another try on every
cycle). A webhook receives a POST of JSON::

    {"alarm_id", "alarm_name", "severity", "previous", "current",
     "reason", "reason_data"}

with an ``x-openstack-request-id`` header, as Ceilometer's notifier sent,
so Heat's autoscaling signal URLs work unchanged. Connection errors,
timeouts and 5xx answers are retried ``rest_notifier_max_retries`` times
with an exponential back-off; 4xx answers are not, the receiver refused.
"""

import concurrent.futures
import json
import threading
import time
from urllib import parse
import uuid

from oslo_config import cfg
from oslo_log import log
import requests

from ceilometer_proxy.alarm.storage import models

LOG = log.getLogger(__name__)

OPTS = [
    cfg.FloatOpt('rest_notifier_timeout', default=10.0, min=0.1,
                 help='Seconds to wait for a webhook to connect and to '
                      'answer, per attempt.'),
    cfg.IntOpt('rest_notifier_max_retries', default=0, min=0,
               help='Retries of a webhook call that failed to connect, '
                    'timed out or got a 5xx answer.'),
    cfg.FloatOpt('rest_notifier_retry_backoff', default=1.0, min=0,
                 help='Seconds before the first retry of a webhook call; '
                      'doubled before each further one.'),
    cfg.BoolOpt('rest_notifier_ssl_verify', default=True,
                help='Verify the certificate of https webhooks (an action '
                     'URL may override it with the query parameter '
                     'ceilometer-alarm-ssl-verify=0|1).'),
    cfg.StrOpt('rest_notifier_certificate_file',
               help='Client certificate (PEM) presented to https '
                    'webhooks.'),
    cfg.StrOpt('rest_notifier_certificate_key',
               help='Private key of rest_notifier_certificate_file, when '
                    'it is not in the same file.'),
    cfg.IntOpt('notifier_workers', default=8, min=1,
               help='Threads running alarm actions in the evaluator.'),
]

SSL_VERIFY_PARAM = 'ceilometer-alarm-ssl-verify'
# ``test`` actions are accepted by the API (admins only); they log.
LOG_SCHEMES = ('log', 'test')
HTTP_SCHEMES = ('http', 'https')


def payload_of(alarm, previous, reason, reason_data):
    """The JSON body every action of one notification receives."""
    return {'alarm_id': alarm.alarm_id, 'alarm_name': alarm.name,
            'severity': alarm.severity, 'previous': previous,
            'current': alarm.state, 'reason': str(reason),
            'reason_data': reason_data}


class AlarmNotifier(object):
    """Runs the actions of an alarm's current state.

    :param conf: the service's ConfigOpts (``[alarm]`` notifier options).
    :param sleep: how to wait between retries (tests pass a fake).
    """

    def __init__(self, conf, sleep=time.sleep):
        self.conf = conf
        self._sleep = sleep
        self._local = threading.local()
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=conf.alarm.notifier_workers,
            thread_name_prefix='alarm-notifier')

    def notify(self, alarm, previous, reason, reason_data):
        """Queue the actions of ``alarm.state``; returns their futures."""
        actions = getattr(alarm, models.Alarm.ACTIONS_OF_STATE[alarm.state])
        if not actions:
            LOG.debug('alarm %s has no action for %s', alarm.alarm_id,
                      alarm.state)
            return []
        payload = payload_of(alarm, previous, reason, reason_data)
        return [self._pool.submit(self._run, action, payload)
                for action in actions]

    def _run(self, action, payload):
        try:
            self.handle(action, payload)
        except Exception:  # a broken action must not kill the worker
            LOG.exception('Unable to notify alarm %s with action %s',
                          payload['alarm_id'], action)

    def handle(self, action, payload):
        """Run one action now, in this thread."""
        try:
            url = parse.urlsplit(action)
        except ValueError:
            LOG.error('Unable to parse action %s for alarm %s', action,
                      payload['alarm_id'])
            return
        if url.scheme in HTTP_SCHEMES:
            self.post(url, payload)
        elif url.scheme in LOG_SCHEMES:
            LOG.info('Notifying alarm %(alarm_name)s %(alarm_id)s of '
                     '%(severity)s priority from %(previous)s to '
                     '%(current)s with action %(action)s because '
                     '%(reason)s.', dict(payload, action=action))
        else:
            LOG.error('Action %s for alarm %s is unknown, cannot notify',
                      action, payload['alarm_id'])

    def _session(self):
        # requests sessions are not safe to share between threads.
        if not hasattr(self._local, 'session'):
            self._local.session = requests.Session()
        return self._local.session

    def _request_options(self, url):
        conf = self.conf.alarm
        options = {'timeout': conf.rest_notifier_timeout}
        if url.scheme == 'https':
            verify = conf.rest_notifier_ssl_verify
            given = parse.parse_qs(url.query).get(SSL_VERIFY_PARAM)
            if given:
                verify = bool(int(given[-1]))
            options['verify'] = verify
            cert = conf.rest_notifier_certificate_file
            key = conf.rest_notifier_certificate_key
            if cert:
                options['cert'] = (cert, key) if key else cert
        return options

    def post(self, url, payload):
        """POST the payload, retrying; returns the final status or None."""
        request_id = 'req-%s' % uuid.uuid4()
        LOG.info('Notifying alarm %s %s with severity %s from %s to %s with '
                 'action %s because %s. request-id: %s',
                 payload['alarm_name'], payload['alarm_id'],
                 payload['severity'], payload['previous'],
                 payload['current'], url.geturl(), payload['reason'],
                 request_id)
        options = self._request_options(url)
        headers = {'content-type': 'application/json',
                   'x-openstack-request-id': request_id}
        body = json.dumps(payload)
        retries = self.conf.alarm.rest_notifier_max_retries
        for attempt in range(retries + 1):
            if attempt:
                self._sleep(self.conf.alarm.rest_notifier_retry_backoff
                            * 2 ** (attempt - 1))
            try:
                resp = self._session().post(url.geturl(), data=body,
                                            headers=headers, **options)
            except requests.RequestException as err:
                failure = str(err)
            else:
                if resp.status_code < 500:
                    if resp.status_code >= 400:
                        LOG.warning('Webhook %s refused alarm %s: HTTP %d',
                                    url.geturl(), payload['alarm_id'],
                                    resp.status_code)
                    return resp.status_code
                failure = 'HTTP %d' % resp.status_code
            LOG.warning('Webhook %s for alarm %s failed (attempt %d of %d): '
                        '%s', url.geturl(), payload['alarm_id'], attempt + 1,
                        retries + 1, failure)
        LOG.error('Giving up notifying alarm %s with action %s',
                  payload['alarm_id'], url.geturl())
        return None

    def shutdown(self, wait=True):
        """Stop the workers; ``wait`` lets queued actions finish first."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
