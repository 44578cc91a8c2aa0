"""StackTach worker configuration files, read as StackTach wrote them.

Operators moving from StackTach keep their ``deployments`` file: one entry
per RabbitMQ deployment (``rabbit_host``, ``rabbit_port``,
``rabbit_userid``, ``rabbit_password``, ``rabbit_virtual_host``,
``durable_queue``, optional ``queue_arguments`` and ``enabled``) whose
``topics`` map an exchange name to the queues to consume from it, each
bound with its own routing key. Missing fields take StackTach's defaults.
Keys StackTach itself did not act on (``queue_name``) and those that
concern its process supervision (``exit_on_exception``, the top-level
``workers``) are accepted and left aside: a collector consumer always
reconnects after an error, which is what StackTach's parent process
achieved by restarting a worker that exited.
"""

import collections
import json
from urllib import parse

Binding = collections.namedtuple('Binding', 'exchange routing_key')

# StackTach's worker defaults for a field a deployment leaves out.
DEFAULTS = {'rabbit_host': 'localhost', 'rabbit_port': 5672,
            'rabbit_userid': 'rabbit', 'rabbit_password': 'rabbit',
            'rabbit_virtual_host': '/', 'durable_queue': True,
            'queue_arguments': {}, 'enabled': True,
            'exit_on_exception': False}


class InvalidDeployments(ValueError):
    """The file cannot be used; the message says where and why."""


class Deployment(object):
    """One RabbitMQ deployment and the queues to consume from it.

    :param name: the deployment's name, the origin of its events.
    :param queues: {queue name: [Binding]} in the file's order.
    """

    def __init__(self, name, host, port, userid, password, virtual_host,
                 durable, queues, queue_arguments=None, enabled=True,
                 exit_on_exception=False):
        self.name = name
        self.host = host
        self.port = port
        self.userid = userid
        self.password = password
        self.virtual_host = virtual_host
        self.durable = durable
        self.queues = queues
        self.queue_arguments = queue_arguments or {}
        self.enabled = enabled
        self.exit_on_exception = exit_on_exception

    def connection_params(self):
        """Keyword arguments of kombu.Connection."""
        return dict(hostname=self.host, port=self.port, userid=self.userid,
                    password=self.password, virtual_host=self.virtual_host)

    @property
    def location(self):
        """The broker without credentials, for logs."""
        return 'amqp://%s:%d/%s' % (self.host, self.port,
                                    parse.quote(self.virtual_host, safe=''))

    def __repr__(self):
        return '<Deployment %s on %s: %s>' % (
            self.name, self.location, ', '.join(sorted(self.queues)))


def load(path):
    """The enabled deployments of a StackTach worker configuration file."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        raise InvalidDeployments('%s: %s' % (path, err))
    try:
        return [d for d in parse_config(data) if d.enabled]
    except InvalidDeployments as err:
        raise InvalidDeployments('%s: %s' % (path, err))


def parse_config(data):
    """Every Deployment of the decoded JSON of a worker configuration."""
    if not isinstance(data, dict) or not isinstance(
            data.get('deployments'), list):
        raise InvalidDeployments('no "deployments" list')
    deployments = [_deployment(n, entry)
                   for n, entry in enumerate(data['deployments'])]
    names = [d.name for d in deployments]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InvalidDeployments('deployment names used twice: %s'
                                 % ', '.join(twice))
    return deployments


def _deployment(index, entry):
    if not isinstance(entry, dict):
        raise InvalidDeployments('deployment #%d is not an object' % index)
    name = entry.get('name')
    if not isinstance(name, str) or not name:
        raise InvalidDeployments('deployment #%d has no name' % index)
    where = 'deployment %s' % name
    fields = dict(DEFAULTS)
    fields.update((k, v) for k, v in entry.items() if v is not None)
    for key in ('rabbit_host', 'rabbit_userid', 'rabbit_password',
                'rabbit_virtual_host'):
        if not isinstance(fields[key], str):
            raise InvalidDeployments('%s: %s is not text' % (where, key))
    for key in ('durable_queue', 'enabled', 'exit_on_exception'):
        if not isinstance(fields[key], bool):
            raise InvalidDeployments('%s: %s is not true or false'
                                     % (where, key))
    if not isinstance(fields['queue_arguments'], dict):
        raise InvalidDeployments('%s: queue_arguments is not an object'
                                 % where)
    return Deployment(
        name, fields['rabbit_host'], _port(where, fields['rabbit_port']),
        fields['rabbit_userid'], fields['rabbit_password'],
        fields['rabbit_virtual_host'], fields['durable_queue'],
        _queues(where, entry.get('topics')), fields['queue_arguments'],
        fields['enabled'], fields['exit_on_exception'])


def _port(where, value):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 < value < 65536):
        raise InvalidDeployments('%s: rabbit_port %r is not a port'
                                 % (where, value))
    return value


def _queues(where, topics):
    """{queue: [Binding]} of a deployment's ``topics``.

    A queue listed under several exchanges (or with several routing keys)
    is consumed once, with all its bindings.
    """
    if not isinstance(topics, dict) or not topics:
        raise InvalidDeployments('%s: no "topics" (exchange -> queues)'
                                 % where)
    queues = {}
    for exchange, entries in topics.items():
        if not exchange or not isinstance(entries, list):
            raise InvalidDeployments('%s: topics of exchange %r are not a '
                                     'list' % (where, exchange))
        for entry in entries:
            queue, routing_key = _queue_entry(where, exchange, entry)
            bindings = queues.setdefault(queue, [])
            binding = Binding(exchange, routing_key)
            if binding not in bindings:
                bindings.append(binding)
    return queues


def _queue_entry(where, exchange, entry):
    if not isinstance(entry, dict):
        raise InvalidDeployments('%s, exchange %s: %r is not an object'
                                 % (where, exchange, entry))
    values = []
    for key in ('queue', 'routing_key'):
        value = entry.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidDeployments('%s, exchange %s: an entry has no %s'
                                     % (where, exchange, key))
        values.append(value)
    return tuple(values)
