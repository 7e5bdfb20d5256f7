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
from resize_tempest_plugin import verdicts


class LiveMigrateAfterRevertTest(base.ScenarioTest):
    """A live migration after a reverted resize claims the server's flavor.

    Nova bug 1785339, fixed by ef3849e2da1c ("Update RequestSpec.flavor on
    resize_revert"): a reverted resize left its new flavor in the server's
    RequestSpec, so a later move claimed that flavor on its destination
    while the server runs the old one. The twin of the check the fix added
    to nova's ServerMovingTests._test_resize_revert.

    Steps:

    1. As admin, create two custom traits unique to this test, one on each
       provider, and two private flavors that differ in VCPU, MEMORY_MB
       and DISK_GB: the old one requires host2's trait, the new one
       host1's.
    2. As the primary (member) user, boot on host2, resize to host1 (whose
       finish_migration works) and wait for VERIFY_RESIZE; revert; wait
       for ``reverted`` and ACTIVE on host2, holding the old flavor only.
    3. As admin, set the old flavor's trait on host1 too (host1 keeps the
       new flavor's): host1 is then a valid destination for either flavor,
       so the move does not depend on which flavor nova schedules.
    4. As admin, live-migrate the server without a host; wait for the
       live migration's ``completed`` and ACTIVE on host1, then for the
       migration's allocations to be gone.
    5. Placement: the server holds exactly the old flavor on host1; the
       new flavor there is bug 1785339.
    6. As the primary user, delete the server; nothing may remain.
    """

    features = ('resize', 'live_migration')

    @decorators.idempotent_id('e4cffbf6-7650-4863-9ce3-23a17f3f0f11')
    @decorators.related_bug('1785339')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_live_migration_after_revert_claims_the_old_flavor(self):
        # 1 and 2. Boot on host2, resize to host1, revert.
        resize = self.scene('resize', base.OLD_FLAVOR, base.NEW_FLAVOR,
                            reverse=True, driver=None)
        (old_flavor, old_trait), (new_flavor, _) = self.side_by_side(
            lambda: self.pinned_flavor('old', base.OLD_FLAVOR,
                                       resize.source_rp, 'OLD'),
            lambda: self.pinned_flavor('new', base.NEW_FLAVOR,
                                       resize.destination_rp, 'NEW'))
        resize = self.boot_on_source(resize, old_flavor)
        self.conn.compute.resize_server(resize.server_id, new_flavor.id)
        resize, _ = self.wait_for_move(resize, 'finished', 'VERIFY_RESIZE')
        self.conn.compute.revert_server_resize(resize.server_id)
        resize = self.finish_move(resize, 'reverted', resize.source_host,
                                  'a revert goes back to the source',
                                  'the revert')
        self.check_placement(resize, verdicts.judge_after_revert)

        # 3. host1 takes either flavor.
        self.set_trait(resize.destination_rp, old_trait)

        # 4. Live-migrate, letting the scheduler choose.
        scene = self.scene('live-migration', base.OLD_FLAVOR,
                           base.OLD_FLAVOR, reverse=True, driver=None)
        scene = scene._replace(server_id=resize.server_id)
        self.admin_conn.compute.live_migrate_server(
            scene.server_id, host=None, block_migration='auto')
        scene = self.finish_move(scene, 'completed', scene.destination_host,
                                 'only host1 has the flavors\' traits',
                                 'the live migration')

        # 5. Placement: the server's own flavor on host1.
        self.check_placement(
            scene, lambda scene, snapshot: (
                regressions.judge_after_live_migration(
                    scene, snapshot, resize.new_resources)))

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
