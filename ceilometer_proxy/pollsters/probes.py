"""Kwapi's probe list: fetching and validating ``GET {endpoint}/probes/``.

Kwapi answers ``{"probes": {"<probe id>": {"timestamp": <epoch>,
"kwh": <float>, "w": <float>}}}``. A probe entry that is not of that shape
is skipped and counted so that one broken driver never hides the other
probes, and a failing endpoint is reported once and yields no probe.
Times are converted from the epoch as UTC (Ceilometer's old pollster used
the host's local time).
"""

import collections
import datetime
import math

import requests

Probe = collections.namedtuple('Probe', ['id', 'timestamp', 'kwh', 'w'])


class ProbeList(collections.namedtuple(
        'ProbeList', ['endpoint', 'probes', 'skipped', 'error'])):
    """The probes of one endpoint for one polling cycle.

    ``error`` is None on success, else a one-line reason; ``skipped`` counts
    malformed entries.
    """


def probes_url(endpoint):
    return endpoint.rstrip('/') + '/probes/'


def fetch(endpoint, token=None, timeout=10.0, session=None):
    """The :class:`ProbeList` of ``endpoint``; never raises."""
    headers = {'Accept': 'application/json'}
    if token:
        headers['X-Auth-Token'] = token
    getter = session or requests
    try:
        resp = getter.get(probes_url(endpoint), headers=headers,
                          timeout=timeout)
    except requests.RequestException as exc:
        return ProbeList(endpoint, [], 0, 'unreachable: %s' % exc)
    if resp.status_code != 200:
        return ProbeList(endpoint, [], 0, 'HTTP %d' % resp.status_code)
    try:
        payload = resp.json()
    except ValueError:
        return ProbeList(endpoint, [], 0, 'answer is not JSON')
    return parse(endpoint, payload)


def parse(endpoint, payload):
    """Validate a decoded ``/probes/`` answer into a :class:`ProbeList`."""
    entries = payload.get('probes') if isinstance(payload, dict) else None
    if not isinstance(entries, dict):
        return ProbeList(endpoint, [], 0, 'answer has no "probes" map')
    probes = []
    skipped = 0
    for probe_id, entry in sorted(entries.items()):
        probe = _probe(probe_id, entry)
        if probe is None:
            skipped += 1
        else:
            probes.append(probe)
    return ProbeList(endpoint, probes, skipped, None)


def _probe(probe_id, entry):
    if not probe_id or not isinstance(entry, dict):
        return None
    values = [entry.get(key) for key in ('timestamp', 'kwh', 'w')]
    if not all(_is_number(v) for v in values):
        return None
    epoch, kwh, watts = values
    try:
        moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return Probe(probe_id, moment.isoformat(), kwh, watts)


def _is_number(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
