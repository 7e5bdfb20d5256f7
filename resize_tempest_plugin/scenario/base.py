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

"""What the resize-failure family shares: its cloud, its scene, its steps.

Not a test module: the scenarios in test_*.py subclass ScenarioTest, whose
test bodies then read as numbered steps. It is made of the pinning
(:mod:`.pinning`), the reads and evidence (:mod:`.reads`) and the named
waits (:mod:`.waits`), each of which turns a timeout or an unexpected state
into the verdict that names its cause (see verdicts).
"""

from oslo_log import log as logging
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib import exceptions as lib_exc
from tempest import test

from resize_tempest_plugin import clients
from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import hosts
from resize_tempest_plugin import placement
from resize_tempest_plugin.scenario import pinning
from resize_tempest_plugin.scenario import reads
from resize_tempest_plugin.scenario import waits
from resize_tempest_plugin import verdicts

CONF = config.CONF
LOG = logging.getLogger(__name__)

# The flavors' sizes, for the scenarios.
OLD_FLAVOR = pinning.OLD_FLAVOR
NEW_FLAVOR = pinning.NEW_FLAVOR


class ScenarioTest(pinning.PinningMixin, reads.CloudReadsMixin,
                   waits.NamedWaitsMixin, test.BaseTestCase):
    """Two compute hosts, the destination's finish_migration failing.

    Admin is used only where the API demands it (flavors, traits and
    placement, migrations, the server's host, instance actions, compute
    services and hypervisors); the primary (member) user owns the server.
    """

    credentials = ['primary', 'admin']

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.compute_feature_enabled.resize:
            raise cls.skipException(
                'compute-feature-enabled.resize is False: the scenario '
                'resizes or migrates a server.')
        if CONF.compute.min_compute_nodes < 2:
            raise cls.skipException(
                'compute.min_compute_nodes is %d: the scenario moves a '
                'server from one compute host to another and needs 2.'
                % CONF.compute.min_compute_nodes)
        opts = CONF.resize_fail
        if opts.source_host == opts.destination_host:
            raise lib_exc.InvalidConfiguration(
                '[resize_fail] source_host and destination_host are both '
                '%r; expected two different compute hosts, the destination '
                'being the one whose nova-compute runs %s. Set them in '
                'tempest.conf.' % (opts.source_host,
                                   plugin_config.DESTINATION_DRIVER))
        if not CONF.compute.image_ref:
            raise lib_exc.InvalidConfiguration(
                'compute.image_ref is empty; expected the id of an image '
                'the primary user can boot. Set [compute] image_ref in '
                'tempest.conf.')

    @classmethod
    def setup_credentials(cls):
        # The server boots with networks 'none': no network resources.
        cls.set_network_resources()
        super().setup_credentials()

    @classmethod
    def setup_clients(cls):
        super().setup_clients()
        cls.conn = clients.connect(cls.os_primary.credentials, CONF)
        cls.addClassResourceCleanup(cls.conn.close)
        cls.admin_conn = clients.connect(cls.os_admin.credentials, CONF)
        cls.addClassResourceCleanup(cls.admin_conn.close)
        cls.placement = placement.Placement(cls.admin_conn.placement)

    @classmethod
    def resource_setup(cls):
        super().resource_setup()
        opts = CONF.resize_fail
        configured = {'source_host': opts.source_host,
                      'destination_host': opts.destination_host}
        services = list(cls.admin_conn.compute.services(
            binary=hosts.COMPUTE_BINARY))
        hosts.check_compute_hosts(services, configured)
        hypervisors = list(cls.admin_conn.compute.hypervisors(details=True))
        cls.source_rp = hosts.provider_for_host(
            hypervisors, opts.source_host, 'source_host', cls.placement)
        cls.destination_rp = hosts.provider_for_host(
            hypervisors, opts.destination_host, 'destination_host',
            cls.placement)
        LOG.info('Source %s is resource provider %s; destination %s is %s',
                 opts.source_host, cls.source_rp, opts.destination_host,
                 cls.destination_rp)

    def scene(self, move, old_sizes, new_sizes, reverse=False,
              driver=plugin_config.DESTINATION_DRIVER):
        """The scene the verdicts judge; ``reverse`` moves host2 to host1.

        Its server and migration are filled in as they appear.
        """
        opts = CONF.resize_fail
        ends = [(opts.source_host, self.source_rp),
                (opts.destination_host, self.destination_rp)]
        if reverse:
            ends.reverse()
        (source_host, source_rp), (destination_host, destination_rp) = ends
        return verdicts.Scene(
            server_id=None, migration_id=None, move=move,
            source_host=source_host, source_rp=source_rp,
            destination_host=destination_host, destination_rp=destination_rp,
            old_resources=verdicts.flavor_resources(**old_sizes),
            new_resources=verdicts.flavor_resources(**new_sizes),
            driver=driver)

    def boot_server(self, flavor):
        """Boot as the primary user, without network; delete at cleanup."""
        server = self.conn.compute.create_server(
            name=data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                      name='resize-fail'),
            flavor_id=flavor.id, image_id=CONF.compute.image_ref,
            networks='none')
        # Cleanups run last in, first out: delete, then wait until gone.
        self.addCleanup(self._wait_for_server_gone, server.id)
        self.addCleanup(self.conn.compute.delete_server, server.id,
                        ignore_missing=True)
        return server

    def boot_on_source(self, scene, flavor):
        """Boot, wait for ACTIVE on the source, check its allocations."""
        server = self.boot_server(flavor)
        scene = scene._replace(server_id=server.id)
        server = self.wait_for_server_status(scene, 'ACTIVE')
        self.check_host(scene, server, scene.source_host,
                        'its flavor requires a trait set only on the '
                        'source\'s provider')
        self.check_placement(scene, verdicts.judge_boot)
        return scene

    def wait_for_move(self, scene, migration_status, server_status):
        """Wait for the migration's status, then for the server's.

        The migration first: nova sets the server's status before it
        records the fault, and the migration's status after.
        :returns: the scene with its migration, and the server.
        """
        migration = self.wait_for_migration_status(scene, migration_status)
        scene = scene._replace(migration_id=migration.uuid)
        return scene, self.wait_for_server_status(scene, server_status)

    def wait_for_failure_on_destination(self, scene):
        """The move fails in finish_migration on the destination.

        The migration reaches ``error``, the server ERROR; the server must
        point at the destination and carry the failing driver's fault.
        """
        scene, server = self.wait_for_move(scene, 'error', 'ERROR')
        self.check_host(scene, server, scene.destination_host,
                        'the source points the server at the destination '
                        'before finish_resize runs there')
        self.check_fault(scene, server)
        return scene

    def delete_server(self, scene):
        """Delete as the primary user; nothing may remain in placement."""
        self.conn.compute.delete_server(scene.server_id, ignore_missing=True)
        self._wait_for_server_gone(scene.server_id)
        # Nova deletes the allocations just after the server disappears
        # from the API: wait for them (bounded) rather than read once.
        self.wait_for_allocations_released(scene, ('server', 'migration'),
                                           'the server was deleted')

    # Checks ----------------------------------------------------------------

    def fail_with_evidence(self, message, scene):
        self.fail('%s\n%s' % (message, self.evidence(scene)))

    def check_verdict(self, scene, verdict):
        """Fail with ``verdict`` and the evidence, if there is a verdict."""
        if verdict:
            self.fail_with_evidence(verdict, scene)

    def check_placement(self, scene, judge):
        """Fail with ``judge``'s verdict on placement, if it has one."""
        self.check_verdict(scene, judge(scene, self.snapshot(scene)))

    def check_host(self, scene, server, host, why):
        if server.compute_host != host:
            self.fail_with_evidence(
                'The server is on %s, expected %s (%s).'
                % (server.compute_host, host, why), scene)

    def check_fault(self, scene, server):
        """The fault that the failing finish_migration leaves."""
        fault = (server.fault or {}).get('message') or ''
        expected = CONF.resize_fail.expected_fault
        if expected not in fault:
            self.fail_with_evidence(
                'The server\'s fault message is %r, expected it to contain '
                '%r ([resize_fail] expected_fault).' % (fault, expected),
                scene)
