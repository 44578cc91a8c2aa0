"""Sharing alarms between evaluator processes with tooz.

Every evaluator joins one tooz group and, at the start of each cycle, reads
the group's live members; an alarm belongs to the member its id maps to on
a consistent-hash ring of the sorted members. All members read the same
membership, so each alarm is evaluated by exactly one of them; when a
member stops (or stops heartbeating) the ring of the survivors covers its
alarms from their next cycle, and consistent hashing moves only the alarms
of the member that came or went.

Without ``[coordination] backend_url`` there is no group: the one process
evaluates every alarm. When the backend fails, this process evaluates
nothing until it is back (the other members, which still see the backend,
cover its share) rather than risking that every alarm is evaluated twice.
"""

import socket
import threading
import uuid

from oslo_config import cfg
from oslo_log import log
import tooz
from tooz import coordination
from tooz import hashring

LOG = log.getLogger(__name__)

OPTS = [
    cfg.StrOpt('backend_url', secret=True, default=None,
               help='The tooz URL of the coordination backend (e.g. '
                    'file:///var/lib/ceilometer-proxy/coordination, '
                    'redis://..., zookeeper://...). Unset: no '
                    'partitioning, so run a single alarm evaluator.'),
    cfg.FloatOpt('heartbeat', default=1.0, min=0.1,
                 help='Seconds between heartbeats to the coordination '
                      'backend; a member that misses them for the '
                      'backend\'s timeout leaves the group.'),
]

GROUP = b'alarm_evaluator'
ERRORS = (tooz.ToozError, OSError)


class PartitionCoordinator(object):
    """This process's membership of the evaluator group.

    :param conf: the service's ConfigOpts (``[coordination]``).
    :param member_id: this member's name (default: host name plus a UUID).
    """

    def __init__(self, conf, member_id=None):
        self.backend_url = conf.coordination.backend_url
        self.heartbeat_interval = conf.coordination.heartbeat
        self.member_id = (member_id or '%s-%s' % (
            socket.gethostname(), uuid.uuid4().hex[:8])).encode()
        self._coordinator = None
        self._lock = threading.Lock()

    @property
    def enabled(self):
        return bool(self.backend_url)

    def start(self):
        """Join the group (a failure is retried every cycle)."""
        if self.enabled:
            with self._lock:
                self._connect()

    def _connect(self):
        if self._coordinator is not None:
            return True
        try:
            member = coordination.get_coordinator(self.backend_url,
                                                  self.member_id)
            # tooz's own heart beats as rarely as the backend's timeout;
            # heartbeat() is called more often than that instead.
            member.start(start_heart=False)
            try:
                member.create_group(GROUP).get()
            except coordination.GroupAlreadyExist:
                pass
            self._join(member)
        except ERRORS as err:
            LOG.error('Cannot join the coordination group: %s', err)
            return False
        self._coordinator = member
        LOG.info('Joined coordination group %s as %s', GROUP.decode(),
                 self.member_id.decode())
        return True

    @staticmethod
    def _join(member):
        try:
            member.join_group(GROUP).get()
        except coordination.MemberAlreadyExist:
            pass

    def heartbeat(self):
        """Tell the backend this member is alive."""
        with self._lock:
            if self._coordinator is None:
                return
            try:
                self._coordinator.heartbeat()
            except ERRORS as err:
                LOG.warning('Coordination heartbeat failed: %s', err)

    def members(self):
        """The sorted live members (this one included), or None when the
        backend cannot be read."""
        with self._lock:
            if not self._connect():
                return None
            try:
                found = set(self._coordinator.get_members(GROUP).get())
                if self.member_id not in found:
                    # Timed out (e.g. a long pause): join again.
                    self._join(self._coordinator)
                    found.add(self.member_id)
            except ERRORS as err:
                LOG.error('Cannot read the coordination group: %s', err)
                self._drop()
                return None
        return sorted(m if isinstance(m, bytes) else m.encode()
                      for m in found)

    def extract_my_subset(self, alarms):
        """(this member's alarms, number of members)."""
        if not self.enabled:
            return list(alarms), 1
        members = self.members()
        if not members:
            return [], 0
        ring = hashring.HashRing(members)
        mine = [a for a in alarms
                if self.member_id in ring.get_nodes(a.alarm_id.encode())]
        return mine, len(members)

    def _drop(self):
        member, self._coordinator = self._coordinator, None
        try:
            member.stop()
        except ERRORS:
            pass

    def stop(self):
        """Leave the group, so the others take over at once."""
        with self._lock:
            if self._coordinator is None:
                return
            try:
                self._coordinator.leave_group(GROUP).get()
            except ERRORS as err:
                LOG.warning('Cannot leave the coordination group: %s', err)
            self._drop()
