"""Small helpers shared by the API, storage and agents.

They reproduce the exact text and key conventions of Ceilometer's v2 API
(flattened metadata keys, ISO timestamps) so that clients written for it
read our answers unchanged.
"""

import datetime

EPOCH = datetime.datetime(1970, 1, 1)


def recursive_keypairs(data, separator=':'):
    """Yield (key, value) pairs of a nested dict, keys joined by separator.

    Dict values are descended into (sorted by key, so the order is stable);
    lists keep their items, with dicts inside them rebuilt in sorted key
    order, so that str() of a value is the same for equal payloads: what
    Ceilometer's signature and metadata flattening rely on.
    """
    for name, value in sorted(data.items()):
        if isinstance(value, dict):
            for subname, subvalue in recursive_keypairs(value, separator):
                yield '%s%s%s' % (name, separator, subname), subvalue
        elif isinstance(value, (tuple, list)):
            yield name, _canonical(value)
        else:
            yield name, value


def _canonical(value):
    """Lists and dicts with a predictable order; bytes decoded."""
    if isinstance(value, dict):
        return {_canonical(k): _canonical(v)
                for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, bytes):
        return value.decode('utf-8')
    return value


def restore_nesting(data, separator='.'):
    """Turn {'a.b': 1} into {'a': {'b': 1}}: the inverse of flattening."""
    if not isinstance(data, dict):
        return data
    result = {}
    for key, value in data.items():
        parts = key.split(separator)
        node = result
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return result


def flatten_metadata(metadata):
    """Render resource metadata the way Ceilometer's v2 API shows it.

    Nested keys are joined with '.' after the first level and ':' below it
    (``properties.prop_2:sub_prop_1``) and every value becomes text; sets are
    dropped, as Ceilometer did.
    """
    if not metadata:
        return {}
    flat = {}
    for key, value in recursive_keypairs(metadata, separator='.'):
        if isinstance(value, (set, frozenset)):
            continue
        flat[key.replace('.', ':').replace(':', '.', 1)] = str(value)
    return flat


def update_nested(original, updates):
    """Return a copy of a nested dict updated recursively with another."""
    merged = dict(original)
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = update_nested(merged[key], value)
        else:
            merged[key] = value
    return merged


def naive_utc(value):
    """Return a timezone-naive UTC datetime (storage and rendering form)."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def to_millis(value):
    """Truncate a datetime to the millisecond precision BSON dates keep."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def delta_seconds(start, end):
    return (end - start).total_seconds()


EPOCH = datetime.datetime(1970, 1, 1)


def epoch_seconds(value):
    """Seconds since the epoch of a naive UTC datetime (float)."""
    return (naive_utc(value) - EPOCH).total_seconds()


def from_epoch(seconds):
    """The naive UTC datetime of seconds since the epoch."""
    return EPOCH + datetime.timedelta(seconds=seconds)


def floor_to_period(value, period):
    """The latest multiple of ``period`` seconds since the epoch at or
    before ``value`` (a naive UTC datetime); exact to the microsecond."""
    elapsed = naive_utc(value) - EPOCH
    step = datetime.timedelta(seconds=period)
    return EPOCH + step * (elapsed // step)
