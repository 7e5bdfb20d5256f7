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


class MigrateFailOnDestinationTest(base.ScenarioTest):
    """A cold migration whose finish_migration fails on the destination.

    The fix for nova bug 1825537 covers cold migration too: it goes
    through the same finish_resize on the destination. The twin of nova's
    in-process test with a migrate instead of a resize.

    Steps:

    1. As admin, create a custom trait unique to this test, set it on the
       source's provider, and create a private flavor that requires it.
    2. As the primary (member) user, boot a server with that flavor; wait
       for ACTIVE on the source, holding its flavor there.
    3. As admin, move the trait from the source's provider to the
       destination's, so that the migration can only go there, and
       cold-migrate the server (the API lets only admin migrate). Wait for
       the migration to reach ``error``, then for the server's ERROR.
    4. Check that the server is on the destination with the failing
       driver's fault.
    5. Check placement, per consumer: the server holds its unchanged
       flavor on the destination only; the migration holds nothing; the
       source holds nothing for either. The pre-fix signature (the flavor
       back on the source, nothing on the destination) is reported as nova
       bug 1825537.
    6. As the primary user, delete the server; neither consumer may hold
       allocations anywhere.
    """

    features = ('cold_migration',)

    @decorators.idempotent_id('7bb5089f-bae4-4069-b9ba-e46a4060d3fd')
    @decorators.related_bug('1825537')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_cold_migrate_fail_on_destination_keeps_allocations(self):
        # 1. Pin the boot to the source.
        flavor, trait = self.pinned_flavor('migrate', base.OLD_FLAVOR,
                                           self.source_rp, 'MIG')

        # 2. Boot on the source.
        scene = self.scene('migration', base.OLD_FLAVOR, base.OLD_FLAVOR)
        scene = self.boot_on_source(scene, flavor)

        # 3. Pin the migration to the destination, then migrate.
        self.move_trait(trait, self.source_rp, self.destination_rp)
        self.admin_conn.compute.migrate_server(scene.server_id)

        # 4. It fails on the destination, where the server now is.
        scene = self.wait_for_failure_on_destination(scene)

        # 5. Placement, per consumer.
        self.check_placement(scene, verdicts.judge_after_failure)

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
