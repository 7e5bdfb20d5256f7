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

from tempest.common import utils
from tempest.lib import decorators

from resize_tempest_plugin.scenario import base
from resize_tempest_plugin import verdicts


class ResizeNoValidHostTest(base.ScenarioTest):
    """A resize that no host can take: nothing may move.

    The black-box twin of nova's test_resize_not_enough_resource
    (nova/tests/functional/test_servers.py, ServerMovingTests), with a
    flavor that requires a trait no provider has instead of a flavor too
    big for the hosts.

    Steps:

    1. As admin, create two custom traits unique to this test: one set on
       the source's provider, the other on no provider. Create two private
       flavors: the old one requires the first trait, the new one the
       second.
    2. As the primary (member) user, boot on the source.
    3. As the primary user, resize to the new flavor. Wait for the
       migration to reach ``error``, then for the server to be ACTIVE with
       no task.
    4. Check that the server is still on the source, without a fault, and
       that an event of its instance actions failed with NoValidHost.
    5. Check placement: the server holds the old flavor on the source only;
       the migration holds nothing.
    6. As the primary user, delete the server; nothing may remain.
    """

    @decorators.idempotent_id('ac8aec2a-3c50-49c8-b77f-c9a1d75bdbd1')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_resize_no_valid_host_keeps_source_allocations(self):
        # 1. Pin the boot to the source; the new flavor fits no host.
        nowhere = self.new_trait('NOWHERE')
        (old_flavor, _), new_flavor, _ = self.side_by_side(
            lambda: self.pinned_flavor('old', base.OLD_FLAVOR,
                                       self.source_rp, 'SRC'),
            lambda: self.create_flavor('nowhere', base.NEW_FLAVOR, nowhere),
            lambda: self.create_trait(nowhere))

        # 2. Boot on the source.
        scene = self.scene('resize', base.OLD_FLAVOR, base.NEW_FLAVOR)
        scene = self.boot_on_source(scene, old_flavor)

        # 3. Resize: the scheduler finds no host.
        self.conn.compute.resize_server(scene.server_id, new_flavor.id)
        scene, server = self.wait_for_move(scene, 'error', 'ACTIVE')

        # 4. Still on the source, no fault, NoValidHost in the events.
        self.check_host(scene, server, scene.source_host,
                        'the resize was never scheduled')
        if server.fault:
            self.fail_with_evidence(
                'The server has a fault, %r; expected none: nova shows a '
                'fault only on a server in ERROR.' % server.fault, scene)
        self.check_verdict(scene, verdicts.judge_no_valid_host_events(
            self.reads.actions(scene.server_id)))

        # 5. Placement: nothing moved.
        self.check_placement(scene, verdicts.judge_no_valid_host)

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
