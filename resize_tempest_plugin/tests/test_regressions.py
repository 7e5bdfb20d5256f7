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

from resize_tempest_plugin import regressions
from resize_tempest_plugin.tests import base
from resize_tempest_plugin.tests.test_verdicts import DST
from resize_tempest_plugin.tests.test_verdicts import MIGRATION
from resize_tempest_plugin.tests.test_verdicts import NEW
from resize_tempest_plugin.tests.test_verdicts import OLD
from resize_tempest_plugin.tests.test_verdicts import SCENE
from resize_tempest_plugin.tests.test_verdicts import SERVER
from resize_tempest_plugin.tests.test_verdicts import snapshot
from resize_tempest_plugin.tests.test_verdicts import SRC

IMAGE = '3c9e7a1d-5b2f-4e8a-9d6c-7f0b1a2c3d4e'
NEW_IMAGE = 'b7d4c2e1-9a8f-4b6e-8c5d-1e2f3a4b5c6d'

# A server booted on host1 with one flavor, moved nowhere: how the
# rebuild, local-delete and evacuation tests see it.
STAY = SCENE._replace(move=None, migration_id=None, new_resources=OLD,
                      driver=None)
# Bug 1785339: booted on host2, resized to host1 (NEW) and reverted,
# then live-migrated to host1 with its own flavor (OLD).
LIVE = SCENE._replace(
    migration_id=MIGRATION, move='live-migration',
    source_host='host2', source_rp=DST,
    destination_host='host1', destination_rp=SRC,
    old_resources=OLD, new_resources=OLD, driver=None)


def migration(status, migration_type, source='host1', dest='host1'):
    """A migration as evidence.migration_summary gives it."""
    return {'uuid': MIGRATION, 'status': status,
            'migration_type': migration_type,
            'source_compute': source, 'dest_compute': dest,
            'old_flavor_id': '1', 'new_flavor_id': '1',
            'created_at': '2024-05-02T10:11:12.000000',
            'updated_at': '2024-05-02T10:11:15.000000'}


class RegressionTestCase(base.TestCase):

    def assertIsBug(self, number, message):
        self.assertIsNotNone(message)
        prefix = ('This is nova bug %s (https://bugs.launchpad.net/nova/'
                  '+bug/%s): ' % (number, number))
        self.assertTrue(message.startswith(prefix), message)

    def assertIsNotBug(self, message):
        self.assertIsNotNone(message)
        self.assertFalse(message.startswith('This is nova bug'), message)


class TestJudgeRebuildEnd(RegressionTestCase):
    """Bug 1750623: a rebuild on a full host found no valid host."""

    def test_active_after_the_rebuild_passes(self):
        self.assertIsNone(regressions.judge_rebuild_end(STAY, 'ACTIVE', None))

    def test_error_with_no_valid_host_names_bug_1750623(self):
        fault = ('No valid host was found. There are not enough hosts '
                 'available.')
        message = regressions.judge_rebuild_end(STAY, 'ERROR', fault)
        self.assertIsBug(1750623, message)
        self.assertIn('host1', message)
        self.assertIn(fault, message)

    def test_error_with_another_fault_is_not_the_bug(self):
        # The judge answers only for the bug's signature: another ERROR
        # is left to the waiter's own message.
        self.assertIsNone(regressions.judge_rebuild_end(
            STAY, 'ERROR', 'Image 3c9e7a1d could not be found.'))

    def test_rebuilt_image_passes(self):
        self.assertIsNone(regressions.judge_rebuilt_image(NEW_IMAGE,
                                                          NEW_IMAGE))

    def test_old_image_after_the_rebuild_fails(self):
        message = regressions.judge_rebuilt_image(IMAGE, NEW_IMAGE)
        self.assertIsNotBug(message)
        self.assertEqual(
            'The rebuilt server\'s image is %s, expected %s (the one the '
            'rebuild asked for).' % (IMAGE, NEW_IMAGE), message)


class TestJudgeLocalDelete(RegressionTestCase):
    """Bug 1679750: a local delete left the server's allocations."""

    def test_nothing_left_passes(self):
        self.assertIsNone(regressions.judge_local_delete(STAY, snapshot()))

    def test_allocations_left_on_the_source_name_bug_1679750(self):
        message = regressions.judge_local_delete(
            STAY, snapshot({SRC: OLD}, source={SERVER: OLD}))
        self.assertIsBug(1679750, message)
        self.assertIn('compute host1 is down', message)
        self.assertIn('"%s": {"DISK_GB": 1, "MEMORY_MB": 128, "VCPU": 1}'
                      % SRC, message)

    def test_allocations_left_elsewhere_are_not_the_bug(self):
        message = regressions.judge_local_delete(
            STAY, snapshot({DST: NEW}, destination={SERVER: NEW}))
        self.assertIsNotBug(message)
        self.assertTrue(message.startswith(
            'After the server was deleted while its compute host1 was '
            'down, placement still holds for it: '), message)
        self.assertIn(DST, message)

    def test_only_the_provider_holding_is_not_the_bug(self):
        # GET /allocations/{server} is empty, the source still lists it.
        message = regressions.judge_local_delete(
            STAY, snapshot(source={SERVER: OLD}))
        self.assertIsNotBug(message)
        self.assertIn('source provider %s' % SRC, message)


class TestJudgeFailedEvacuation(RegressionTestCase):
    """Bug 1713783: a failed evacuation's migration stays 'accepted'."""

    def test_error_passes(self):
        self.assertIsNone(regressions.judge_failed_evacuation(STAY, 'error'))

    def test_accepted_names_bug_1713783(self):
        message = regressions.judge_failed_evacuation(STAY, 'accepted')
        self.assertIsBug(1713783, message)
        self.assertIn('from host1', message)

    def test_another_status_is_not_the_bug(self):
        message = regressions.judge_failed_evacuation(STAY, 'done')
        self.assertIsNotBug(message)
        self.assertEqual('The failed evacuation\'s migration is \'done\', '
                         'expected \'error\' (the scheduler found no valid '
                         'host).', message)

    def test_no_migration_is_not_the_bug(self):
        self.assertIsNotBug(regressions.judge_failed_evacuation(STAY, None))


class TestJudgeConfirmWhileSourceDown(RegressionTestCase):
    """Bug 1855927: a confirm with the source compute down is accepted."""

    def test_conflict_passes(self):
        self.assertIsNone(
            regressions.judge_confirm_while_source_down(SCENE, 409))

    def test_accepted_names_bug_1855927(self):
        message = regressions.judge_confirm_while_source_down(SCENE, None)
        self.assertIsBug(1855927, message)
        self.assertIn('source compute host1 is down', message)
        self.assertIn('expected 409', message)

    def test_another_error_is_not_the_bug(self):
        message = regressions.judge_confirm_while_source_down(SCENE, 500)
        self.assertIsNotBug(message)
        self.assertEqual('Confirming the resize while the source compute '
                         'host1 is down answered 500, expected 409.',
                         message)


class TestJudgeRebuildMigrations(RegressionTestCase):
    """Bug 1750618: a rebuild on the same host recorded an evacuation."""

    def test_no_migration_passes(self):
        self.assertIsNone(regressions.judge_rebuild_migrations(STAY, []))

    def test_evacuation_to_the_same_host_names_bug_1750618(self):
        migrations = [migration('done', 'evacuation')]
        message = regressions.judge_rebuild_migrations(STAY, migrations)
        self.assertIsBug(1750618, message)
        self.assertIn('own host host1', message)
        self.assertIn("left 'done'", message)
        self.assertIn('"uuid": "%s"' % MIGRATION, message)

    def test_the_last_evacuation_gives_the_status(self):
        message = regressions.judge_rebuild_migrations(STAY, [
            migration('done', 'evacuation'),
            migration('error', 'evacuation')])
        self.assertIsBug(1750618, message)
        self.assertIn("left 'error'", message)

    def test_another_migration_is_not_the_bug(self):
        migrations = [migration('confirmed', 'resize', dest='host2')]
        message = regressions.judge_rebuild_migrations(STAY, migrations)
        self.assertIsNotBug(message)
        self.assertTrue(message.startswith(
            'A rebuild on the server\'s own host recorded migrations; '
            'expected none: '), message)
        self.assertIn('"migration_type": "resize"', message)

    def test_evacuation_to_another_host_is_not_the_bug(self):
        self.assertIsNotBug(regressions.judge_rebuild_migrations(
            STAY, [migration('done', 'evacuation', dest='host2')]))


class TestJudgeAfterLiveMigration(RegressionTestCase):
    """Bug 1785339: the live migration claimed the reverted flavor."""

    def test_own_flavor_on_the_destination_passes(self):
        self.assertIsNone(regressions.judge_after_live_migration(
            LIVE, snapshot({SRC: OLD}, destination={SERVER: OLD}), NEW))

    def test_resized_flavor_on_the_destination_names_bug_1785339(self):
        message = regressions.judge_after_live_migration(
            LIVE, snapshot({SRC: NEW}, destination={SERVER: NEW}), NEW)
        self.assertIsBug(1785339, message)
        self.assertIn('live migration to host1', message)
        self.assertIn('the flavor of the resize ({"DISK_GB": 2, '
                      '"MEMORY_MB": 192, "VCPU": 2})', message)
        self.assertIn('not the server\'s own ({"DISK_GB": 1, '
                      '"MEMORY_MB": 128, "VCPU": 1})', message)

    def test_server_left_on_the_source_is_not_the_bug(self):
        # LIVE's source is host2 (DST), its destination host1 (SRC).
        message = regressions.judge_after_live_migration(
            LIVE, snapshot({DST: OLD}, source={SERVER: OLD}), NEW)
        self.assertIsNotBug(message)
        self.assertTrue(message.startswith(
            'After the live migration, placement does not hold the new '
            'flavor for the server on the destination host1 only'),
            message)
        self.assertIn('server %s allocations' % SERVER, message)

    def test_both_flavors_held_is_not_the_bug(self):
        message = regressions.judge_after_live_migration(
            LIVE, snapshot({SRC: NEW, DST: OLD}, source={SERVER: OLD},
                           destination={SERVER: NEW}), NEW)
        self.assertIsNotBug(message)


class TestJudgeMultiCreateMigration(RegressionTestCase):
    """Bug 1718455: one server of a multi-create cannot be moved."""

    def test_completed_passes(self):
        self.assertIsNone(regressions.judge_multi_create_migration(
            SCENE, 'completed', None))

    def test_no_status_yet_passes(self):
        self.assertIsNone(regressions.judge_multi_create_migration(
            SCENE, None, None))

    def test_api_refusal_with_no_valid_host_names_bug_1718455(self):
        refusal = ('No valid host was found. Unable to move instance %s to '
                   'host host2. There is not enough capacity on the host '
                   'for the instance.' % SERVER)
        message = regressions.judge_multi_create_migration(
            SCENE, 'HTTP 400', refusal)
        self.assertIsBug(1718455, message)
        self.assertIn('live migration to host2', message)
        self.assertIn('(HTTP 400: No valid host was found.', message)

    def test_migration_in_error_names_bug_1718455(self):
        self.assertIsBug(1718455, regressions.judge_multi_create_migration(
            SCENE, 'error', None))

    def test_another_failure_is_not_the_bug(self):
        message = regressions.judge_multi_create_migration(
            SCENE, 'failed', 'Live migration of instance failed: '
            'libvirtError: operation failed')
        self.assertIsNotBug(message)
        self.assertEqual('The live migration to host2 ended failed, '
                         'expected completed: Live migration of instance '
                         'failed: libvirtError: operation failed', message)
