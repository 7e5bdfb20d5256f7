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

from importlib import metadata
import os

import fixtures
from oslo_config import cfg

from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import plugin
from resize_tempest_plugin.tests import base


class TestPlugin(base.TestCase):

    def setUp(self):
        super().setUp()
        self.plugin = plugin.ResizeTempestPlugin()

    def test_load_tests_points_at_the_scenario_package_only(self):
        test_dir, top_level = self.plugin.load_tests()
        self.assertEqual(
            os.path.join(top_level, 'resize_tempest_plugin', 'scenario'),
            test_dir)
        self.assertTrue(
            os.path.isfile(os.path.join(test_dir, 'test_resize_fail.py')))
        self.assertTrue(
            os.path.isfile(os.path.join(top_level, 'resize_tempest_plugin',
                                        '__init__.py')))

    def register_opts(self):
        """A new CONF with the plugin's options registered, and parsed."""
        conf = cfg.ConfigOpts()
        self.plugin.register_opts(conf)
        conf([], default_config_files=[])
        return conf

    def registered(self):
        """{group: option names} that register_opts puts on a new CONF."""
        conf = self.register_opts()
        return {name: set(conf[name]) for name in conf
                if isinstance(conf[name], cfg.ConfigOpts.GroupAttr)}

    def test_get_opt_lists_names_what_register_opts_registers(self):
        listed = self.plugin.get_opt_lists()
        self.assertEqual(['resize_fail'], [name for name, _ in listed])
        self.assertEqual(self.registered(),
                         {name: {opt.dest for opt in opts}
                          for name, opts in listed})

    def test_list_opts_names_what_register_opts_registers(self):
        # What oslo-config-generator documents is what tempest reads.
        self.assertEqual(self.registered(),
                         {group.name: {opt.dest for opt in opts}
                          for group, opts in plugin_config.list_opts()})

    def test_register_opts_gives_the_defaults_of_cloud_shape_ini(self):
        changed, shape = self.config_of_a_changed_shape()
        self.useFixture(fixtures.MockPatchObject(plugin, 'plugin_config',
                                                 changed))
        conf = self.register_opts()
        for name in ('source_host', 'destination_host', 'expected_fault'):
            self.assertEqual(shape.get('compute', name),
                             conf.resize_fail[name], name)

    def test_entry_points_are_declared(self):
        def targets(group):
            return {ep.value for ep in metadata.entry_points(group=group)}
        self.assertIn('resize_tempest_plugin.plugin:ResizeTempestPlugin',
                      targets('tempest.test_plugins'))
        self.assertIn('resize_tempest_plugin.config:list_opts',
                      targets('oslo.config.opts'))
