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


from openstack import exceptions as sdk_exc
from tempest.common import utils
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib import decorators

from resize_tempest_plugin import regressions
from resize_tempest_plugin.scenario import base
from resize_tempest_plugin.scenario import waits
from resize_tempest_plugin import verdicts

CONF = config.CONF


class LiveMigrateOneOfMultiCreateTest(base.ScenarioTest):
    """One server of a multi-create can be live-migrated to a named host.

    Nova bug 1718455, fixed by 87ca0d8af0d6 ("Ensure instance can migrate
    when launched concurrently"): the servers of one create request share
    its RequestSpec, whose num_instances the scheduler then honoured for
    a later move of one of them, asking for two hosts where one was to be
    found, and failing with NoValidHost. The twin of nova's
    regressions/test_bug_1718455.py.

    Steps:

    1. As admin, create a custom trait unique to this test on the source's
       provider, and a private flavor that requires it.
    2. As the primary (member) user, boot two servers in one request
       (min_count=2); wait for both to be ACTIVE on the source.
    3. As admin, set the trait on the destination's provider too.
    4. As admin, live-migrate the first server to the destination, named
       but not forced (the scheduler checks it); wait for the live
       migration's ``completed`` and ACTIVE on the destination. A move
       refused with NoValidHost, or a migration in ``error``, is bug
       1718455.
    5. Placement: the migrated server holds its flavor on the destination
       only, its migration nothing.
    6. As the primary user, delete both servers; nothing may remain.
    """

    features = ('live_migration',)

    def boot_two(self, flavor):
        """Two servers in one request; both deleted at cleanup."""
        name = data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                    name='resize-fail-multi')
        self.conn.compute.create_server(
            name=name, flavor_id=flavor.id, image_id=CONF.compute.image_ref,
            networks='none', min_count=2, max_count=2)
        servers = [server for server in self.conn.compute.servers(name=name)
                   if server.name.startswith(name)]
        for server in servers:
            self.addCleanup(self.waits.server_gone, server.id)
            self.addCleanup(self.conn.compute.delete_server, server.id,
                            ignore_missing=True)
        if len(servers) != 2:
            self.fail('A create request with min_count=2 made %d servers '
                      'named %s*, expected 2.' % (len(servers), name))
        return sorted(server.id for server in servers)

    @decorators.idempotent_id('c1f19f8d-f6af-4c9f-9a38-0486da49e35e')
    @decorators.related_bug('1718455')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_live_migrate_one_server_of_a_multi_create(self):
        # 1. Pin the boot to the source.
        flavor, trait = self.pinned_flavor('multi', base.OLD_FLAVOR,
                                           self.source_rp, 'MULTI')

        # 2. Two servers in one request, on the source.
        scenes = [
            self.scene('live-migration', base.OLD_FLAVOR, base.OLD_FLAVOR,
                       driver=None)._replace(server_id=server_id)
            for server_id in self.boot_two(flavor)]
        for scene in scenes:
            server = self.waits.server_status(scene, 'ACTIVE')
            self.check_host(scene, server, scene.source_host,
                            'the flavor requires a trait set only there')
            self.check_placement(scene, verdicts.judge_boot)

        # 3. The destination takes the flavor too.
        self.set_trait(self.destination_rp, trait)

        # 4. Live-migrate the first, to the named destination.
        scene = scenes[0]
        try:
            self.admin_conn.compute.live_migrate_server(
                scene.server_id, host=scene.destination_host,
                block_migration='auto')
        except sdk_exc.HttpException as exc:
            self.check_verdict(scene, regressions.judge_multi_create_migration(
                scene, 'HTTP %s' % exc.status_code, exc.details))
            raise
        migration = self.waits.migration_status(
            scene, 'completed', judge_end=lambda seen: (
                regressions.judge_multi_create_migration(
                    scene, seen and seen.status, (
                        (self.reads.admin_server(scene.server_id).fault
                         or {}).get('message')))))
        scene = scene._replace(migration_id=migration.uuid)
        server = self.waits.server_status(scene, 'ACTIVE')
        self.check_host(scene, server, scene.destination_host,
                        'the live migration named it')
        self.waits.allocations_released(scene, ('migration',),
                                        'the live migration',
                                        timeout=waits.SETTLE_TIMEOUT)

        # 5. Placement: the flavor on the destination only.
        self.check_placement(
            scene, lambda scene, snapshot: verdicts.judge_moved(
                scene, snapshot, 'the live migration'))

        # 6. Delete both; nothing may remain.
        for each in (scene, scenes[1]):
            self.delete_server(each)
