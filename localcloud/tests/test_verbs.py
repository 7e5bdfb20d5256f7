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

"""The verbs' entry point; no cloud is started."""

import argparse
import os
import subprocess
import sys
from unittest import mock

import fixtures

from localcloud import errors
from localcloud import layout
from localcloud import stack
from localcloud import state
from localcloud.tests import base
from localcloud import verbs


class MainTest(base.TestCase):
    """Arguments reach the verb; errors are one line and exit 1."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.out = self.capture()
        self.verb = mock.Mock(return_value=7)
        self.useFixture(fixtures.MockPatchObject(
            verbs, 'VERBS', {'up': self.verb, 'status': self.verb}))

    def main(self, *nova_conf):
        args = argparse.Namespace(verb='up', nova_conf=list(nova_conf),
                                  nova_source=None, nova_patch=[])
        return verbs.main(args, self.paths)

    def test_override_error_is_exit_1_with_a_message(self):
        self.assertEqual(1, self.main('host9:DEFAULT:debug=true'))
        self.verb.assert_not_called()
        message = self.out.getvalue()
        self.assertIn('error: --nova-conf', message)
        self.assertIn("'host9'", message)
        self.assertIn('%s, %s' % base.HOSTS, message)

    def test_overrides_reach_the_verb(self):
        self.assertEqual(7, self.main('DEFAULT:debug=true',
                                      'host2:DEFAULT:compute_driver=x.Y'))
        made = self.verb.call_args[0][0]
        self.assertEqual(['DEFAULT:debug=true',
                          'host2:DEFAULT:compute_driver=x.Y'],
                         [str(o) for o in made.nova_overrides])
        self.assertEqual(self.paths, made.paths)

    def test_a_bad_nova_source_is_exit_1_with_a_message(self):
        args = argparse.Namespace(verb='up', nova_conf=[],
                                  nova_source=self.paths.home, nova_patch=[])
        self.assertEqual(1, verbs.main(args, self.paths))
        self.verb.assert_not_called()
        self.assertIn('error: --nova-source %s is not a nova tree'
                      % self.paths.home, self.out.getvalue())

    def test_other_verbs_act_on_the_cloud_as_recorded(self):
        option = '%s:DEFAULT:compute_driver=x.Y' % base.HOSTS[1]
        state.State(self.paths).save_record(nova_conf=[option])
        self.assertEqual(7, verbs.main(argparse.Namespace(verb='status'),
                                       self.paths))
        made = self.verb.call_args[0][0]
        self.assertEqual([option], [str(o) for o in made.nova_overrides])

    def test_a_patch_gone_since_up_does_not_stop_status_or_down(self):
        gone = os.path.join(self.paths.home, 'gone.diff')
        state.State(self.paths).save_record(
            nova={'source': None, 'patches': [gone]})
        self.assertEqual(7, verbs.main(argparse.Namespace(verb='status'),
                                       self.paths))
        made = self.verb.call_args[0][0]
        self.assertEqual((gone,), made.nova_choice.patches)
        self.assertIn('%s (unreadable now: No such file or directory)' % gone,
                      stack.describe_nova(made))

    def test_cloud_error_is_exit_1_with_a_message(self):
        self.verb.side_effect = errors.CloudError('port 1 is taken')
        self.assertEqual(1, self.main())
        self.assertIn('error: port 1 is taken', self.out.getvalue())
        self.assertFalse(os.path.exists(self.paths.state))


class ImportTest(base.TestCase):

    def test_the_verbs_do_not_import_openstacksdk(self):
        # It takes about a second: down, logs and status need no API.
        imported = subprocess.run(
            [sys.executable, '-c', 'import sys, localcloud.verbs; '
             'print(sorted(m for m in sys.modules '
             'if m.split(".")[0] == "openstack"))'],
            cwd=layout.REPO_ROOT, capture_output=True, text=True, check=True)
        self.assertEqual('[]', imported.stdout.strip())
