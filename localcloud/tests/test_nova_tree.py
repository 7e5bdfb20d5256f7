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

"""The nova the cloud runs: source trees and patches, on small real trees
(git apply does the patching, as it does for the cloud)."""

import os
import subprocess

import fixtures

from localcloud import nova_tree
from localcloud.tests import base

MANAGER = 'line one\nline two\nline three\n'
CHANGE = ('diff --git a/nova/compute/manager.py b/nova/compute/manager.py\n'
          'index %s..0123456 100644\n'
          '--- a/nova/compute/manager.py\n'
          '+++ b/nova/compute/manager.py\n'
          '@@ -1,3 +1,3 @@\n'
          ' line one\n'
          '-line two\n'
          '+line 2\n'
          ' line three\n')


def blob(text):
    return subprocess.run(['git', 'hash-object', '--stdin'], input=text,
                          capture_output=True, text=True).stdout.strip()


class NovaTreeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.tree = self.make_nova_tree('tree', MANAGER)
        self.state = os.path.join(self.root, 'state')

    def make_nova_tree(self, name, manager, setup_name='nova'):
        tree = os.path.join(self.root, name)
        os.makedirs(os.path.join(tree, 'nova', 'compute'))
        for path, text in (('nova/__init__.py', ''),
                           ('nova/compute/manager.py', manager),
                           ('setup.cfg', '[metadata]\nname = %s\n'
                            % setup_name)):
            with open(os.path.join(tree, path), 'w') as f:
                f.write(text)
        return tree

    def write_patch(self, text, name='change.diff'):
        path = os.path.join(self.root, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def choose(self, patches=()):
        return nova_tree.NovaChoice.from_args(self.tree, patches)

    def overlay_manager(self, overlay):
        with open(os.path.join(overlay, 'nova', 'compute', 'manager.py')) as f:
            return f.read()

    def test_the_release_runs_from_the_venv(self):
        choice = nova_tree.NovaChoice.from_args()
        self.assertTrue(choice.is_release)
        self.assertIsNone(nova_tree.prepare(choice, 'venv', self.state))

    def test_a_source_tree_is_imported_in_place(self):
        self.assertEqual(self.tree, nova_tree.prepare(self.choose(), 'venv',
                                                      self.state))

    def test_a_patch_goes_to_an_overlay_and_leaves_the_tree_alone(self):
        patch = self.write_patch(CHANGE % blob(MANAGER))
        overlay = nova_tree.prepare(self.choose([patch]), 'venv', self.state)
        self.assertEqual(os.path.join(self.state, nova_tree.OVERLAY), overlay)
        self.assertEqual('line one\nline 2\nline three\n',
                         self.overlay_manager(overlay))
        with open(os.path.join(self.tree, 'nova/compute/manager.py')) as f:
            self.assertEqual(MANAGER, f.read())
        nova_tree.remove_overlay(self.state)
        self.assertFalse(os.path.exists(overlay))

    def test_the_overlay_is_rebuilt_from_the_tree_as_it_is_now(self):
        patch = self.write_patch(CHANGE % blob(MANAGER))
        nova_tree.prepare(self.choose([patch]), 'venv', self.state)
        with open(os.path.join(self.tree, 'nova', 'edited.py'), 'w') as f:
            f.write('EDITED = True\n')
        overlay = nova_tree.prepare(self.choose([patch]), 'venv', self.state)
        self.assertTrue(os.path.exists(os.path.join(overlay, 'nova',
                                                    'edited.py')))

    def test_git_apply_names_the_hunk_that_does_not_match(self):
        patch = self.write_patch((CHANGE % blob(MANAGER)).replace(
            ' line three', ' line 3'))
        error = self.assertRaises(nova_tree.NovaTreeError, nova_tree.prepare,
                                  self.choose([patch]), 'venv', self.state)
        self.assertIn('--nova-patch %s does not apply to nova' % patch,
                      str(error))
        self.assertIn('git apply says: error: patch failed: '
                      'nova/compute/manager.py:1', str(error))
        self.assertNotIn('another nova version', str(error))
        self.assertFalse(os.path.exists(os.path.join(self.state,
                                                     nova_tree.OVERLAY)))

    def test_a_patch_for_another_nova_version_says_so(self):
        other = 'line one\nline II\nline three\n'
        patch = self.write_patch(CHANGE.replace('-line two', '-line II')
                                 % blob(other))
        error = self.assertRaises(nova_tree.NovaTreeError, nova_tree.prepare,
                                  self.choose([patch]), 'venv', self.state)
        self.assertIn('written for another nova version: its '
                      'nova/compute/manager.py is blob %s, this nova\'s is %s'
                      % (blob(other)[:12], blob(MANAGER)[:12]), str(error))

    def test_git_apply_names_a_file_nova_lacks(self):
        patch = self.write_patch((CHANGE % blob(MANAGER)).replace(
            'compute/manager.py', 'compute/gone.py'))
        error = self.assertRaises(nova_tree.NovaTreeError, nova_tree.prepare,
                                  self.choose([patch]), 'venv', self.state)
        self.assertIn('git apply says: error: nova/compute/gone.py: No such '
                      'file or directory', str(error))

    def test_a_failed_patch_keeps_the_overlay_in_use(self):
        good = self.write_patch(CHANGE % blob(MANAGER))
        overlay = nova_tree.prepare(self.choose([good]), 'venv', self.state)
        bad = self.write_patch(CHANGE.replace('line two', 'line zwei')
                               % blob(MANAGER), 'bad.diff')
        self.assertRaises(nova_tree.NovaTreeError, nova_tree.prepare,
                          self.choose([bad]), 'venv', self.state)
        self.assertIn('line 2', self.overlay_manager(overlay))

    def test_bad_input_is_one_sentence_each(self):
        missing = os.path.join(self.root, 'missing.diff')
        not_a_diff = self.write_patch('just words\n', 'words.diff')
        other_project = self.make_nova_tree('other', MANAGER, 'glance')
        for source, patches, expected in (
                (os.path.join(self.root, 'nowhere'), (), 'no such directory'),
                (self.root, (), 'is not a nova tree: it has no '
                                'nova/__init__.py or nova/compute/manager.py'),
                (other_project, (), "names 'glance', not nova"),
                (None, (missing,), '--nova-patch %s: no such file' % missing),
                (None, (not_a_diff,), 'holds no unified diff')):
            error = self.assertRaises(nova_tree.NovaTreeError,
                                      nova_tree.NovaChoice.from_args,
                                      source, patches)
            self.assertIn(expected, str(error))

    def test_the_record_round_trips(self):
        patch = self.write_patch(CHANGE % blob(MANAGER))
        choice = self.choose([patch])
        self.assertEqual(choice, nova_tree.NovaChoice.from_record(
            choice.as_record()))

    def test_describe_names_the_tree_its_version_and_the_patches(self):
        with open(os.path.join(self.tree, 'PKG-INFO'), 'w') as f:
            f.write('Name: nova\nVersion: 34.0.1.dev3\n')
        patch = self.write_patch(CHANGE % blob(MANAGER))
        text = nova_tree.describe(self.choose([patch]), 'venv')
        self.assertIn('nova 34.0.1.dev3 (sdist) from %s' % self.tree, text)
        self.assertIn('+ patch %s (sha256 ' % patch, text)

    def test_describe_a_checkout_with_git_describe(self):
        git = ['git', '-C', self.tree, '-c', 'user.name=t',
               '-c', 'user.email=t@example.com']
        subprocess.run(['git', 'init', '-q', self.tree], check=True)
        subprocess.run(git + ['add', '.'], check=True)
        subprocess.run(git + ['commit', '-qm', 'x'], check=True)
        subprocess.run(git + ['tag', '34.0.0'], check=True)
        self.assertIn('nova git 34.0.0 from',
                      nova_tree.describe(self.choose(), 'venv'))
