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

import re
import types
from unittest import mock

from tempest.lib import exceptions as lib_exc
from tempest import test

from resize_tempest_plugin.scenario import test_resize_fail
from resize_tempest_plugin.tests import base


# Not bound to a name of this module: the unit test loader would run it.
def scenario_class():
    return test_resize_fail.ResizeFailOnDestinationTest


def fake_conf(resize=True, min_compute_nodes=2, source='host1',
              destination='host2', image_ref='image-1'):
    return types.SimpleNamespace(
        compute_feature_enabled=types.SimpleNamespace(resize=resize),
        compute=types.SimpleNamespace(min_compute_nodes=min_compute_nodes,
                                      image_ref=image_ref),
        resize_fail=types.SimpleNamespace(source_host=source,
                                          destination_host=destination))


class TestScenarioShape(base.TestCase):
    """The scenario follows tempest's conventions (checked without a cloud)."""

    def _tests(self):
        return [getattr(scenario_class(), name)
                for name in dir(scenario_class())
                if name.startswith('test_')]

    def test_every_test_has_an_id_attrs_and_services(self):
        tests = self._tests()
        self.assertEqual(1, len(tests))
        for method in tests:
            attrs = getattr(method, '__testtools_attrs', set())
            self.assertEqual(1, len([a for a in attrs
                                     if re.match(r'id-[0-9a-f-]{36}$', a)]),
                             attrs)
            self.assertIn('slow', attrs)
            self.assertIn('compute', attrs)

    def test_credentials(self):
        self.assertEqual(['primary', 'admin'], scenario_class().credentials)

    def test_docstring_lists_numbered_steps(self):
        steps = re.findall(r'^\s+(\d)\. ', scenario_class().__doc__, re.M)
        self.assertEqual(['1', '2', '3', '4', '5', '6'], steps)


@mock.patch.object(test.BaseTestCase, 'skip_checks')
class TestSkipChecks(base.TestCase):

    def _skip_checks(self, conf):
        with mock.patch.object(test_resize_fail, 'CONF', conf):
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
        self.assertIn('fake.FakeFinishMigrationFailDriver', str(exc))

    def test_no_image_is_invalid(self, base_skip_checks):
        exc = self.assertRaises(lib_exc.InvalidConfiguration,
                                self._skip_checks, fake_conf(image_ref=''))
        self.assertIn('[compute] image_ref', str(exc))
