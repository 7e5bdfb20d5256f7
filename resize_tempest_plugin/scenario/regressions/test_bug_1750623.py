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
from resize_tempest_plugin import verdicts


class RebuildOnFullHostTest(disruptive.DisruptiveScenarioTest):
    """A rebuild with a new image on a host that the server fills.

    Nova bug 1750623, fixed by c3a894b6af32 ("Skip placement on rebuild in
    same host"): a rebuild with another image goes through the scheduler,
    to check the image against the server's own host, and before the fix
    the scheduler asked placement for room for a second copy of the server
    there; on a host the server fills there is none, and the rebuild
    failed with NoValidHost. The twin of nova's
    ServerRebuildTestCase.test_rebuild_with_new_image.

    Steps:

    1. As admin, read the source provider's DISK_GB room (inventory and
       usage) and create a private flavor that takes three fifths of it,
       requiring a custom trait set on the source's provider only (disk:
       nova has no quota on it, unlike RAM and cores).
    2. As the primary (member) user, upload a tiny image of its own: the
       rebuild needs an image other than compute.image_ref (a rebuild with
       the same image never reaches the scheduler).
    3. As the primary user, boot with that flavor; wait for ACTIVE on the
       source, holding exactly the flavor there. The host now has less
       room left than the server holds.
    4. As the primary user, rebuild with the new image; wait for ACTIVE.
       A server in ERROR with "No valid host was found" is bug 1750623.
    5. Check that the server runs the new image and that placement holds
       exactly the flavor for it on the source, as before the rebuild (a
       rebuild on the same host claims nothing).
    6. As the primary user, delete the server; nothing may remain.

    It fills a host, so it runs only with [resize_fail] disruptive_tests,
    alone. Its timing is safe: the scheduler decides within a second of
    the rebuild, and no periodic task of nova changes the allocations of
    a server that did not move.
    """

    features = ()

    @decorators.idempotent_id('e9a5396c-363f-4d75-9ba9-7edecbbf1433')
    @decorators.related_bug('1750623')
    @decorators.attr(type=['slow'])
    @utils.services('compute', 'image')
    def test_rebuild_with_new_image_on_a_full_host(self):
        # 1. A flavor that takes three fifths of the source's disk.
        room, max_unit = self.placement.free(self.source_rp, 'DISK_GB')
        sizes = dict(base.OLD_FLAVOR, disk=min(room * 3 // 5, max_unit))
        flavor, _ = self.pinned_flavor('full', sizes, self.source_rp,
                                       'FULL')

        # 2. An image of the member's own.
        image = self.create_image()

        # 3. Boot on the source.
        scene = self.scene(None, sizes, sizes)
        scene = self.boot_on_source(scene, flavor)

        # 4. Rebuild with the new image.
        self.conn.compute.rebuild_server(scene.server_id, image.id)
        server = self.waits.server_status(
            scene, 'ACTIVE', judge_end=lambda seen: seen and (
                regressions.judge_rebuild_end(
                    scene, seen.status, (seen.fault or {}).get('message'))))

        # 5. The new image; placement as before.
        self.check_verdict(scene, regressions.judge_rebuilt_image(
            server.image['id'], image.id))
        self.check_placement(scene, verdicts.judge_boot)

        # 6. Delete; nothing may remain.
        self.delete_server(scene)
