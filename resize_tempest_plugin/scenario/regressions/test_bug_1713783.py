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
from resize_tempest_plugin.scenario import waits
from resize_tempest_plugin import verdicts


class EvacuateNoValidHostTest(disruptive.DisruptiveScenarioTest):
    """An evacuation that finds no valid host ends its migration in error.

    Nova bug 1713783, fixed by a8ebf5f1aac0 ("Set error state after failed
    evacuation"): when the scheduler found no host for an evacuation, the
    server went to ERROR but its migration stayed 'accepted' for ever. The
    twin of nova's regressions/test_bug_1713783.py.

    Steps:

    1. As admin, create a custom trait unique to this test on the source's
       provider, and a private flavor that requires it.
    2. As the primary (member) user, boot; wait for ACTIVE on the source,
       holding exactly the flavor there.
    3. As admin, force the source's compute down and disable the
       destination's (each put back at cleanup): no host is left.
    4. As admin, evacuate the server without a host; wait for the server's
       ERROR, with "No valid host was found" in its fault, on the source.
    5. Wait (15 s at most) for the evacuation's migration to reach
       ``error``: nova records it before the server's ERROR. One still
       'accepted' is bug 1713783.
    6. Placement: the server holds exactly its flavor on the source; the
       migration nothing. Put the services back; delete the server.

    Nothing in nova changes an 'accepted' migration later, so the 15 s do
    not hide the bug. It forces a compute down and disables the other, so
    it runs only with [resize_fail] disruptive_tests, alone.
    """

    features = ()

    @decorators.idempotent_id('d24796b2-a59b-448a-a8a2-c484e7b8e8dd')
    @decorators.related_bug('1713783')
    @decorators.attr(type=['slow'])
    @utils.services('compute')
    def test_evacuate_no_valid_host_sets_migration_error(self):
        # 1. Pin the boot to the source.
        flavor, _ = self.pinned_flavor('evacuate', base.OLD_FLAVOR,
                                       self.source_rp, 'EVAC')

        # 2. Boot on the source.
        scene = self.scene('evacuation', base.OLD_FLAVOR, base.OLD_FLAVOR)
        scene = self.boot_on_source(scene, flavor)

        # 3. No host left: the source down, the destination disabled.
        self.force_down(scene.source_host)
        self.disable(scene.destination_host)

        # 4. Evacuate: the scheduler finds no valid host.
        self.admin_conn.compute.evacuate_server(scene.server_id)
        server = self.waits.server_status(scene, 'ERROR')
        self.check_host(scene, server, scene.source_host,
                        'an evacuation that found no host stays')
        fault = (server.fault or {}).get('message') or ''
        if verdicts.NO_VALID_HOST not in fault:
            self.fail_with_evidence(
                'The server\'s fault is %r, expected %r: the evacuation '
                'failed for another reason than finding no valid host.'
                % (fault, verdicts.NO_VALID_HOST), scene)

        # 5. The migration records the failure.
        migration = self.waits.migration_status(
            scene, 'error', timeout=waits.SETTLE_TIMEOUT,
            judge_end=lambda seen: regressions.judge_failed_evacuation(
                scene, seen and seen.status))
        scene = scene._replace(migration_id=migration.uuid)

        # 6. Placement: nothing moved.
        self.check_placement(
            scene, lambda scene, snapshot: verdicts.judge_unmoved(
                scene, snapshot, 'the failed evacuation'))
