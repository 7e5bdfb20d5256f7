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


import types
from unittest import mock

import fixtures
from openstack import exceptions as sdk_exc

from resize_tempest_plugin.scenario import waits
from resize_tempest_plugin.tests import base
from resize_tempest_plugin import waiters


def server(status, task_state=None):
    return types.SimpleNamespace(status=status, task_state=task_state,
                                 compute_host=None)


def migration(status):
    return types.SimpleNamespace(status=status)


class TestServerDeadEnds(base.TestCase):
    """Which server states end a wait at once, rather than at its timeout."""

    def test_waiting_for_error(self):
        dead_end = waits.server_dead_end('ERROR')
        self.assertTrue(dead_end(None))
        self.assertTrue(dead_end(server('ACTIVE')))
        self.assertTrue(dead_end(server('VERIFY_RESIZE')))
        self.assertFalse(dead_end(server('ERROR')))
        # A task under way may still end in ERROR.
        self.assertFalse(dead_end(server('ACTIVE', 'resize_migrating')))
        self.assertFalse(dead_end(server('RESIZE', 'resize_finish')))

    def test_waiting_for_active_after_a_confirm(self):
        # VERIFY_RESIZE with no task is where a confirm starts from.
        dead_end = waits.server_dead_end('ACTIVE')
        self.assertFalse(dead_end(server('VERIFY_RESIZE')))
        self.assertTrue(dead_end(server('ERROR')))
        self.assertTrue(dead_end(server('SHUTOFF')))
        self.assertFalse(dead_end(server('BUILD', 'spawning')))

    def test_waiting_for_verify_resize(self):
        dead_end = waits.server_dead_end('VERIFY_RESIZE')
        self.assertTrue(dead_end(server('ACTIVE')))
        self.assertTrue(dead_end(server('ERROR')))
        self.assertFalse(dead_end(server('RESIZE', 'resize_prep')))


class TestMigrationDeadEnds(base.TestCase):

    def test_waiting_for_error(self):
        dead_end = waits.migration_dead_end('error')
        self.assertFalse(dead_end(None))  # not recorded yet
        self.assertFalse(dead_end(migration('migrating')))
        self.assertFalse(dead_end(migration('error')))
        for status in ('finished', 'confirmed', 'reverted', 'failed',
                       'completed', 'done', 'cancelled'):
            self.assertTrue(dead_end(migration(status)), status)

    def test_waiting_for_confirmed_passes_through_confirming(self):
        dead_end = waits.migration_dead_end('confirmed')
        self.assertFalse(dead_end(migration('confirming')))
        self.assertTrue(dead_end(migration('error')))
        # nova's API sets 'confirming' before it answers the confirm: a
        # migration still 'finished' was not confirmed.
        self.assertTrue(dead_end(migration('finished')))

    def test_waiting_for_reverted_passes_through_reverting(self):
        dead_end = waits.migration_dead_end('reverted')
        self.assertFalse(dead_end(migration('reverting')))
        self.assertTrue(dead_end(migration('confirmed')))


class TestServerGone(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(
            waits, 'CONF', types.SimpleNamespace(compute=types.SimpleNamespace(
                build_timeout=5, build_interval=0.01))))

    def gone_after(self, *answers):
        conn = mock.Mock()
        conn.compute.get_server.side_effect = list(answers)
        waits.Waits(reads=None, conn=conn).server_gone('s-1')
        return conn.compute.get_server.call_count

    def test_polls_until_the_owner_no_longer_sees_it(self):
        self.assertEqual(3, self.gone_after(
            server('ERROR', 'deleting'), server('ACTIVE', 'deleting'),
            sdk_exc.NotFoundException('gone')))

    def test_a_deletion_that_failed_stops_the_wait(self):
        exc = self.assertRaises(waiters.UnexpectedState, self.gone_after,
                                server('ERROR', 'deleting'), server('ERROR'))
        self.assertIn('server s-1 to be deleted: stopped in state '
                      'status=ERROR task_state=None', str(exc))
