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


"""Tests that change the cloud for everyone on it while they run.

Forcing a compute service down, disabling one or filling a host is what
some of nova's bugs need to show. Such a test runs only where tempest.conf
allows it ([resize_fail] disruptive_tests), alone (tempest's serial lock:
no other test runs beside it), and puts every service back in a cleanup
registered before the change.
"""

from tempest import config
from tempest.lib import decorators

from resize_tempest_plugin import hosts
from resize_tempest_plugin.scenario import base

CONF = config.CONF


@decorators.serial
class DisruptiveScenarioTest(base.ScenarioTest):
    """A scenario that may change compute services (admin's to change)."""

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.resize_fail.disruptive_tests:
            raise cls.skipException(
                '[resize_fail] disruptive_tests is False: the test forces a '
                'compute service down, disables one or fills a host, which '
                'every user of the cloud would see while it runs.')

    def compute_service(self, host):
        """The nova-compute service of ``host``, as admin lists it."""
        services = list(self.admin_conn.compute.services(
            binary=hosts.COMPUTE_BINARY, host=host))
        if len(services) != 1:
            self.fail('Expected one %s service on %s, found %d.'
                      % (hosts.COMPUTE_BINARY, host, len(services)))
        return services[0]

    def force_down(self, host):
        """Mark ``host``'s compute forced down; forced up again at cleanup.

        nova then treats the compute as down at once, whatever its
        heartbeat, as an operator's fencing would.
        :returns: the service, for a test that forces it up earlier.
        """
        service = self.compute_service(host)
        compute = self.admin_conn.compute
        self.addCleanup(compute.update_service_forced_down, service,
                        forced=False)
        compute.update_service_forced_down(service, forced=True)
        return service

    def disable(self, host):
        """Disable ``host``'s compute; enabled again at cleanup."""
        service = self.compute_service(host)
        compute = self.admin_conn.compute
        self.addCleanup(compute.enable_service, service)
        compute.disable_service(
            service, disabled_reason='%s: %s' % (
                CONF.resource_name_prefix, self.id()))
