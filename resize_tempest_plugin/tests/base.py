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

import importlib.util
import os
import shutil
import unittest

import fixtures
import testtools

from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import plugin


def scenario_test_ids():
    """Ids of the plugin's tempest tests, found as tempest finds them.

    The plugin's load_tests names the directory; unittest's discovery
    imports its test modules, as stestr does, so an id carries its class,
    method and attributes. A module that fails to import raises here.
    """
    test_dir, top_dir = plugin.ResizeTempestPlugin().load_tests()
    loader = unittest.TestLoader()
    suite = loader.discover(test_dir, top_level_dir=top_dir)
    if loader.errors:
        raise ImportError('cannot load the scenario tests:\n%s'
                          % '\n'.join(loader.errors))
    return sorted(test.id() for test in testtools.iterate_tests(suite))


class TestCase(testtools.TestCase):
    """Base class of the plugin's unit tests (no cloud, no tempest.conf)."""

    def config_module_beside(self, shape):
        """resize_tempest_plugin.config, as it reads ``shape`` beside it.

        A copy of config.py sits in a directory of its own, with ``shape``
        (a ConfigParser) written there as cloud_shape.ini, or no such file
        if it is None; the copy reads it as the installed module reads its
        own.
        """
        directory = self.useFixture(fixtures.TempDir()).path
        if shape is not None:
            with open(os.path.join(directory, 'cloud_shape.ini'), 'w') as f:
                shape.write(f)
        spec = importlib.util.spec_from_file_location(
            'config_beside_its_shape',
            shutil.copy(plugin_config.__file__, directory))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def config_of_a_changed_shape(self):
        """The config module reading a changed cloud_shape.ini.

        Every value of the shipped shape gets a suffix. Returns (the
        module, the changed shape).
        """
        shape = plugin_config.load_shape()
        for section in shape.sections():
            for key, value in shape.items(section):
                shape.set(section, key, value + '-changed')
        return self.config_module_beside(shape), shape
