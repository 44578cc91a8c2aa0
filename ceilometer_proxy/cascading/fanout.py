"""Calling many regions at once and applying the partial-results policy.

A fan-out runs one function per region in a thread pool capped by
``[cascading] max_parallel_regions``, so the slowest region, not the sum of
them, sets the latency. Failures are collected per region; ``settle``
decides what they mean: a region's 4xx is the caller's mistake and is
raised as it is; unavailable regions (a 503) and regions whose kind cannot
answer the question (a 400, Gnocchi asked for raw samples) fail the request
unless partial results are allowed, in which case they are reported back
for the response header.
"""

from concurrent import futures

from ceilometer_proxy.cascading import errors


class FanOut(object):
    """The outcome of one fan-out.

    :ivar results: {region: value returned by fn}.
    :ivar failures: {region: the CascadingError it raised}.
    """

    def __init__(self, results, failures):
        self.results = results
        self.failures = failures

    def settle(self, conf):
        """Apply ``[cascading] partial_results``; returns the names of the
        regions left out (empty when every region answered)."""
        left_out = (errors.RegionUnavailable, errors.RegionCannotAnswer)
        for region in sorted(self.failures):
            err = self.failures[region]
            if not isinstance(err, left_out):
                raise err
        missing = sorted(self.failures)
        if not missing:
            return []
        if conf.cascading.partial_results and self.results:
            return missing
        unable = [r for r in missing
                  if isinstance(self.failures[r], errors.RegionCannotAnswer)]
        if unable:
            # Permanent: waiting for the region would not help.
            raise errors.RegionsCannotAnswer(
                unable, {r: self.failures[r].reason for r in unable})
        raise errors.RegionsUnavailable(
            missing, {r: self.failures[r].reason for r in missing})


def fan_out(names, fn, conf):
    """Run ``fn(region)`` for every region name, in parallel.

    :param names: region names to call.
    :param fn: function of one region name; CascadingErrors it raises are
        collected, anything else propagates.
    :param conf: the service's ConfigOpts.
    """
    names = list(names)
    results, failures = {}, {}
    if len(names) == 1:
        _run(fn, names[0], results, failures)
        return FanOut(results, failures)
    workers = min(conf.cascading.max_parallel_regions, len(names)) or 1
    with futures.ThreadPoolExecutor(max_workers=workers) as pool:
        pending = {pool.submit(fn, name): name for name in names}
        for future in futures.as_completed(pending):
            name = pending[future]
            try:
                results[name] = future.result()
            except errors.CascadingError as err:
                failures[name] = err
    return FanOut(results, failures)


def _run(fn, name, results, failures):
    try:
        results[name] = fn(name)
    except errors.CascadingError as err:
        failures[name] = err
