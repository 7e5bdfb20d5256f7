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

import copy

from resize_tempest_plugin.tests import base
from resize_tempest_plugin import verdicts

SERVER = '6f0c5f4e-6d8e-4d7a-9f6b-2c1b6a3e9d01'
MIGRATION = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
OTHER = 'a5a5a5a5-0000-4000-8000-000000000001'   # someone else's server
SRC = '11111111-1111-4111-8111-111111111111'
DST = '22222222-2222-4222-8222-222222222222'
OLD = {'VCPU': 1, 'MEMORY_MB': 128, 'DISK_GB': 1}
NEW = {'VCPU': 2, 'MEMORY_MB': 192, 'DISK_GB': 2}

SCENE = verdicts.Scene(
    server_id=SERVER, migration_id=MIGRATION, move='resize',
    source_host='host1', source_rp=SRC,
    destination_host='host2', destination_rp=DST,
    old_resources=OLD, new_resources=NEW,
    driver='fake.FakeFinishMigrationFailDriver')


def consumer(allocations):
    """GET /allocations/{consumer} at microversion 1.28."""
    body = {'allocations': {
        rp: {'generation': 3, 'resources': dict(res)}
        for rp, res in allocations.items()}}
    if allocations:
        body.update({'consumer_generation': 1, 'project_id': 'p',
                     'user_id': 'u'})
    return body


def provider(allocations, generation=9):
    """GET /resource_providers/{rp}/allocations."""
    return {'resource_provider_generation': generation,
            'allocations': {c: {'resources': dict(res)}
                            for c, res in allocations.items()}}


# What nova with the fix leaves after finish_resize failed on host2 (other
# servers on both providers: a shared cloud).
FIXED = {
    'server': consumer({DST: NEW}),
    'migration': consumer({}),
    'source': provider({OTHER: OLD}),
    'destination': provider({SERVER: NEW, OTHER: NEW}),
}

# Nova before the fix (bug 1825537): the migration's allocations on the
# source went back to the server, the destination's were dropped.
PRE_FIX = {
    'server': consumer({SRC: OLD}),
    'migration': consumer({}),
    'source': provider({SERVER: OLD}),
    'destination': provider({}),
}


class TestFlavorResources(base.TestCase):

    def test_flavor_resources(self):
        self.assertEqual(OLD, verdicts.flavor_resources(1, 128, 1))
        self.assertEqual({'VCPU': 2, 'MEMORY_MB': 192, 'DISK_GB': 4},
                         verdicts.flavor_resources(2, 192, 2, ephemeral=1,
                                                   swap=513))
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 64},
                         verdicts.flavor_resources(1, 64, 0))

    def test_the_scenario_flavors_differ_in_every_class(self):
        from resize_tempest_plugin.scenario import base as scenario_base
        old = verdicts.flavor_resources(**scenario_base.OLD_FLAVOR)
        new = verdicts.flavor_resources(**scenario_base.NEW_FLAVOR)
        self.assertEqual({'VCPU', 'MEMORY_MB', 'DISK_GB'}, set(old))
        for resource_class in old:
            self.assertNotEqual(old[resource_class], new[resource_class],
                                resource_class)


# A cold migration: the flavor does not change.
MIGRATE = SCENE._replace(move='migration', new_resources=OLD)


def snapshot(server=None, migration=None, source=None, destination=None):
    """A placement snapshot, with others' servers on both providers."""
    source = dict(source or {}, **{OTHER: OLD})
    destination = dict(destination or {}, **{OTHER: NEW})
    return {'server': consumer(server or {}),
            'migration': consumer(migration or {}),
            'source': provider(source), 'destination': provider(destination)}


class TestJudgeBoot(base.TestCase):

    def test_old_flavor_on_the_source_passes(self):
        self.assertIsNone(verdicts.judge_boot(
            SCENE, snapshot({SRC: OLD}, source={SERVER: OLD})))

    def test_elsewhere_fails_with_expected_and_seen(self):
        message = verdicts.judge_boot(
            SCENE, snapshot({DST: OLD}, destination={SERVER: OLD}))
        self.assertIn('expected: {"source host1', message)
        self.assertIn('seen:     {"destination host2', message)


class TestJudgeAfterFailure(base.TestCase):

    def test_what_the_fix_leaves_passes(self):
        self.assertIsNone(verdicts.judge_after_failure(SCENE, FIXED))

    def test_pre_fix_signature_names_bug_1825537(self):
        message = verdicts.judge_after_failure(SCENE, PRE_FIX)
        self.assertTrue(message.startswith('This is nova bug 1825537'),
                        message)
        self.assertIn('https://bugs.launchpad.net/nova/+bug/1825537',
                      message)
        self.assertIn('server %s allocations' % SERVER, message)
        self.assertIn('source provider %s holds' % SRC, message)
        self.assertIn('placement audit --verbose lists the allocations on '
                      'host1 as orphaned', message)

    def test_pre_fix_with_other_servers_around_still_names_the_bug(self):
        snapshot = copy.deepcopy(PRE_FIX)
        snapshot['source'] = provider({SERVER: OLD, OTHER: OLD})
        snapshot['destination'] = provider({OTHER: NEW})
        self.assertIn('nova bug 1825537',
                      verdicts.judge_after_failure(SCENE, snapshot))

    def test_migration_still_holding_the_source_fails(self):
        snapshot = copy.deepcopy(FIXED)
        snapshot['migration'] = consumer({SRC: OLD})
        snapshot['source'] = provider({MIGRATION: OLD, OTHER: OLD})
        message = verdicts.judge_after_failure(SCENE, snapshot)
        self.assertFalse(message.startswith('This is nova bug'), message)
        self.assertIn('does not match what nova with the fix', message)
        self.assertIn('migration %s allocations' % MIGRATION, message)
        self.assertIn('source provider %s holds' % SRC, message)
        self.assertNotIn('server %s allocations' % SERVER, message)

    def test_old_flavor_on_the_destination_fails(self):
        snapshot = copy.deepcopy(FIXED)
        snapshot['server'] = consumer({DST: OLD})
        snapshot['destination'] = provider({SERVER: OLD})
        message = verdicts.judge_after_failure(SCENE, snapshot)
        self.assertIn('"MEMORY_MB": 128', message)
        self.assertIn('"MEMORY_MB": 192', message)
        self.assertNotIn('This is nova bug', message)

    def test_allocations_on_both_providers_fail(self):
        snapshot = copy.deepcopy(FIXED)
        snapshot['server'] = consumer({DST: NEW, SRC: OLD})
        snapshot['source'] = provider({SERVER: OLD})
        message = verdicts.judge_after_failure(SCENE, snapshot)
        self.assertIn('server %s allocations' % SERVER, message)
        self.assertNotIn('This is nova bug', message)

    def test_providers_usage_by_others_does_not_matter(self):
        snapshot = copy.deepcopy(FIXED)
        snapshot['source'] = provider({OTHER: {'VCPU': 64}})
        self.assertIsNone(verdicts.judge_after_failure(SCENE, snapshot))


class TestJudgeAfterMigrateFailure(base.TestCase):
    """The same verdict, for a cold migration (one flavor)."""

    def test_the_flavor_on_the_destination_passes(self):
        self.assertIsNone(verdicts.judge_after_failure(
            MIGRATE, snapshot({DST: OLD}, destination={SERVER: OLD})))

    def test_pre_fix_signature_names_bug_1825537(self):
        # Nova without the fix: the migration's allocations on the source
        # went back to the server, the destination's were dropped.
        message = verdicts.judge_after_failure(
            MIGRATE, snapshot({SRC: OLD}, source={SERVER: OLD}))
        self.assertTrue(message.startswith('This is nova bug 1825537'),
                        message)

    def test_both_consumers_holding_is_not_the_bug(self):
        message = verdicts.judge_after_failure(MIGRATE, snapshot(
            {DST: OLD}, {SRC: OLD}, source={MIGRATION: OLD},
            destination={SERVER: OLD}))
        self.assertTrue(message.startswith(
            'Placement after the failed migration does not match'), message)
        self.assertIn('migration %s allocations' % MIGRATION, message)


class TestJudgeAfterHardReboot(base.TestCase):

    def test_new_flavor_kept_on_the_destination_passes(self):
        self.assertIsNone(verdicts.judge_after_hard_reboot(SCENE, FIXED))

    def test_allocations_dropped_by_the_reboot_fail(self):
        message = verdicts.judge_after_hard_reboot(SCENE, snapshot())
        self.assertTrue(message.startswith('The hard reboot changed the '
                                           'allocations'), message)
        self.assertIn('server %s allocations' % SERVER, message)

    def test_reported_flavor_is_the_old_one(self):
        self.assertIsNone(verdicts.judge_reported_flavor(
            SCENE, {'vcpus': 1, 'ram': 128, 'disk': 1, 'original_name': 'o'}))

    def test_reported_new_flavor_says_nova_changed(self):
        message = verdicts.judge_reported_flavor(
            SCENE, {'vcpus': 2, 'ram': 192, 'disk': 2})
        self.assertIn('reports the flavor {"DISK_GB": 2', message)
        self.assertIn('update this test', message)


class TestJudgeNoValidHost(base.TestCase):

    def test_nothing_moved_passes(self):
        self.assertIsNone(verdicts.judge_no_valid_host(
            SCENE, snapshot({SRC: OLD}, source={SERVER: OLD})))

    def test_allocations_left_with_the_migration_are_named(self):
        # The regression: conductor's rollback leaves the server's
        # allocations with the migration it moved them to.
        message = verdicts.judge_no_valid_host(
            SCENE, snapshot(migration={SRC: OLD},
                            source={MIGRATION: OLD}))
        self.assertTrue(message.startswith(
            'After the scheduler found no valid host, the migration still '
            'holds'), message)

    def test_new_flavor_on_the_destination_fails(self):
        message = verdicts.judge_no_valid_host(
            SCENE, snapshot({DST: NEW}, destination={SERVER: NEW}))
        self.assertIn('nothing should have moved', message)


def action(name, *events):
    return {'action': name, 'request_id': 'req-1', 'events': [
        {'event': event, 'result': result, 'traceback': traceback,
         'details': details} for event, result, traceback, details in events]}


class TestJudgeNoValidHostEvents(base.TestCase):

    def test_no_valid_host_in_the_traceback_passes(self):
        self.assertIsNone(verdicts.judge_no_valid_host_events([
            action('resize', ('conductor_migrate_server', 'Error',
                              'nova/conductor/manager.py:431 in '
                              '_cold_migrate: raise exception.NoValidHost('
                              'reason=msg)', None))]))

    def test_no_valid_host_in_the_details_passes(self):
        self.assertIsNone(verdicts.judge_no_valid_host_events([
            action('resize', ('cold_migrate', 'Error', None,
                              'No valid host was found. No valid host '
                              'found for resize'))]))

    def test_another_failure_is_named(self):
        message = verdicts.judge_no_valid_host_events([
            action('resize', ('compute_prep_resize', 'Error',
                              'raise exception.ComputeHostNotFound', None)),
            action('create', ('compute__do_build_and_run_instance',
                              'Success', None, None))])
        self.assertIn('No instance action event failed with NoValidHost',
                      message)
        self.assertIn('["resize", "compute_prep_resize", "Error"]', message)


class TestJudgeRevertAndConfirm(base.TestCase):

    def test_verify_resize_holds_both_flavors(self):
        self.assertIsNone(verdicts.judge_verify_resize(SCENE, snapshot(
            {DST: NEW}, {SRC: OLD}, source={MIGRATION: OLD},
            destination={SERVER: NEW})))

    def test_verify_resize_with_the_server_holding_both_fails(self):
        # Before migration-based allocations (Queens), the server held
        # both flavors and nothing told them apart.
        message = verdicts.judge_verify_resize(SCENE, snapshot(
            {DST: NEW, SRC: OLD}, source={SERVER: OLD},
            destination={SERVER: NEW}))
        self.assertTrue(message.startswith('In VERIFY_RESIZE'), message)
        self.assertIn('migration %s allocations' % MIGRATION, message)

    def test_after_revert_the_old_flavor_on_the_source(self):
        self.assertIsNone(verdicts.judge_after_revert(
            SCENE, snapshot({SRC: OLD}, source={SERVER: OLD})))

    def test_revert_that_leaks_the_new_flavor_fails(self):
        message = verdicts.judge_after_revert(SCENE, snapshot(
            {SRC: OLD, DST: NEW}, source={SERVER: OLD},
            destination={SERVER: NEW}))
        self.assertTrue(message.startswith('After the revert'), message)
        self.assertIn('destination provider %s holds' % DST, message)

    def test_after_confirm_the_new_flavor_on_the_destination(self):
        self.assertIsNone(verdicts.judge_after_confirm(
            SCENE, snapshot({DST: NEW}, destination={SERVER: NEW})))

    def test_confirm_that_leaks_the_migration_fails(self):
        message = verdicts.judge_after_confirm(SCENE, snapshot(
            {DST: NEW}, {SRC: OLD}, source={MIGRATION: OLD},
            destination={SERVER: NEW}))
        self.assertTrue(message.startswith('After the confirm'), message)
        self.assertIn('migration %s allocations' % MIGRATION, message)


class TestJudgeReleased(base.TestCase):

    def test_nothing_left_passes(self):
        self.assertIsNone(verdicts.judge_released(
            SCENE, snapshot(), ('server', 'migration'), 'the delete'))
        self.assertEqual({}, verdicts.leftovers(SCENE, snapshot()))

    def test_leftovers_are_listed(self):
        message = verdicts.judge_released(
            SCENE, snapshot({DST: NEW}, destination={SERVER: NEW}),
            ('server', 'migration'), 'the server was deleted')
        self.assertTrue(message.startswith(
            'After the server was deleted, allocations remain'), message)
        self.assertIn('server %s: {"%s"' % (SERVER, DST), message)
        self.assertIn('destination provider %s' % DST, message)
        self.assertNotIn('migration %s:' % MIGRATION, message)
        # How to look at and repair them with nova's own tool.
        self.assertIn('nova-manage placement audit --verbose', message)
        self.assertIn('with --delete removes them', message)

    def test_only_the_roles_asked_for(self):
        still_there = snapshot({DST: NEW}, destination={SERVER: NEW})
        self.assertIsNone(verdicts.judge_released(
            SCENE, still_there, ('migration',), 'the confirm'))
        message = verdicts.judge_released(
            SCENE, snapshot({DST: NEW}, {SRC: OLD}, source={MIGRATION: OLD},
                            destination={SERVER: NEW}),
            ('migration',), 'the confirm')
        self.assertIn('migration %s: ' % MIGRATION, message)
        self.assertNotIn('server %s: ' % SERVER, message)


class TestJudgeEnds(base.TestCase):

    def test_a_resize_that_finishes_names_the_driver(self):
        message = verdicts.judge_migration_end(SCENE, 'error', 'finished',
                                               'VERIFY_RESIZE', 'host2')
        self.assertTrue(message.startswith('The resize did not fail'),
                        message)
        self.assertIn('host2 is not running '
                      'fake.FakeFinishMigrationFailDriver', message)
        self.assertIn('[resize_fail] destination_host', message)

    def test_a_migrate_that_finishes_names_the_driver(self):
        message = verdicts.judge_migration_end(MIGRATE, 'error', 'finished',
                                               'VERIFY_RESIZE', 'host2')
        self.assertTrue(message.startswith('The migration did not fail'),
                        message)
        self.assertIn('fake.FakeFinishMigrationFailDriver', message)

    def test_a_migration_that_failed_otherwise(self):
        message = verdicts.judge_migration_end(SCENE, 'error', 'failed',
                                               'ACTIVE', 'host1')
        self.assertIn("migration is 'failed', expected 'error'", message)
        self.assertNotIn('not running', message)

    def test_a_working_resize_that_errors(self):
        working = SCENE._replace(driver=None)
        message = verdicts.judge_migration_end(working, 'finished', 'error',
                                               'ERROR', 'host2')
        self.assertIn("migration is 'error', expected 'finished'", message)

    def test_server_in_verify_resize_names_the_driver(self):
        message = verdicts.judge_server_end(SCENE, 'ERROR', 'VERIFY_RESIZE',
                                            None, 'host2', None)
        self.assertIn('not running fake.FakeFinishMigrationFailDriver',
                      message)

    def test_server_back_active_says_it_failed_before_finish(self):
        message = verdicts.judge_server_end(
            SCENE, 'ERROR', 'ACTIVE', None, 'host1',
            'No valid host was found.')
        self.assertIn('before finish_migration ran', message)
        self.assertIn('No valid host was found.', message)

    def test_server_in_error_when_active_was_expected(self):
        message = verdicts.judge_server_end(
            SCENE, 'ACTIVE', 'ERROR', None, 'host2', 'Boom')
        self.assertEqual('The server is ERROR (task state None) on host2, '
                         'expected ACTIVE. Fault: Boom', message)


class TestJudgeCanaryRefused(base.TestCase):

    def judge(self, status, host, fault):
        return verdicts.judge_canary_refused('host2', 'CUSTOM_CANARY',
                                             status, host, fault)

    def test_refused_with_no_valid_host_passes(self):
        self.assertIsNone(self.judge(
            'ERROR', None, 'No valid host was found. There are not enough '
                           'hosts available.'))

    def test_a_server_on_the_canary_is_not_isolated(self):
        message = self.judge('ACTIVE', 'host2', None)
        self.assertTrue(message.startswith(
            'The cloud does not isolate its canary: host2 took a server '
            'whose flavor does not require CUSTOM_CANARY (status ACTIVE)'),
            message)
        self.assertIn('enable_isolated_aggregate_filtering = True', message)
        self.assertIn('trait:CUSTOM_CANARY=required', message)

    def test_a_server_that_errors_on_the_canary_was_not_refused(self):
        # The boot reached the canary and failed there: still not isolated.
        self.assertIn(verdicts.NOT_ISOLATED,
                      self.judge('ERROR', 'host2', 'Build of instance '
                                                   'aborted'))

    def test_another_failure_says_so(self):
        message = self.judge('ERROR', None, 'Quota exceeded')
        self.assertIn("fault 'Quota exceeded'", message)
        self.assertIn('another reason than the isolation', message)
        self.assertNotIn(verdicts.NOT_ISOLATED, message)
