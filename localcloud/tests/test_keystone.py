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

"""keystone's key repositories, as keystone-manage would leave them."""

import base64
import os
import types

from localcloud.lib import keystone
from localcloud import state as state_mod
from localcloud.tests import base


class KeyRepositoriesTest(base.TestCase):

    def setUp(self):
        super().setUp()
        paths = self.make_layout()
        self.cloud = types.SimpleNamespace(paths=paths,
                                           state=state_mod.State(paths))

    def keys(self, repository):
        path = self.cloud.paths.path('keystone', repository)
        found = {}
        for name in sorted(os.listdir(path)):
            with open(os.path.join(path, name)) as f:
                found[name] = f.read()
        return path, found

    def test_each_has_a_staged_and_a_primary_fernet_key_kept_private(self):
        keystone.init_key_repositories(self.cloud)
        seen = set()
        for repository in (keystone.FERNET_KEYS, keystone.CREDENTIAL_KEYS):
            path, found = self.keys(repository)
            self.assertEqual(0o700, base.mode(path))
            self.assertEqual(['0', '1'], sorted(found))
            for name, key in found.items():
                self.assertEqual(0o600, base.mode(os.path.join(path, name)))
                self.assertEqual(32, len(base64.urlsafe_b64decode(key)))
                seen.add(key)
        self.assertEqual(4, len(seen))  # no key is another's

    def test_the_keys_of_a_cloud_are_made_once(self):
        keystone.init_key_repositories(self.cloud)
        before = self.keys(keystone.FERNET_KEYS)
        keystone.init_key_repositories(self.cloud)
        self.assertEqual(before, self.keys(keystone.FERNET_KEYS))
