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

from resize_tempest_plugin import evidence
from resize_tempest_plugin import regressions
from resize_tempest_plugin.scenario import base
from resize_tempest_plugin import verdicts


class RebuildSameHostNoMigrationTest(base.ScenarioTest):
    """A rebuild with a new image on the same host records no migration.

    Nova bug 1750618, fixed by a39029076c ("Only attempt a rebuild claim
    for an evacuation to a new host"): a rebuild with another image goes
    through the scheduler, and before the fix the compute then took it for
    an evacuation to its own host: it claimed the server's resources a
    second time and recorded an evacuation migration from the host to
    itself, left 'pre-migrating'. The twin of nova's
    ServerRebuildTestCase.test_rebuild_with_new_image.

    Steps:

    1. As admin, create a custom trait unique to this test on the source's
       provider, and a private flavor that requires it.
    2. As the primary (member) user, upload a tiny image of its own (a
       rebuild with the same image never reaches the scheduler).
    3. As the primary user, boot; wait for ACTIVE on the source, holding
       exactly the flavor there.
    4. As the primary user, rebuild with the new image; wait for ACTIVE
       with the new image.
    5. As admin, list the server's migrations: there must be none. An
       evacuation from the source to itself is bug 1750618. Placement
       holds exactly the flavor on the source, as before.
    6. As the primary user, delete the server; nothing may remain.

    Its timing is safe: the migration record is written within the rebuild
    and nothing of nova's removes it later.
    """

    features = ()

    @decorators.idempotent_id('76e909d9-23c7-41c7-b042-03ac83f60bc8')
    @decorators.related_bug('1750618')
    @decorators.attr(type=['slow'])
    @utils.services('compute', 'image')
    def test_rebuild_with_new_image_records_no_migration(self):
        # 1. Pin the boot to the source.
        flavor, _ = self.pinned_flavor('rebuild', base.OLD_FLAVOR,
                                       self.source_rp, 'REBUILD')

        # 2. An image of the member's own.
        image = self.create_image()

        # 3. Boot on the source.
        scene = self.scene(None, base.OLD_FLAVOR, base.OLD_FLAVOR)
        scene = self.boot_on_source(scene, flavor)

        # 4. Rebuild with the new image.
        self.conn.compute.rebuild_server(scene.server_id, image.id)
        server = self.waits.server_status(scene, 'ACTIVE')
        self.check_verdict(scene, regressions.judge_rebuilt_image(
            server.image['id'], image.id))

        # 5. No migration; placement as before.
        self.check_verdict(scene, regressions.judge_rebuild_migrations(
            scene, [evidence.migration_summary(migration) for migration
                    in self.reads.migrations(scene.server_id)]))
        self.check_placement(
            scene, lambda scene, snapshot: verdicts.judge_unmoved(
                scene, snapshot, 'the rebuild'))

        # 6. Delete; nothing may remain.
        self.delete_server(scene)
