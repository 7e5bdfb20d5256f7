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

from tempest.lib import exceptions as lib_exc
from tempest import test

from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import scenario
from resize_tempest_plugin.scenario import base as scenario_base
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


def fake_conf(resize=True, min_compute_nodes=2, source='host1',
              destination='host2', image_ref='image-1'):
    return types.SimpleNamespace(
        compute_feature_enabled=types.SimpleNamespace(resize=resize),
        compute=types.SimpleNamespace(min_compute_nodes=min_compute_nodes,
                                      image_ref=image_ref),
        resize_fail=types.SimpleNamespace(source_host=source,
                                          destination_host=destination))


class TestScenarioShape(base.TestCase):
    """The scenarios follow tempest's conventions (checked without a cloud)."""

    def test_the_family(self):
        self.assertEqual(
            ['HardRebootAfterResizeFailTest', 'MigrateFailOnDestinationTest',
             'ResizeConfirmTest', 'ResizeFailOnDestinationTest',
             'ResizeNoValidHostTest', 'ResizeRevertTest'],
            sorted(cls.__name__ for cls in scenario_tests()))

    def test_every_test_has_its_own_id_attrs_and_services(self):
        ids = []
        for tests in scenario_tests().values():
            for method in tests:
                attrs = getattr(method, '__testtools_attrs', set())
                ids.extend(a for a in attrs
                           if re.match(r'id-[0-9a-f-]{36}$', a))
                self.assertIn('slow', attrs)
                self.assertIn('compute', attrs)
        self.assertEqual(6, len(ids))
        self.assertEqual(len(ids), len(set(ids)))

    def test_each_declared_credential_connects_once_and_is_closed(self):
        # Least privilege: a credential tempest makes is one the tests use.
        class Probe(scenario_class()):
            _class_cleanups = []

        for role in Probe.credentials:
            setattr(Probe, 'os_' + role,
                    types.SimpleNamespace(credentials='creds of ' + role))
        made = []

        def connect(creds, conf):
            made.append(mock.Mock(creds=creds))
            return made[-1]
        with mock.patch.object(scenario_base.clients, 'connect', connect):
            Probe.setup_clients()
        self.assertEqual('creds of primary', Probe.conn.creds)
        self.assertEqual('creds of admin', Probe.admin_conn.creds)
        self.assertEqual(
            sorted('creds of ' + role for role in Probe.credentials),
            sorted(conn.creds for conn in made))
        self.assertEqual([conn.close for conn in made],
                         [fn for fn, _args, _kwargs in Probe._class_cleanups])

    def test_docstrings_list_numbered_steps(self):
        # A subclass may list the steps that follow its parent's.
        for cls in scenario_tests():
            steps = [int(n) for n in re.findall(r'^\s+(\d)\. ',
                                                cls.__doc__, re.M)]
            self.assertEqual(list(range(steps[0], steps[0] + len(steps))),
                             steps, cls.__name__)
            self.assertGreaterEqual(steps[-1], 5, cls.__name__)


@mock.patch.object(test.BaseTestCase, 'skip_checks')
class TestSkipChecks(base.TestCase):

    def _skip_checks(self, conf):
        with mock.patch.object(scenario_base, 'CONF', conf):
            scenario_class().skip_checks()

    def test_a_good_configuration_passes(self, base_skip_checks):
        self._skip_checks(fake_conf())
        base_skip_checks.assert_called_once_with()

    def test_resize_disabled_skips(self, base_skip_checks):
        exc = self.assertRaises(scenario_class().skipException,
                                self._skip_checks,
                                fake_conf(resize=False))
        self.assertIn('compute-feature-enabled.resize', str(exc))

    def test_one_compute_skips(self, base_skip_checks):
        exc = self.assertRaises(scenario_class().skipException,
                                self._skip_checks,
                                fake_conf(min_compute_nodes=1))
        self.assertIn('compute.min_compute_nodes is 1', str(exc))

    def test_same_hosts_is_invalid(self, base_skip_checks):
        exc = self.assertRaises(lib_exc.InvalidConfiguration,
                                self._skip_checks,
                                fake_conf(destination='host1'))
        self.assertIn("both 'host1'", str(exc))
        self.assertIn(plugin_config.DESTINATION_DRIVER, str(exc))

    def test_no_image_is_invalid(self, base_skip_checks):
        exc = self.assertRaises(lib_exc.InvalidConfiguration,
                                self._skip_checks, fake_conf(image_ref=''))
        self.assertIn('[compute] image_ref', str(exc))
