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

"""A fake compute's node uuid, pinned where nova's fake driver reads it."""

import uuid

from oslo_utils.fixture import uuidsentinel

from localcloud import nova_one_process
from localcloud.tests import base


class StableNodeTest(base.TestCase):

    def test_the_uuid_follows_the_host_and_only_the_host(self):
        first = nova_one_process.stable_node_uuid('host-a')
        self.assertEqual(first, nova_one_process.stable_node_uuid('host-a'))
        self.assertNotEqual(first,
                            nova_one_process.stable_node_uuid('host-b'))
        self.assertEqual(5, uuid.UUID(first).version)

    def test_the_fake_driver_finds_the_pinned_uuid(self):
        # nova.virt.fake asks this registry for "node_" and the node's name
        # (its host's); unpinned, each process gets a random one.
        host = 'host-pinned-%s' % uuid.uuid4().hex
        random = getattr(uuidsentinel, 'node_%s-other' % host)
        self.assertNotEqual(
            nova_one_process.stable_node_uuid(host + '-other'), random)
        nova_one_process.pin_fake_node_uuid(host)
        self.assertEqual(nova_one_process.stable_node_uuid(host),
                         getattr(uuidsentinel, 'node_%s' % host))
