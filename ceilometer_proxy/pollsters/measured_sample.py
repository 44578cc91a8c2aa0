"""A Ceilometer sample that keeps the time it was measured at.

Ceilometer's polling agent stamps every polled sample with the start of
the polling cycle. Kwapi probes and watcher-metering agents report when
they measured, which can be seconds to minutes earlier (a buffered
measurement waits for the next cycle), so these samples keep their own
time. Imported by the ceilometer-polling agent only.
"""

from ceilometer import sample


class MeasuredSample(sample.Sample):
    """A Ceilometer sample whose timestamp is the measurement's."""

    def set_timestamp(self, timestamp):
        if not self.timestamp:
            super(MeasuredSample, self).set_timestamp(timestamp)
