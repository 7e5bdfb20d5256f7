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
from tempest.lib import decorators

from resize_tempest_plugin import regressions
from resize_tempest_plugin.scenario import disruptive
from resize_tempest_plugin import verdicts


class ConfirmWhileSourceDownTest(disruptive.DisruptiveScenarioTest):
    """Confirming a resize while its source compute is down is refused.

    Nova bug 1855927, fixed by e4601c77fb3b ("Ensure source compute is up
    when confirming a resize"): the confirm is carried out by the source
    compute; before the fix nova accepted it with that compute down, and
    the migration stuck in 'confirming'. The twin of nova's
    PollUnconfirmedResizesTest.test_source_host_down_during_confirm.

    Steps:

    1. As admin, create two custom traits unique to this test, one on each
       provider, and two private flavors that require them.
    2. As the primary (member) user, boot on host2 and resize to host1
       (whose finish_migration works); wait for VERIFY_RESIZE.
    3. As admin, force host2's compute (the resize's source) down; forced
       up again at cleanup.
    4. As the primary user, confirm: nova must answer 409. An accepted
       confirm is bug 1855927. (The migration sticking in 'confirming'
       needs the source compute stopped, which no API does: a forced-down
       compute still runs and carries the confirm out.)
    5. As admin, force host2 up again; as the primary user, confirm; wait
       for ``confirmed`` and ACTIVE on host1; placement: the new flavor on
       host1 only, the migration nothing.
    6. As the primary user, delete the server; nothing may remain.

    It forces a compute down, so it runs only with [resize_fail]
    disruptive_tests, alone.
    """

    @decorators.idempotent_id('67d69a81-c350-4dec-aa6f-f1a1fa9553a6')
    @decorators.related_bug('1855927')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_confirm_while_source_down_is_refused(self):
        # 1 and 2. Boot on host2, resize to host1: VERIFY_RESIZE.
        scene = self.resize_to_working_host()

        # 3. The resize's source down.
        service = self.force_down(scene.source_host)

        # 4. The confirm must be refused.
        try:
            self.conn.compute.confirm_server_resize(scene.server_id)
            answered = None
        except sdk_exc.HttpException as exc:
            answered = exc.status_code
        self.check_verdict(scene, regressions.judge_confirm_while_source_down(
            scene, answered))

        # 5. With the source up, the confirm works.
        self.admin_conn.compute.update_service_forced_down(service,
                                                           forced=False)
        self.conn.compute.confirm_server_resize(scene.server_id)
        scene = self.finish_move(scene, 'confirmed', scene.destination_host,
                                 'a confirmed resize stays on the '
                                 'destination', 'the confirm')
        self.check_placement(scene, verdicts.judge_after_confirm)

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
