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


class HardRebootAfterResizeFailTest(base.ScenarioTest):
    """Recovering a server from a failed resize by hard rebooting it.

    After finish_migration fails on the destination, nova keeps the new
    flavor's allocations there so that, as its log says, "you may be able
    to recover the instance by hard rebooting it".

    Steps:

    1. As admin, pin the boot to the source and the resize to the
       destination with two traits unique to this test and two private
       flavors that require them (see ResizeFailOnDestinationTest).
    2. As the primary (member) user, boot on the source.
    3. As the primary user, resize; the resize fails on the destination
       (migration ``error``, server ERROR there, with the fault), leaving
       the new flavor's allocations there (a nova without the fix for bug
       1825537 fails here, naming it).
    4. As the primary user, hard reboot the server; wait for ACTIVE, on the
       destination.
    5. Check placement: the new flavor's allocations stay on the
       destination, held by the server only.
    6. Check the flavor the server reports: the old one, which nova put
       back when finish_migration failed, while placement holds the new
       one (nova's intent, from its code: see verdicts.
       judge_reported_flavor). ``nova-manage placement audit`` does not
       flag this state: it checks who holds allocations, not how much, so
       only this test sees the difference.
    7. As the primary user, delete the server; nothing may remain.
    """

    @decorators.idempotent_id('d3b8c7a2-f5c2-478c-81ab-9d05c83c8b96')
    @decorators.related_bug('1825537')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_hard_reboot_recovers_server_on_destination(self):
        # 1 to 3. Boot on the source; the resize fails on the destination.
        scene = self.resize_and_fail_on_destination()

        # 4. Hard reboot as the owner: ACTIVE again, on the destination.
        self.conn.compute.reboot_server(scene.server_id, 'HARD')
        server = self.waits.server_status(scene, 'ACTIVE')
        self.check_host(scene, server, scene.destination_host,
                        'nova reboots the server where it points')

        # 5. The allocations nova kept for the recovery.
        self.check_placement(scene, verdicts.judge_after_hard_reboot)

        # 6. The flavor the server reports.
        self.check_verdict(
            scene, verdicts.judge_reported_flavor(scene, server.flavor))

        # 7. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
