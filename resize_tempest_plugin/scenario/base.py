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

"""What the resize-failure family shares: pinning, flavors, reads, waits.

Not a test module: the scenarios in test_*.py subclass ScenarioTest, whose
test bodies then read as numbered steps. Each wait turns a timeout or an
unexpected state into the verdict that names its cause (see verdicts),
followed by the states it saw and the evidence.
"""

import uuid

from openstack import exceptions as sdk_exc
from oslo_log import log as logging
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib import exceptions as lib_exc
from tempest import test

from resize_tempest_plugin import clients
from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import evidence
from resize_tempest_plugin import hosts
from resize_tempest_plugin import placement
from resize_tempest_plugin import verdicts
from resize_tempest_plugin import waiters

CONF = config.CONF
LOG = logging.getLogger(__name__)

# The two flavors differ in VCPU, MEMORY_MB and DISK_GB, so that an
# allocation tells which flavor it was made for.
OLD_FLAVOR = {'vcpus': 1, 'ram': 128, 'disk': 1}
NEW_FLAVOR = {'vcpus': 2, 'ram': 192, 'disk': 2}


class ScenarioTest(test.BaseTestCase):
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

    # Pinning ---------------------------------------------------------------

    def create_trait(self, role):
        """A custom trait unique to this test, on no provider yet."""
        trait = 'CUSTOM_RESIZE_FAIL_%s_%s' % (role, uuid.uuid4().hex.upper())
        self.placement.create_trait(trait)
        self.addCleanup(self.placement.delete_trait, trait)
        return trait

    def set_trait(self, provider, trait):
        """Set ``trait`` on ``provider``, removed again at cleanup."""
        # Registered before the change, so that a half-done change is
        # undone too; the removal leaves every other trait in place.
        self.addCleanup(self.placement.remove_provider_trait, provider, trait)
        self.placement.add_provider_trait(provider, trait)

    def pin_trait(self, provider, role):
        """A trait unique to this test, set on ``provider`` only."""
        trait = self.create_trait(role)
        self.set_trait(provider, trait)
        return trait

    def move_trait(self, trait, from_provider, to_provider):
        """Move ``trait`` so that only ``to_provider`` has it."""
        self.set_trait(to_provider, trait)
        self.placement.remove_provider_trait(from_provider, trait)

    def create_flavor(self, label, sizes, trait):
        """A private flavor for the primary project, requiring ``trait``."""
        compute = self.admin_conn.compute
        flavor = compute.create_flavor(
            name=data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                      name='resize-fail-%s' % label),
            is_public=False, **sizes)
        self.addCleanup(compute.delete_flavor, flavor, ignore_missing=True)
        compute.create_flavor_extra_specs(
            flavor, {'trait:%s' % trait: 'required'})
        compute.flavor_add_tenant_access(
            flavor, self.os_primary.credentials.project_id)
        return flavor

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

    def pin_resize(self, scene):
        """The old and the new flavor, each pinned by a trait of its own.

        The old one pins the boot to the scene's source, the new one the
        resize to its destination.
        """
        return (
            self.create_flavor('old', OLD_FLAVOR,
                               self.pin_trait(scene.source_rp, 'SRC')),
            self.create_flavor('new', NEW_FLAVOR,
                               self.pin_trait(scene.destination_rp, 'DST')))

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

    # Reading the cloud -----------------------------------------------------

    def admin_server(self, server_id):
        """The server as admin sees it (host, task state), None if gone."""
        try:
            return self.admin_conn.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            return None

    def migration(self, scene):
        """The server's latest migration of the scene's type, or None.

        Listed by admin: os-migrations gives the migration uuid (a
        placement consumer) from compute microversion 2.59.
        """
        migrations = list(self.admin_conn.compute.migrations(
            server_id=scene.server_id, migration_type=scene.move))
        if not migrations:
            return None
        return max(migrations, key=_created)

    def snapshot(self, scene):
        """The four placement views the verdicts read (see verdicts)."""
        empty = {'allocations': {}}
        return {
            'server': self.placement.consumer_allocations(scene.server_id),
            'migration': (
                self.placement.consumer_allocations(scene.migration_id)
                if scene.migration_id else empty),
            'source': self.placement.provider_allocations(scene.source_rp),
            'destination': self.placement.provider_allocations(
                scene.destination_rp),
        }

    def actions(self, server_id):
        """The server's instance actions with their events (admin)."""
        compute = self.admin_conn.compute
        return [evidence.action_summary(
            compute.get_server_action(action.request_id, server_id))
            for action in compute.server_actions(server_id)]

    def evidence(self, scene):
        """Everything a reader needs to tell why the scenario failed."""
        scene = self._with_migration(scene)
        consumers = (scene.server_id, scene.migration_id)
        probes = [
            ('server (admin view)',
             lambda: evidence.server_summary(
                 self.admin_server(scene.server_id))),
            ('%s migration' % scene.move,
             lambda: evidence.migration_summary(self.migration(scene))),
            ('instance actions and events',
             lambda: self.actions(scene.server_id)),
            ('allocations of server %s' % scene.server_id,
             lambda: verdicts.by_provider(
                 self.placement.consumer_allocations(scene.server_id))),
        ]
        if scene.migration_id:
            probes.append(
                ('allocations of migration %s' % scene.migration_id,
                 lambda: verdicts.by_provider(
                     self.placement.consumer_allocations(
                         scene.migration_id))))
        for role, host, rp in (
                ('source', scene.source_host, scene.source_rp),
                ('destination', scene.destination_host,
                 scene.destination_rp)):
            probes.append((
                '%s %s (%s): usages; allocations of the server and the '
                'migration' % (role, host, rp),
                lambda rp=rp: {
                    'usages': self.placement.provider_usages(rp),
                    'allocations': verdicts.held_on(
                        self.placement.provider_allocations(rp),
                        consumers)}))
        return evidence.render(evidence.gather(probes))

    def _with_migration(self, scene):
        """The scene with its migration, which a failed wait may not know."""
        if scene.migration_id or not scene.server_id:
            return scene
        try:
            migration = self.migration(scene)
        except sdk_exc.SDKException:
            return scene  # the evidence's own probe of it says why
        return scene._replace(migration_id=migration and migration.uuid)

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

    # Waiting ---------------------------------------------------------------

    def _wait(self, scene, fetch, describe, is_done, what, is_failed=None):
        return waiters.wait_for(
            fetch, describe, is_done, what,
            timeout=CONF.compute.build_timeout,
            interval=CONF.compute.build_interval,
            is_failed=is_failed,
            evidence=lambda: self.evidence(scene))

    @staticmethod
    def _fail_after_wait(verdict, exc):
        """Fail with the verdict first, then the waiter's states and evidence.

        Raised without the waiter's exception as context, so that the
        evidence, already in the waiter's message, is printed once.
        """
        raise AssertionError('%s\n%s' % (verdict, exc)) from None

    def wait_for_server_status(self, scene, status):
        """Wait until the server is ``status`` with no task under way."""
        # A confirmed resize stays VERIFY_RESIZE until the source compute
        # has finished confirming it: not an end when waiting for ACTIVE.
        ends = verdicts.SERVER_ENDS - {status}
        if status == 'ACTIVE':
            ends -= {'VERIFY_RESIZE'}
        try:
            return self._wait(
                scene, lambda: self.admin_server(scene.server_id),
                _server_state,
                lambda s: (s is not None and s.status == status
                           and s.task_state is None),
                'server %s to become %s' % (scene.server_id, status),
                is_failed=lambda s: s is None or (
                    s.task_state is None and s.status in ends))
        except (waiters.UnexpectedState, waiters.WaitTimeout) as exc:
            seen = exc.last
            self._fail_after_wait(verdicts.judge_server_end(
                scene, status, seen and seen.status, seen and seen.task_state,
                seen and seen.compute_host,
                ((seen and seen.fault) or {}).get('message')), exc)

    def wait_for_migration_status(self, scene, status):
        """Wait until the scene's migration reaches ``status``."""
        ends = verdicts.MIGRATION_ENDS - {status}
        try:
            return self._wait(
                scene, lambda: self.migration(scene),
                lambda m: m.status if m else 'not recorded yet',
                lambda m: m is not None and m.status == status,
                'the %s of server %s to reach %s'
                % (scene.move, scene.server_id, status),
                is_failed=lambda m: m is not None and m.status in ends)
        except (waiters.UnexpectedState, waiters.WaitTimeout) as exc:
            server = self.admin_server(scene.server_id)
            self._fail_after_wait(verdicts.judge_migration_end(
                scene, status, exc.last and exc.last.status,
                server and server.status, server and server.compute_host),
                exc)

    def wait_for_allocations_released(self, scene, roles, after):
        """Wait until the consumers in ``roles`` hold nothing anywhere."""
        try:
            self._wait(
                scene, lambda: self.snapshot(scene),
                lambda snap: 'allocations left: %s' % (
                    ', '.join(sorted(verdicts.leftovers(scene, snap, roles)))
                    or 'none'),
                lambda snap: not verdicts.leftovers(scene, snap, roles),
                'the allocations of the %s to be deleted after %s'
                % (' and the '.join(roles), after))
        except waiters.WaitTimeout as exc:
            self._fail_after_wait(
                verdicts.judge_released(scene, exc.last, roles, after), exc)

    def _wait_for_server_gone(self, server_id):
        def fetch():
            try:
                return self.conn.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                return None
        waiters.wait_for(
            fetch, _server_state, lambda server: server is None,
            'server %s to be deleted' % server_id,
            timeout=CONF.compute.build_timeout,
            interval=CONF.compute.build_interval)


def _server_state(server):
    if server is None:
        return 'gone'
    return 'status=%s task_state=%s host=%s' % (
        server.status, server.task_state, server.compute_host)


def _created(migration):
    return (migration.created_at or '', migration.id)
