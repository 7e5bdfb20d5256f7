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


class ResizeToWorkingHostTest(base.ScenarioTest):
    """A resize from the destination host to the source, which works.

    The baseline the failures are judged against, and the twins of nova's
    test_resize_revert and test_resize_confirm (ServerMovingTests). The
    server boots on [resize_fail] destination_host and is resized to
    source_host, whose finish_migration works. The subclasses revert or
    confirm after these steps:

    1. As admin, create two traits unique to the test, one on each
       provider, and two private flavors that differ in VCPU, MEMORY_MB
       and DISK_GB: the old one requires host2's trait, the new one
       host1's.
    2. As the primary (member) user, boot on host2.
    3. As the primary user, resize to the new flavor; wait for the
       migration's ``finished``, then the server's VERIFY_RESIZE on host1.
       Placement: the server holds the new flavor on host1, the migration
       the old flavor on host2.
    """


class ResizeRevertTest(ResizeToWorkingHostTest):
    """Revert a resize: the server and its old flavor back on host2.

    Steps 1 to 3 are ResizeToWorkingHostTest's, then:

    4. As the primary user, revert; wait for the migration's ``reverted``,
       then the server's ACTIVE on host2, then for the migration's
       allocations to be gone.
    5. Placement: the server holds the old flavor on host2 only; the
       migration holds nothing.
    6. As the primary user, delete the server; nothing may remain.
    """

    @decorators.idempotent_id('d3addfe1-3f18-4dff-9230-31e508173ffd')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_resize_revert_restores_source_allocations(self):
        # 1 to 3. Boot on host2, resize to host1: VERIFY_RESIZE.
        scene = self.resize_to_working_host()

        # 4. Revert.
        self.conn.compute.revert_server_resize(scene.server_id)
        scene = self.finish_move(scene, 'reverted', scene.source_host,
                                 'a revert goes back to the source',
                                 'the revert')

        # 5. Placement: the old flavor back on host2 only.
        self.check_placement(scene, verdicts.judge_after_revert)

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)


class ResizeConfirmTest(ResizeToWorkingHostTest):
    """Confirm a resize: the new flavor on host1, nothing else.

    Steps 1 to 3 are ResizeToWorkingHostTest's, then:

    4. As the primary user, confirm; wait for the migration's
       ``confirmed``, then the server's ACTIVE on host1, then for the
       migration's allocations to be gone.
    5. Placement: the server holds the new flavor on host1 only; the
       migration holds nothing.
    6. As the primary user, delete the server; nothing may remain.
    """

    @decorators.idempotent_id('3c41a10f-5703-47dd-a262-ed36e41cfc59')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_resize_confirm_keeps_destination_allocations(self):
        # 1 to 3. Boot on host2, resize to host1: VERIFY_RESIZE.
        scene = self.resize_to_working_host()

        # 4. Confirm.
        self.conn.compute.confirm_server_resize(scene.server_id)
        scene = self.finish_move(scene, 'confirmed', scene.destination_host,
                                 'a confirmed resize stays on the '
                                 'destination', 'the confirm')

        # 5. Placement: the new flavor on host1 only.
        self.check_placement(scene, verdicts.judge_after_confirm)

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
