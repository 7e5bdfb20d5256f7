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

import configparser
import os
import re
import tempfile

from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin.tests import base


class TestShape(base.TestCase):

    def _shape(self):
        parser = configparser.ConfigParser(interpolation=None)
        self.assertEqual([plugin_config.SHAPE_FILE],
                         parser.read(plugin_config.SHAPE_FILE))
        return parser

    def test_defaults_come_from_cloud_shape_ini(self):
        shape = self._shape()
        defaults = {opt.name: opt.default
                    for opt in plugin_config.ResizeFailGroup}
        for name in ('source_host', 'destination_host', 'expected_fault'):
            self.assertEqual(shape.get('compute', name), defaults[name],
                             'default of [resize_fail] %s' % name)
        self.assertEqual(shape.get('compute', 'destination_driver'),
                         plugin_config.DESTINATION_DRIVER)
        self.assertEqual(shape.get('tempest', 'test_regex'),
                         plugin_config.TEST_REGEX)

    def test_the_destination_runs_the_failing_driver(self):
        self.assertEqual('fake.FakeFinishMigrationFailDriver',
                         plugin_config.DESTINATION_DRIVER)

    def test_missing_shape_file_is_an_error(self):
        missing = os.path.join(tempfile.gettempdir(), 'no-such-shape.ini')
        self.assertRaises(RuntimeError, plugin_config.load_shape, missing)

    def test_every_option_says_when_to_set_it(self):
        for opt in plugin_config.ResizeFailGroup:
            self.assertGreater(len(opt.help), 80, opt.name)

    def test_test_regex_selects_the_family_and_the_bug_scenario(self):
        for test_id in (
                'resize_tempest_plugin.scenario.test_resize_fail.'
                'ResizeFailOnDestinationTest.test_resize_fail_on_'
                'destination_keeps_new_flavor_allocations',
                'resize_tempest_plugin.scenario.test_resize_revert_confirm.'
                'ResizeConfirmTest.test_resize_confirm_keeps_destination_'
                'allocations'):
            self.assertIsNotNone(re.search(plugin_config.TEST_REGEX,
                                           test_id), test_id)
        self.assertIsNone(re.search(
            plugin_config.TEST_REGEX,
            'tempest.api.compute.servers.test_server_actions.'
            'ServerActionsTestJSON.test_resize_server_confirm'))
