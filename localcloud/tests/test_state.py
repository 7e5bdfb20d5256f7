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

"""What a cloud keeps in its state directory."""

import json

from localcloud import configs
from localcloud import state as state_mod
from localcloud.tests import base


class StateTest(base.TestCase):
    """Making a State starts nothing and writes nothing until asked."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.state = state_mod.State(self.paths)

    def test_secrets_are_made_once_and_private(self):
        secrets = self.state.secrets
        self.assertEqual(set(state_mod.SECRET_NAMES), set(secrets))
        self.assertEqual(len(secrets), len(set(secrets.values())))
        self.assertEqual(0o600, base.mode(self.paths.secrets))
        self.assertEqual(secrets, state_mod.State(self.paths).secrets)

    def test_a_state_made_before_a_name_was_added_gets_it(self):
        older = {name: 'kept-%s' % name for name in state_mod.SECRET_NAMES[:3]}
        configs.write_private(self.paths.secrets, json.dumps(older))
        secrets = self.state.secrets
        self.assertEqual(set(state_mod.SECRET_NAMES), set(secrets))
        self.assertEqual(older, {name: secrets[name] for name in older})
        self.assertEqual(0o600, base.mode(self.paths.secrets))
        self.assertEqual(secrets, state_mod.State(self.paths).secrets)

    def test_logged_command_lines_hide_every_secret(self):
        secrets = self.state.secrets
        line = ' '.join('--%s=%s' % item for item in secrets.items())
        redacted = self.state.redact(line)
        for name, secret in secrets.items():
            self.assertNotIn(secret, redacted)
            self.assertIn('--%s=***' % name, redacted)

    def test_record_fields_are_merged(self):
        self.assertEqual({}, self.state.load_record())
        self.state.save_record(ready=False, nova_conf=['DEFAULT:a=b'])
        self.state.save_record(ready=True)
        self.assertEqual({'ready': True, 'nova_conf': ['DEFAULT:a=b']},
                         self.state.load_record())
        self.assertEqual(0o600, base.mode(self.paths.cloud_record))

    def test_processes_are_remembered_beside_the_record(self):
        self.state.save_record(ready=True)
        self.state.remember_process('epmd', 41, '/usr/bin/epmd\0-port')
        self.state.remember_process('mariadb', 42, None)
        self.assertEqual({'epmd': (41, '/usr/bin/epmd\0-port'),
                          'mariadb': (42, None)},
                         state_mod.State(self.paths).recorded_processes())
        self.assertTrue(self.state.load_record()['ready'])

    def test_done_marks(self):
        self.assertFalse(self.state.is_done('nova-db'))
        self.state.mark_done('nova-db')
        self.assertTrue(state_mod.State(self.paths).is_done('nova-db'))
        self.assertFalse(self.state.is_done('nova-api-db'))
