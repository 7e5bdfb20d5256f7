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

"""Tempest's entry point into the plugin (tempest.test_plugins)."""

import os

from tempest import config
from tempest.test_discover import plugins

from resize_tempest_plugin import config as plugin_config

#: Where the tempest tests live, relative to the repository root. The
#: plugin's own unit tests (resize_tempest_plugin/tests) are not loaded.
TEST_DIR = os.path.join('resize_tempest_plugin', 'scenario')


class ResizeTempestPlugin(plugins.TempestPlugin):
    """Registers the resize_fail scenario and its options with tempest."""

    def load_tests(self):
        """Return (test directory, top-level directory) for discovery.

        Only the scenario package is returned, so that tempest never loads
        the plugin's unit tests.
        """
        base_path = os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))
        return os.path.join(base_path, TEST_DIR), base_path

    def register_opts(self, conf):
        """Register the plugin's option groups on tempest's CONF."""
        for group, opts in plugin_config.OPT_GROUPS:
            config.register_opt_group(conf, group, opts)

    def get_opt_lists(self):
        """Return (group name, options) for every group register_opts adds."""
        return [(group.name, opts)
                for group, opts in plugin_config.OPT_GROUPS]
