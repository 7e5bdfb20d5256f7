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

import uuid

from openstack import exceptions as sdk_exc
from oslo_log import log as logging
# tempest.common.utils is outside tempest's stable plugin interface, but its
# services() decorator is how every tempest test says which services it
# needs (tempest run --regex filters on that attribute); plugins use it.
from tempest.common import utils
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib import decorators
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


class ResizeFailOnDestinationTest(test.BaseTestCase):
    """A resize whose finish_migration fails on the destination host.

    The black-box twin of nova's in-process regression test for bug 1825537
    (nova/tests/functional/regressions/test_bug_1825537.py), through the
    public compute and placement APIs. The destination's nova-compute runs
    fake.FakeFinishMigrationFailDriver, whose finish_migration raises
    VirtualInterfaceCreateException.

    Steps:

    1. As admin, create two custom traits unique to this run, set one on
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
       the server's ERROR (nova records the fault after the server goes
       ERROR, and sets the migration to error after the fault).
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
    in placement) is undone by cleanups registered right after it is made,
    whether the test passes or fails.
    """

    credentials = ['primary', 'admin']

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.compute_feature_enabled.resize:
            raise cls.skipException(
                'compute-feature-enabled.resize is False: the scenario '
                'resizes a server.')
        if CONF.compute.min_compute_nodes < 2:
            raise cls.skipException(
                'compute.min_compute_nodes is %d: the scenario resizes a '
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

    # Resources -----------------------------------------------------------

    def _pin_trait(self, provider, role):
        """A custom trait unique to this run, set on ``provider``."""
        trait = 'CUSTOM_RESIZE_FAIL_%s_%s' % (role, uuid.uuid4().hex.upper())
        self.placement.create_trait(trait)
        self.addCleanup(self.placement.delete_trait, trait)
        # Registered before the change, so that a half-done change is
        # undone too; the removal leaves every other trait in place.
        self.addCleanup(self.placement.remove_provider_trait, provider, trait)
        self.placement.add_provider_trait(provider, trait)
        return trait

    def _create_flavor(self, label, sizes, trait):
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

    def _boot_server(self, flavor):
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

    # Reading the cloud -----------------------------------------------------

    def _admin_server(self, server_id):
        """The server as admin sees it (host, task state), None if gone."""
        try:
            return self.admin_conn.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            return None

    def _migration(self, server_id):
        """The server's latest resize migration record, None if none yet.

        Listed by admin: os-migrations gives the migration uuid (a
        placement consumer) from compute microversion 2.59.
        """
        migrations = list(self.admin_conn.compute.migrations(
            server_id=server_id, migration_type='resize'))
        if not migrations:
            return None
        return max(migrations, key=lambda m: (m.created_at or '', m.id))

    def _snapshot(self, scene):
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

    def _actions(self, server_id):
        compute = self.admin_conn.compute
        actions = compute.server_actions(server_id)
        return [evidence.action_summary(
            compute.get_server_action(action.request_id, server_id))
            for action in actions]

    def _evidence(self, scene):
        """Everything a reader needs to tell why the scenario failed."""
        consumers = (scene.server_id, scene.migration_id)
        probes = [
            ('server (admin view)', lambda: evidence.server_summary(
                self._admin_server(scene.server_id))),
            ('resize migration', lambda: evidence.migration_summary(
                self._migration(scene.server_id))),
            ('instance actions and events', lambda: self._actions(
                scene.server_id)),
            ('allocations of server %s' % scene.server_id,
             lambda: self.placement.consumer_allocations(scene.server_id)),
        ]
        if scene.migration_id:
            probes.append(
                ('allocations of migration %s' % scene.migration_id,
                 lambda: self.placement.consumer_allocations(
                     scene.migration_id)))
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
                        self.placement.provider_allocations(rp), consumers)}))
        probes.append(('expected flavors as placement resources', lambda: {
            'old (source)': scene.old_resources,
            'new (destination)': scene.new_resources}))
        return evidence.render(evidence.gather(probes))

    def _fail(self, message, scene):
        self.fail('%s\n%s' % (message, self._evidence(scene)))

    def _fail_after_wait(self, verdict, exc):
        """Fail with the verdict first, then the waiter's states and evidence.

        Raised without the waiter's exception as context, so that the
        evidence, already in the waiter's message, is printed once.
        """
        raise self.failureException('%s\n%s' % (verdict, exc)) from None

    # Waiting ---------------------------------------------------------------

    def _wait(self, scene, fetch, describe, is_done, what, is_failed=None):
        return waiters.wait_for(
            fetch, describe, is_done, what,
            timeout=CONF.compute.build_timeout,
            interval=CONF.compute.build_interval,
            is_failed=is_failed,
            evidence=lambda: self._evidence(scene))

    @staticmethod
    def _server_state(server):
        if server is None:
            return 'gone'
        return 'status=%s task_state=%s host=%s' % (
            server.status, server.task_state, server.compute_host)

    def _wait_for_server_gone(self, server_id):
        def fetch():
            try:
                return self.conn.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                return None
        waiters.wait_for(
            fetch, self._server_state, lambda server: server is None,
            'server %s to be deleted' % server_id,
            timeout=CONF.compute.build_timeout,
            interval=CONF.compute.build_interval)

    # The test --------------------------------------------------------------

    @decorators.idempotent_id('11cd1e4c-90ca-42e3-b4e3-963063be77ec')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_resize_fail_on_destination_keeps_new_flavor_allocations(self):
        opts = CONF.resize_fail

        # 1. Pin the boot to the source and the resize to the destination.
        old_flavor = self._create_flavor(
            'old', OLD_FLAVOR, self._pin_trait(self.source_rp, 'SRC'))
        new_flavor = self._create_flavor(
            'new', NEW_FLAVOR, self._pin_trait(self.destination_rp, 'DST'))

        # 2. Boot on the source.
        server = self._boot_server(old_flavor)
        scene = verdicts.Scene(
            server_id=server.id, migration_id=None,
            source_host=opts.source_host, source_rp=self.source_rp,
            destination_host=opts.destination_host,
            destination_rp=self.destination_rp,
            old_resources=verdicts.flavor_resources(**OLD_FLAVOR),
            new_resources=verdicts.flavor_resources(**NEW_FLAVOR),
            driver=plugin_config.DESTINATION_DRIVER)
        server = self._wait(
            scene, lambda: self._admin_server(scene.server_id),
            self._server_state,
            lambda s: s is not None and s.status == 'ACTIVE',
            'server %s to become ACTIVE' % scene.server_id,
            is_failed=lambda s: s is None or s.status == 'ERROR')
        if server.compute_host != opts.source_host:
            self._fail('The server booted on %s, expected the source %s '
                       '(its flavor requires a trait set only on the '
                       'source\'s provider).'
                       % (server.compute_host, opts.source_host), scene)
        verdict = verdicts.judge_boot(scene, self._snapshot(scene))
        if verdict:
            self._fail(verdict, scene)

        # 3. Resize to the destination, where finish_migration fails.
        self.conn.compute.resize_server(scene.server_id, new_flavor.id)
        try:
            migration = self._wait(
                scene, lambda: self._migration(scene.server_id),
                lambda m: m.status if m else 'not recorded yet',
                lambda m: m is not None and m.status == 'error',
                'the resize migration of server %s to reach error'
                % scene.server_id,
                is_failed=lambda m: m is not None and m.status in (
                    verdicts.RESIZE_SUCCEEDED | verdicts.MIGRATION_OTHER_END))
        except waiters.UnexpectedState as exc:
            seen = self._admin_server(scene.server_id)
            self._fail_after_wait(verdicts.judge_migration_end(
                scene, exc.last.status, seen and seen.status,
                seen and seen.compute_host), exc)
        scene = scene._replace(migration_id=migration.uuid)
        try:
            server = self._wait(
                scene, lambda: self._admin_server(scene.server_id),
                self._server_state,
                lambda s: s is not None and s.status == 'ERROR',
                'server %s to become ERROR' % scene.server_id,
                is_failed=lambda s: s is None or (
                    s.task_state is None
                    and s.status in verdicts.SERVER_OTHER_END))
        except waiters.UnexpectedState as exc:
            seen = exc.last
            self._fail_after_wait(verdicts.judge_server_end(
                scene, seen and seen.status, seen and seen.task_state,
                seen and seen.compute_host,
                ((seen and seen.fault) or {}).get('message')), exc)

        # 4. Where the server is and what nova recorded.
        if server.compute_host != opts.destination_host:
            self._fail('After the failed resize the server is on %s, '
                       'expected the destination %s (resize_instance points '
                       'the server at the destination before finish_resize '
                       'runs there).'
                       % (server.compute_host, opts.destination_host), scene)
        fault = (server.fault or {}).get('message') or ''
        if opts.expected_fault not in fault:
            self._fail('The server\'s fault message is %r, expected it to '
                       'contain %r ([resize_fail] expected_fault).'
                       % (fault, opts.expected_fault), scene)

        # 5. Placement, per consumer.
        verdict = verdicts.judge_after_failure(scene, self._snapshot(scene))
        if verdict:
            self._fail(verdict, scene)

        # 6. Delete; nothing may remain for either consumer.
        self.conn.compute.delete_server(scene.server_id, ignore_missing=True)
        self._wait_for_server_gone(scene.server_id)
        # Nova deletes the allocations just after the server disappears
        # from the API: wait for them (bounded) rather than read once.
        try:
            self._wait(
                scene, lambda: self._snapshot(scene),
                lambda snap: 'allocations left: %s' % (
                    ', '.join(sorted(verdicts.leftovers(scene, snap)))
                    or 'none'),
                lambda snap: not verdicts.leftovers(scene, snap),
                'the allocations of server %s and migration %s to be '
                'deleted' % (scene.server_id, scene.migration_id))
        except waiters.WaitTimeout as exc:
            self._fail_after_wait(
                verdicts.judge_after_delete(scene, exc.last), exc)
