# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""The scenarios' named waits.

Each turns a timeout or an unexpected end into the verdict that names its
cause (see verdicts), followed by the states it saw and the evidence.
Polling follows tempest's ``compute.build_timeout`` and
``compute.build_interval``.
"""

from openstack import exceptions as sdk_exc
from tempest import config

from resize_tempest_plugin import verdicts
from resize_tempest_plugin import waiters

CONF = config.CONF

# Nova gives a confirmed or reverted migration's allocations back as part
# of the confirm or revert itself: what is still held this many seconds
# after the server settled is a leak, named then, not at build_timeout.
SETTLE_TIMEOUT = 15


def server_dead_end(status):
    """server -> True when it can no longer become ``status``.

    A server that is gone, or that rests (no task) in another of the
    states a move ends in, will not get there by itself. A confirmed
    resize stays VERIFY_RESIZE until the source compute has finished
    confirming it: not an end when waiting for ACTIVE.
    """
    ends = verdicts.SERVER_ENDS - {status}
    if status == 'ACTIVE':
        ends -= {'VERIFY_RESIZE'}
    return lambda server: server is None or (
        server.task_state is None and server.status in ends)


def migration_dead_end(status):
    """migration -> True when it can no longer reach ``status``.

    A migration not recorded yet may still appear.
    """
    ends = verdicts.MIGRATION_ENDS - {status}
    return lambda migration: (migration is not None
                              and migration.status in ends)


def _fail_after_wait(verdict, exc):
    """Fail with the verdict first, then the waiter's states and evidence.

    Raised without the waiter's exception as context, so that the
    evidence, already in the waiter's message, is printed once.
    """
    raise AssertionError('%s\n%s' % (verdict, exc)) from None


class Waits:
    """Waits on a scene's server, migration and allocations.

    :param reads: the scenario's CloudReads (admin's view, the evidence).
    :param conn: the owner's connection, for the owner's view of deletion.
    """

    def __init__(self, reads, conn):
        self.reads = reads
        self.conn = conn

    def _wait(self, scene, fetch, describe, is_done, what, is_failed=None,
              timeout=None):
        return waiters.wait_for(
            fetch, describe, is_done, what,
            timeout=timeout or CONF.compute.build_timeout,
            interval=CONF.compute.build_interval,
            is_failed=is_failed,
            evidence=lambda: self.reads.evidence(scene))

    def server_status(self, scene, status, judge_end=None):
        """Wait until the server is ``status`` with no task under way.

        :param judge_end: server -> a verdict (a bug's signature) or None,
            asked first when the wait ends elsewhere.
        """
        try:
            return self._wait(
                scene, lambda: self.reads.admin_server(scene.server_id),
                _server_state,
                lambda s: (s is not None and s.status == status
                           and s.task_state is None),
                'server %s to become %s' % (scene.server_id, status),
                is_failed=server_dead_end(status))
        except (waiters.UnexpectedState, waiters.WaitTimeout) as exc:
            seen = exc.last
            _fail_after_wait(
                (judge_end and judge_end(seen)) or verdicts.judge_server_end(
                    scene, status, seen and seen.status,
                    seen and seen.task_state, seen and seen.compute_host,
                    ((seen and seen.fault) or {}).get('message')), exc)

    def migration_status(self, scene, status, judge_end=None,
                         timeout=None):
        """Wait until the scene's migration reaches ``status``.

        :param judge_end: migration -> a verdict or None, asked first.
        :param timeout: seconds; compute.build_timeout by default.
        """
        try:
            return self._wait(
                scene, lambda: self.reads.migration(scene),
                lambda m: m.status if m else 'not recorded yet',
                lambda m: m is not None and m.status == status,
                'the %s of server %s to reach %s'
                % (scene.move, scene.server_id, status),
                is_failed=migration_dead_end(status), timeout=timeout)
        except (waiters.UnexpectedState, waiters.WaitTimeout) as exc:
            server = self.reads.admin_server(scene.server_id)
            _fail_after_wait(
                (judge_end and judge_end(exc.last))
                or verdicts.judge_migration_end(
                    scene, status, exc.last and exc.last.status,
                    server and server.status,
                    server and server.compute_host), exc)

    def allocations_released(self, scene, roles, after, timeout=None):
        """Wait until the consumers in ``roles`` hold nothing anywhere.

        :param timeout: seconds; compute.build_timeout by default.
        """
        try:
            self._wait(
                scene, lambda: self.reads.snapshot(scene),
                lambda snap: 'allocations left: %s' % (
                    ', '.join(sorted(verdicts.leftovers(scene, snap, roles)))
                    or 'none'),
                lambda snap: not verdicts.leftovers(scene, snap, roles),
                'the allocations of the %s to be deleted after %s'
                % (' and the '.join(roles), after), timeout=timeout)
        except waiters.WaitTimeout as exc:
            _fail_after_wait(
                verdicts.judge_released(scene, exc.last, roles, after), exc)

    def server_gone(self, server_id, conn=None):
        """Wait until the owner no longer sees the server.

        The owner is ``conn``, the primary's connection by default. Polled
        as every other wait (quickly at first, each state logged), so that
        the deletion is timed against nova's own delete action.
        """
        conn = conn or self.conn

        def fetch():
            try:
                return conn.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                return None
        waiters.wait_for(
            fetch, _server_state, lambda server: server is None,
            'server %s to be deleted' % server_id,
            timeout=CONF.compute.build_timeout,
            interval=CONF.compute.build_interval,
            # nova puts a server whose deletion failed back to rest, in
            # ERROR: it will not go away by itself.
            is_failed=lambda server: (server.task_state is None
                                      and server.status == 'ERROR'))


def _server_state(server):
    if server is None:
        return 'gone'
    return 'status=%s task_state=%s host=%s' % (
        server.status, server.task_state, server.compute_host)
