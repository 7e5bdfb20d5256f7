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

"""The test lists ``localcloud test`` saves, and when it lists anew."""

import os

import fixtures

from localcloud.lib import tempest
from localcloud import nova_tree
from localcloud.tests import base

REGEX = 'resize_tempest_plugin.scenario.test_resize_fail'
IDS = ['resize_tempest_plugin.scenario.test_resize_fail.'
       'ResizeFailOnDestinationTest.test_resize_fail[compute,id-1,slow]']


class SelectionTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.tempest_tree = os.path.join(
            nova_tree.venv_site_packages(self.paths.venv), 'tempest')
        os.makedirs(self.tempest_tree)
        self.test_file = os.path.join(self.tempest_tree, 'test.py')
        self.write(self.test_file, 'pass\n')
        self.listed = []
        self.ids = IDS
        self.useFixture(fixtures.MonkeyPatch(
            'localcloud.lib.tempest.list_tests', self.list_tests))

    def write(self, path, text):
        with open(path, 'w') as f:
            f.write(text)

    def list_tests(self, paths, regex):
        self.listed.append(regex)
        return self.ids

    def test_the_first_run_lists_and_saves_the_ids(self):
        option, saved = tempest.selection_args(self.paths, REGEX)
        self.assertEqual('--load-list', option)
        with open(saved) as f:
            self.assertEqual(IDS, f.read().splitlines())
        self.assertEqual([REGEX], self.listed)

    def test_the_next_run_of_the_same_regex_lists_nothing(self):
        first = tempest.selection_args(self.paths, REGEX)
        self.assertEqual(first, tempest.selection_args(self.paths, REGEX))
        self.assertEqual([REGEX], self.listed)

    def test_an_edited_test_file_lists_again_and_drops_the_old_list(self):
        _, first = tempest.selection_args(self.paths, REGEX)
        stat = os.stat(self.test_file)
        os.utime(self.test_file, ns=(stat.st_atime_ns,
                                     stat.st_mtime_ns + 10 ** 9))
        _, second = tempest.selection_args(self.paths, REGEX)
        self.assertNotEqual(first, second)
        self.assertEqual([REGEX, REGEX], self.listed)
        self.assertFalse(os.path.exists(first))

    def test_a_new_test_file_lists_again(self):
        tempest.selection_args(self.paths, REGEX)
        self.write(os.path.join(self.tempest_tree, 'test_new.py'), 'pass\n')
        tempest.selection_args(self.paths, REGEX)
        self.assertEqual([REGEX, REGEX], self.listed)

    def test_another_regex_has_a_list_of_its_own(self):
        tempest.selection_args(self.paths, REGEX)
        tempest.selection_args(self.paths, 'canary')
        self.assertEqual([REGEX, 'canary'], self.listed)
        self.assertEqual(2, len(os.listdir(self.paths.path('test-lists'))))

    def test_a_regex_that_selects_nothing_is_left_to_tempest(self):
        self.ids = []
        self.assertEqual(['--regex', 'nothing'],
                         tempest.selection_args(self.paths, 'nothing'))
        self.assertFalse(os.path.exists(self.paths.path('test-lists')))

    def test_only_test_ids_count_in_tempest_s_listing(self):
        for line in IDS + ['resize_tempest_plugin.tests.test_x.T.test_y']:
            self.assertTrue(tempest.TEST_ID.match(line), line)
        for line in ['2026-12-03 14:00:00.000 1 INFO tempest [-] Using '
                     'tempest config file', '', '{0} a.b [1.0s] ... ok']:
            self.assertFalse(tempest.TEST_ID.match(line), line)
