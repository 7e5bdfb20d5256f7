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

import importlib
import inspect
import pkgutil
import re
import types
from unittest import mock

import fixtures

from tempest.lib import exceptions as lib_exc
from tempest import test

from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import scenario
from resize_tempest_plugin.scenario import base as scenario_base
from resize_tempest_plugin.scenario import test_canary_isolation
from resize_tempest_plugin.scenario import test_migrate_fail as migrate_fail
from resize_tempest_plugin.scenario import test_resize_fail
from resize_tempest_plugin.tests import base


# Not bound to names of this module: the unit test loader would run them.
def scenario_class():
    return scenario_base.ScenarioTest


def scenario_tests():
    """{class: [test methods]} of every scenario class that has tests."""
    found = {}
    for module_info in pkgutil.iter_modules(scenario.__path__):
        module = importlib.import_module(
            '%s.%s' % (scenario.__name__, module_info.name))
        for _, cls in inspect.getmembers(module, inspect.isclass):
            tests = [getattr(cls, name) for name in dir(cls)
                     if name.startswith('test_')]
            if issubclass(cls, scenario_base.ScenarioTest) and tests:
                found[cls] = tests
    return found


def fake_conf(resize=True, cold_migration=True, min_compute_nodes=2,
              source='host1', destination='host2', image_ref='image-1',
              compute_max_microversion='latest',
              placement_max_microversion='latest', canary_trait=None):
    return types.SimpleNamespace(
        identity=types.SimpleNamespace(auth_version='v3'),
        compute_feature_enabled=types.SimpleNamespace(
            resize=resize, cold_migration=cold_migration),
        compute=types.SimpleNamespace(
            min_compute_nodes=min_compute_nodes, image_ref=image_ref,
            min_microversion=None, max_microversion=compute_max_microversion),
        placement=types.SimpleNamespace(
            min_microversion=None,
            max_microversion=placement_max_microversion),
        resize_fail=types.SimpleNamespace(source_host=source,
                                          destination_host=destination,
                                          canary_trait=canary_trait))


class TestScenarioShape(base.TestCase):
    """The scenarios follow tempest's conventions (checked without a cloud)."""

    def test_every_test_has_its_own_id_attrs_and_services(self):
        ids = []
        tests = [method for methods in scenario_tests().values()
                 for method in methods]
        for method in tests:
            attrs = getattr(method, '__testtools_attrs', set())
            ids.extend(a for a in attrs if re.match(r'id-[0-9a-f-]{36}$', a))
            self.assertIn('slow', attrs)
            self.assertIn('compute', attrs)
        self.assertEqual(len(tests), len(ids))
        self.assertEqual(len(ids), len(set(ids)))

    def test_each_declared_credential_connects_once_and_is_closed(self):
        # Least privilege: a credential tempest makes is one the tests use.
        cleanups = []

        class Probe(scenario_class()):
            @classmethod
            def addClassResourceCleanup(cls, fn, *args, **kwargs):
                cleanups.append(fn)

        for role in Probe.credentials:
            setattr(Probe, 'os_' + role,
                    types.SimpleNamespace(credentials='creds of ' + role))
        made = []

        def connect(creds, conf):
            made.append(mock.Mock(creds=creds))
            return made[-1]
        with mock.patch.object(test.BaseTestCase, 'setup_clients'), \
                mock.patch.object(scenario_base.clients, 'connect', connect):
            Probe.setup_clients()
        self.assertEqual('creds of primary', Probe.conn.creds)
        self.assertEqual('creds of admin', Probe.admin_conn.creds)
        self.assertEqual(
            sorted('creds of ' + role for role in Probe.credentials),
            sorted(conn.creds for conn in made))
        self.assertEqual([conn.close for conn in made], cleanups)
        # The reads are admin's; the waits see deletion as the owner.
        self.assertIs(Probe.admin_conn, Probe.reads.admin_conn)
        self.assertIs(Probe.conn, Probe.waits.conn)

    def test_docstrings_list_numbered_steps(self):
        # A subclass may list the steps that follow its parent's.
        for cls in scenario_tests():
            steps = [int(n) for n in re.findall(r'^\s+(\d+)\. ',
                                                cls.__doc__, re.M)]
            self.assertEqual(list(range(steps[0], steps[0] + len(steps))),
                             steps, cls.__name__)
            self.assertGreaterEqual(steps[-1], 5, cls.__name__)


@mock.patch.object(test.BaseTestCase, 'skip_checks')
class TestSkipChecks(base.TestCase):

    def setUp(self):
        super().setUp()
        self.admin_available = self.useFixture(fixtures.MockPatchObject(
            scenario_base.credentials_factory, 'is_admin_available',
            return_value=True)).mock

    def _skip_checks(self, conf, cls=None):
        with mock.patch.object(scenario_base, 'CONF', conf):
            (cls or scenario_class()).skip_checks()

    def _skipped(self, conf, cls=None):
        return str(self.assertRaises(scenario_class().skipException,
                                     self._skip_checks, conf, cls))

    def test_a_good_configuration_passes(self, base_skip_checks):
        self._skip_checks(fake_conf())
        base_skip_checks.assert_called_once_with()

    def test_no_admin_account_skips_saying_where_to_add_one(
            self, base_skip_checks):
        self.admin_available.return_value = False
        self.assertIn('"types: [admin]" to [auth] test_accounts_file',
                      self._skipped(fake_conf()))
        self.admin_available.assert_called_once_with('v3')
        base_skip_checks.assert_not_called()

    def test_the_canary_test_skips_without_a_canary_trait(
            self, base_skip_checks):
        isolation = test_canary_isolation.CanaryIsolationTest
        unset, configured = fake_conf(), fake_conf(canary_trait='CUSTOM_C')
        with mock.patch.object(test_canary_isolation, 'CONF', unset):
            self.assertIn('[resize_fail] canary_trait is not set',
                          self._skipped(unset, isolation))
        with mock.patch.object(test_canary_isolation, 'CONF', configured):
            self._skip_checks(configured, isolation)

    def test_resize_disabled_skips(self, base_skip_checks):
        self.assertIn('compute-feature-enabled.resize is False',
                      self._skipped(fake_conf(resize=False)))

    def test_cold_migration_disabled_skips_the_migration_only(
            self, base_skip_checks):
        conf = fake_conf(cold_migration=False)
        self.assertIn('compute-feature-enabled.cold_migration is False',
                      self._skipped(conf, migrate_fail.
                                    MigrateFailOnDestinationTest))
        self._skip_checks(conf, test_resize_fail.ResizeFailOnDestinationTest)
        # A cold migration is no resize: the resize flag does not skip it.
        self._skip_checks(fake_conf(resize=False),
                          migrate_fail.MigrateFailOnDestinationTest)

    def test_compute_below_2_59_skips(self, base_skip_checks):
        self.assertIn('compute microversion 2.59', self._skipped(
            fake_conf(compute_max_microversion='2.58')))
        self._skip_checks(fake_conf(compute_max_microversion='2.59'))

    def test_placement_below_1_28_skips(self, base_skip_checks):
        self.assertIn('placement microversion 1.28', self._skipped(
            fake_conf(placement_max_microversion='1.27')))
        self._skip_checks(fake_conf(placement_max_microversion='1.28'))

    def test_unset_microversions_skip_as_in_tempest(self, base_skip_checks):
        self.assertIn('[compute] min_microversion, max_microversion',
                      self._skipped(fake_conf(compute_max_microversion=None)))

    def test_one_compute_skips(self, base_skip_checks):
        self.assertIn('compute.min_compute_nodes is 1',
                      self._skipped(fake_conf(min_compute_nodes=1)))

    def test_same_hosts_is_invalid(self, base_skip_checks):
        exc = self.assertRaises(lib_exc.InvalidConfiguration,
                                self._skip_checks,
                                fake_conf(destination='host1'))
        self.assertIn("both 'host1'", str(exc))
        self.assertIn(plugin_config.DESTINATION_DRIVER, str(exc))

    def test_an_unset_host_is_invalid(self, base_skip_checks):
        exc = self.assertRaises(lib_exc.InvalidConfiguration,
                                self._skip_checks, fake_conf(source=None))
        self.assertIn('[resize_fail] source_host is not set', str(exc))
        self.assertIn(plugin_config.SHAPE_FILE, str(exc))

    def test_no_image_is_invalid(self, base_skip_checks):
        exc = self.assertRaises(lib_exc.InvalidConfiguration,
                                self._skip_checks, fake_conf(image_ref=''))
        self.assertIn('[compute] image_ref', str(exc))


class SideBySideCleanupsTest(base.TestCase):
    """Calls side by side: each one's cleanups undone beside the others'."""

    def setUp(self):
        super().setUp()

        class Scenario(scenario_base.ScenarioTest):
            def test_nothing(self):
                pass

        self.scenario = Scenario('test_nothing')
        self.undone = []

    def step(self, name, fail=False):
        self.scenario.addCleanup(self.undone.append, name + ' made')
        self.scenario.addCleanup(self.undone.append, name + ' changed')
        if fail:
            raise ValueError(name)
        return name

    def test_each_call_s_cleanups_run_last_first(self):
        self.assertEqual(['a', 'b'], self.scenario.side_by_side(
            lambda: self.step('a'), lambda: self.step('b')))
        self.assertEqual([], self.undone)
        self.scenario.doCleanups()
        for name in ('a', 'b'):
            self.assertLess(self.undone.index(name + ' changed'),
                            self.undone.index(name + ' made'))
        self.assertEqual(4, len(self.undone))

    def test_a_failed_call_s_cleanups_are_registered_all_the_same(self):
        self.assertRaises(ValueError, self.scenario.side_by_side,
                          lambda: self.step('a', fail=True),
                          lambda: self.step('b'))
        self.scenario.doCleanups()
        self.assertEqual(4, len(self.undone))

    def test_a_failed_cleanup_stops_none_of_the_others(self):
        def broken():
            raise RuntimeError('cleanup failed')

        self.assertRaises(RuntimeError, scenario_base._undo, [
            lambda: self.undone.append('first made'), broken,
            lambda: self.undone.append('last made')])
        self.assertEqual(['last made', 'first made'], self.undone)
