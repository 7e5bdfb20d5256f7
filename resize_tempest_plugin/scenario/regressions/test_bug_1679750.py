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

from resize_tempest_plugin import regressions
from resize_tempest_plugin.scenario import base
from resize_tempest_plugin.scenario import disruptive


class DeleteWhileComputeDownTest(disruptive.DisruptiveScenarioTest):
    """Delete a server whose compute is down: nothing may stay in placement.

    Nova bug 1679750, fixed by ea9d0af31395 ("Delete allocations from API
    if nova-compute is down"): with the server's compute down, nova-api
    deletes the server itself (a local delete), and before the fix it
    left the server's allocations in placement. The twin of nova's
    regressions/test_bug_1679750.py.

    Steps:

    1. As admin, create a custom trait unique to this test on the source's
       provider, and a private flavor that requires it.
    2. As the primary (member) user, boot; wait for ACTIVE on the source,
       holding exactly the flavor there.
    3. As admin, force the source's compute service down (forced up again
       at cleanup).
    4. As the primary user, delete the server; nova-api deletes it within
       the request, so it is gone when the call returns.
    5. Read placement once, at once: the server holds nothing, and the
       source provider holds nothing for it. Allocations still held there
       with the flavor are bug 1679750; the cleanup deletes them (as
       ``nova-manage placement audit --delete`` would), so that the test
       leaves nothing behind either way.

    Its timing is safe: the forced-down compute still runs, and its
    update_available_resource (every update_resources_interval, 60 s by
    default) deletes the allocations of deleted servers, healing the leak;
    placement is read within a second of the delete, so on a nova with the
    bug the heal can hide it only if it runs in that second, and on a
    fixed nova nothing is there to heal. It forces a compute down, so it
    runs only with [resize_fail] disruptive_tests, alone.
    """

    features = ()

    @decorators.idempotent_id('202c2593-b8ff-43a6-beb2-051344ea7ef2')
    @decorators.related_bug('1679750')
    @decorators.attr(type=['slow'])
    @utils.services('compute')
    def test_delete_while_compute_down_deletes_allocations(self):
        # 1. Pin the boot to the source.
        flavor, _ = self.pinned_flavor('local-delete', base.OLD_FLAVOR,
                                       self.source_rp, 'DOWN')

        # 2. Boot on the source.
        scene = self.scene(None, base.OLD_FLAVOR, base.OLD_FLAVOR)
        scene = self.boot_on_source(scene, flavor)

        # 3. The source's compute down.
        self.force_down(scene.source_host)

        # 4. Delete: nova-api does it. What a nova with the bug leaks is
        # deleted at cleanup, as nova-manage placement audit --delete would.
        self.addCleanup(self.placement.delete_consumer_allocations,
                        scene.server_id)
        self.conn.compute.delete_server(scene.server_id)
        self.waits.server_gone(scene.server_id)

        # 5. Placement, at once.
        self.check_placement(scene, regressions.judge_local_delete)
