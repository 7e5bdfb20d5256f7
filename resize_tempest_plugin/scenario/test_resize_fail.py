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

# tempest.common.utils is outside tempest's stable plugin interface, but its
# services() decorator is how every tempest test says which services it
# needs (tempest run --regex filters on that attribute); plugins use it.
from tempest.common import utils
from tempest.lib import decorators

from resize_tempest_plugin.scenario import base


class ResizeFailOnDestinationTest(base.ScenarioTest):
    """A resize whose finish_migration fails on the destination host.

    The black-box twin of nova's in-process regression test for bug 1825537
    (nova/tests/functional/regressions/test_bug_1825537.py), through the
    public compute and placement APIs. The destination's nova-compute runs
    fake.FakeFinishMigrationFailDriver, whose finish_migration raises
    VirtualInterfaceCreateException.

    Steps:

    1. As admin, create two custom traits unique to this test, set one on
       the source host's resource provider and the other on the
       destination's, and create two private flavors, shared with the
       primary project, that differ in VCPU, MEMORY_MB and DISK_GB: the old
       one requires the source trait, the new one the destination trait.
       This pins the server to the source and the resize to the destination
       through the API alone, whatever the scheduler's settings (such as
       allow_resize_to_same_host).
    2. As the primary (member) user, boot a server with the old flavor and
       no network; wait for ACTIVE; check (admin) that it is on the source
       host and that placement holds exactly the old flavor for it on the
       source provider.
    3. As the primary user, resize the server to the new flavor. Wait for
       the migration to reach ``error`` (a migration that finishes instead
       means the destination is not running the failing driver), then for
       the server's ERROR.
    4. Check that the server's host is the destination and that its fault
       message contains [resize_fail] expected_fault.
    5. Check placement, per consumer: the server holds exactly the new
       flavor, on the destination provider only; the migration holds
       nothing; the source provider holds nothing for either. The pre-fix
       signature (the old flavor back on the source, nothing on the
       destination) is reported as nova bug 1825537.
    6. As the primary user, delete the server; wait until it is gone and
       until neither consumer holds allocations anywhere.

    Everything created or changed (server, flavors, traits on providers and
    in placement) is undone by cleanups registered before the change,
    whether the test passes or fails.
    """

    @decorators.idempotent_id('11cd1e4c-90ca-42e3-b4e3-963063be77ec')
    @decorators.related_bug('1825537')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_resize_fail_on_destination_keeps_new_flavor_allocations(self):
        # 1 to 5. Boot on the source, resize to the destination, where
        # finish_migration fails; placement, per consumer.
        scene = self.resize_and_fail_on_destination()

        # 6. Delete; nothing may remain for either consumer.
        self.delete_server(scene)
