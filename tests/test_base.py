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

"""Where the tests find the upstream trees: tests/base.py upstream_tree."""

import os

import fixtures
import testtools

from tests import base


class Failed(Exception):
    pass


class Skipped(Exception):
    pass


class CallingTest:
    """The test upstream_tree is given: its verdict, kept apart from ours."""

    def fail(self, message):
        raise Failed(message)

    def skipTest(self, reason):
        raise Skipped(reason)


class UpstreamTreeTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.tree = os.path.join(self.tmp, 'tree')
        os.mkdir(self.tree)
        with open(os.path.join(self.tree, 'marker'), 'w'):
            pass
        self.missing = os.path.join(self.tmp, 'missing')
        for name in ('CI', 'TREE_DIR'):
            self.useFixture(fixtures.EnvironmentVariable(name))

    def find(self, default):
        return base.upstream_tree(CallingTest(), 'a tree', default, 'marker',
                                  env_var='TREE_DIR')

    def test_default_tree(self):
        self.assertEqual(self.tree, self.find(self.tree))

    def test_explicit_tree_wins(self):
        self.useFixture(fixtures.EnvironmentVariable('TREE_DIR', self.tree))
        self.assertEqual(self.tree, self.find(self.missing))

    def test_wrong_explicit_tree_fails(self):
        self.useFixture(fixtures.EnvironmentVariable('TREE_DIR', self.tmp))
        error = self.assertRaises(Failed,
                                  self.find, self.tree)
        self.assertIn('TREE_DIR=%s is not a tree (no marker in it)'
                      % self.tmp, str(error))

    def test_missing_tree_skips_outside_ci(self):
        error = self.assertRaises(Skipped, self.find, self.missing)
        self.assertIn('a tree is not at %s' % self.missing, str(error))

    def test_missing_tree_fails_in_ci(self):
        self.useFixture(fixtures.EnvironmentVariable('CI', 'true'))
        error = self.assertRaises(Failed,
                                  self.find, self.missing)
        self.assertIn('CI must have it', str(error))
