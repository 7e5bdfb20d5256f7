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
import unittest

import testtools

from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin.tests import base

# A module of tempest's that resizes servers too.
TEMPEST_RESIZE_TESTS = 'tempest.api.compute.servers.test_server_actions'


# The options whose defaults cloud_shape.ini gives.
SHAPED = ('source_host', 'destination_host', 'expected_fault')


class TestShape(base.TestCase):

    def test_everything_follows_a_changed_cloud_shape_ini(self):
        changed, shape = self.config_of_a_changed_shape()
        defaults = {opt.name: opt.default for opt in changed.ResizeFailGroup
                    if opt.name in SHAPED}
        self.assertEqual(
            {name: shape.get('compute', name)
             for name in ('source_host', 'destination_host',
                          'expected_fault')}, defaults)
        self.assertEqual(shape.get('compute', 'destination_driver'),
                         changed.DESTINATION_DRIVER)
        self.assertEqual(shape.get('tempest', 'test_regex'),
                         changed.TEST_REGEX)
        # The help of destination_host names the driver to configure.
        help_text = {opt.name: opt.help for opt in changed.ResizeFailGroup}
        self.assertIn(changed.DESTINATION_DRIVER,
                      help_text['destination_host'])

    def test_a_missing_shape_file_leaves_the_options_unset(self):
        # tempest imports every plugin for every command: an install
        # without its data files must still import, its options unset.
        module = self.config_module_beside(None)
        self.assertEqual(
            {'source_host': None, 'destination_host': None,
             'expected_fault': None},
            {opt.name: opt.default for opt in module.ResizeFailGroup
             if opt.name in SHAPED})
        self.assertIsNone(module.TEST_REGEX)

    def test_test_regex_selects_the_family_only(self):
        family = base.scenario_test_ids()
        self.assertNotEqual([], family, 'found no scenario test')
        regex = re.compile(plugin_config.TEST_REGEX)
        self.assertEqual(family, [i for i in family if regex.search(i)])
        # Tempest's own resize tests, by their real ids.
        tempest_tests = [test.id() for test in testtools.iterate_tests(
            unittest.TestLoader().loadTestsFromName(TEMPEST_RESIZE_TESTS))]
        self.assertIn('resize', ' '.join(tempest_tests))
        self.assertEqual([], [i for i in tempest_tests if regex.search(i)])
