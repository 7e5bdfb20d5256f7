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

"""What the scenarios share: their cloud, their scene, their steps.

Not a test module: the scenarios in test_*.py subclass ScenarioTest, whose
test bodies then read as numbered steps. The reads and the evidence are
an object of their own (:class:`.reads.CloudReads`), and so are the named
waits (:class:`.waits.Waits`), each of which turns a timeout or an
unexpected state into the verdict that names its cause (see verdicts).

Every move is pinned through the API alone: a private flavor requires a
custom trait unique to the test, set on one resource provider only, so
the scheduler can only choose that provider's host, whatever its settings
(such as ``allow_resize_to_same_host``).
"""

import contextvars
import functools

from oslo_log import log as logging
from oslo_utils import uuidutils
from tempest.common import credentials_factory
from tempest import config
from tempest.lib.common import api_version_utils
from tempest.lib.common.utils import data_utils
from tempest.lib import exceptions as lib_exc
from tempest import test

from resize_tempest_plugin import clients
from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin import hosts
from resize_tempest_plugin import placement
from resize_tempest_plugin.scenario import reads
from resize_tempest_plugin.scenario import waits
from resize_tempest_plugin import verdicts

CONF = config.CONF
LOG = logging.getLogger(__name__)

# The cleanups of the call that ScenarioTest.side_by_side runs in this
# thread; None outside it.
_CALL_CLEANUPS = contextvars.ContextVar('resize_fail_call_cleanups',
                                        default=None)

# The two flavors differ in VCPU, MEMORY_MB and DISK_GB, so that an
# allocation tells which flavor it was made for.
OLD_FLAVOR = {'vcpus': 1, 'ram': 128, 'disk': 1}
NEW_FLAVOR = {'vcpus': 2, 'ram': 192, 'disk': 2}

NO_ADMIN = (
    'No admin credentials: the tests need an admin account for what the '
    'API keeps to admin (compute hosts, migrations, private flavors, '
    'placement). With pre-provisioned credentials, add an account with '
    '"types: [admin]" to [auth] test_accounts_file; with dynamic ones, set '
    '[auth] admin_username, admin_password and admin_project_name '
    '(doc/operator.rst).')

# What each tempest feature flag lets a test do, for its skip message.
FEATURES = {
    'resize': 'resizes a server',
    'cold_migration': 'cold-migrates a server',
    'live_migration': 'live-migrates a server',
    'shelve': 'shelves and unshelves a server',
}


class ScenarioTest(test.BaseTestCase):
    """Two compute hosts, the destination's finish_migration failing.

    Admin is used only where the API demands it (flavors, traits and
    placement, migrations, the server's host, instance actions, compute
    services and hypervisors); the primary (member) user owns the server.

    A subclass declares what the cloud must offer: ``features`` (tempest's
    compute-feature-enabled flags, see FEATURES) and the microversions it
    needs. A cloud that lacks one skips the test, naming it.
    """

    credentials = ['primary', 'admin']

    features = ('resize',)
    # Migration uuids (placement consumers) in os-migrations: 2.59.
    compute_min_microversion = '2.59'
    # Consumer generations in GET /allocations/{consumer}: 1.28.
    placement_min_microversion = '1.28'

    @classmethod
    def skip_checks(cls):
        # Before tempest's own check, whose message does not say where an
        # admin comes from under pre-provisioned credentials.
        if not credentials_factory.is_admin_available(
                CONF.identity.auth_version):
            raise cls.skipException(NO_ADMIN)
        super().skip_checks()
        for feature in cls.features:
            if not getattr(CONF.compute_feature_enabled, feature):
                raise cls.skipException(
                    'compute-feature-enabled.%s is False: the test %s.'
                    % (feature, FEATURES[feature]))
        if CONF.compute.min_compute_nodes < 2:
            raise cls.skipException(
                'compute.min_compute_nodes is %d: the test moves a server '
                'from one compute host to another and needs 2.'
                % CONF.compute.min_compute_nodes)
        cls._check_microversion('compute', cls.compute_min_microversion,
                                CONF.compute)
        cls._check_microversion('placement',
                                cls.placement_min_microversion,
                                CONF.placement)
        opts = CONF.resize_fail
        for option in ('source_host', 'destination_host'):
            if not getattr(opts, option):
                raise lib_exc.InvalidConfiguration(
                    '[resize_fail] %s is not set (its default comes from %s, '
                    'which is missing: reinstall the plugin with its data '
                    'files); expected a compute host name. Set it in '
                    'tempest.conf.' % (option, plugin_config.SHAPE_FILE))
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
    def _check_microversion(cls, service, needed, group):
        """Skip, as tempest does, unless tempest.conf allows ``needed``."""
        try:
            api_version_utils.check_skip_with_microversion(
                needed, api_version_utils.LATEST_MICROVERSION,
                group.min_microversion, group.max_microversion)
        except cls.skipException as exc:
            raise cls.skipException(
                'The test needs %s microversion %s or later, and tempest.conf'
                ' allows %s to %s ([%s] min_microversion, max_microversion;'
                ' set max_microversion = latest where the cloud has it): %s'
                % (service, needed, group.min_microversion,
                   group.max_microversion, service, exc))

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
        cls.reads = reads.CloudReads(cls.admin_conn, cls.placement)
        cls.waits = waits.Waits(cls.reads, cls.conn)

    @classmethod
    def resource_setup(cls):
        super().resource_setup()
        opts = CONF.resize_fail
        configured = {'source_host': opts.source_host,
                      'destination_host': opts.destination_host}
        # The project the primary's token is scoped to (pre-provisioned
        # credentials may name it without its id): the primary
        # authenticates here, beside the admin, before the test.
        _, cls.project_id = clients.side_by_side(
            cls.admin_conn.authorize, lambda: cls.conn.current_project_id)
        compute = cls.admin_conn.compute  # one proxy for both threads
        services, hypervisors = clients.side_by_side(
            lambda: list(compute.services(binary=hosts.COMPUTE_BINARY)),
            lambda: list(compute.hypervisors(
                details=True, microversion=hosts.HYPERVISORS_MICROVERSION)))
        hosts.check_compute_hosts(services, configured)
        cls.source_rp, cls.destination_rp = clients.side_by_side(
            lambda: hosts.provider_for_host(
                hypervisors, opts.source_host, 'source_host', cls.placement),
            lambda: hosts.provider_for_host(
                hypervisors, opts.destination_host, 'destination_host',
                cls.placement))
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

    def addCleanup(self, function, *args, **kwargs):
        """As testtools', but a side_by_side call's cleanups are its own."""
        cleanups = _CALL_CLEANUPS.get()
        if cleanups is None:
            return super().addCleanup(function, *args, **kwargs)
        cleanups.append(functools.partial(function, *args, **kwargs))

    def side_by_side(self, *calls):
        """clients.side_by_side for calls that register cleanups.

        Each call's cleanups are undone in their own reverse order, beside
        the other calls' (one cleanup of this test, registered before the
        calls run).
        :returns: the calls' results, in order.
        """
        per_call = [[] for _ in calls]
        self.addCleanup(clients.side_by_side, *[
            functools.partial(_undo, cleanups) for cleanups in per_call])

        def with_own_cleanups(call, cleanups):
            _CALL_CLEANUPS.set(cleanups)
            return call()

        return clients.side_by_side(*[
            functools.partial(with_own_cleanups, call, cleanups)
            for call, cleanups in zip(calls, per_call)])

    # Pinning: traits and flavors, each undone by a cleanup registered
    # before the change, so that a half-done change is undone too.

    def new_trait(self, role):
        """The name of a custom trait unique to this test (not created)."""
        return 'CUSTOM_RESIZE_FAIL_%s_%s' % (
            role, uuidutils.generate_uuid(dashed=False).upper())

    def create_trait(self, trait):
        """Create ``trait`` in placement, on no provider yet."""
        self.addCleanup(self.placement.delete_trait, trait)
        self.placement.create_trait(trait)

    def set_trait(self, provider, trait):
        """Set ``trait`` on ``provider``; every other trait stays."""
        self.addCleanup(self.placement.remove_provider_trait, provider, trait)
        self.placement.add_provider_trait(provider, trait)

    def pin_trait(self, provider, trait):
        """Create ``trait`` and set it on ``provider`` only."""
        self.create_trait(trait)
        self.set_trait(provider, trait)

    def move_trait(self, trait, from_provider, to_provider):
        """Move ``trait`` so that only ``to_provider`` has it."""
        self.set_trait(to_provider, trait)
        self.placement.remove_provider_trait(from_provider, trait)

    def create_flavor(self, label, sizes, trait=None, canary=True,
                      access=True):
        """A private flavor requiring ``trait`` and the canary trait.

        ``canary``: require [resize_fail] canary_trait, when it is set.
        ``access``: granted to the primary project.
        """
        compute = self.admin_conn.compute
        flavor = compute.create_flavor(
            name=data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                      name='resize-fail-%s' % label),
            is_public=False, **sizes)
        self.addCleanup(compute.delete_flavor, flavor, ignore_missing=True)
        required = [t for t in (
            trait, canary and CONF.resize_fail.canary_trait) if t]
        if required:
            compute.create_flavor_extra_specs(
                flavor, {'trait:%s' % t: 'required' for t in required})
        if access:
            compute.flavor_add_tenant_access(flavor, self.project_id)
        return flavor

    def pinned_flavor(self, label, sizes, provider, role):
        """A flavor whose servers only ``provider`` can take.

        It requires a trait unique to this test, set on ``provider`` only;
        the flavor and the trait are made side by side (nova accepts an
        extra spec naming a trait placement does not have yet).
        :returns: the flavor and its trait.
        """
        trait = self.new_trait(role)
        flavor, _ = self.side_by_side(
            lambda: self.create_flavor(label, sizes, trait),
            lambda: self.pin_trait(provider, trait))
        return flavor, trait

    def pin_resize(self, scene):
        """The old and the new flavor, each pinned by a trait of its own.

        The old one pins the boot to the scene's source, the new one the
        resize to its destination. All four are made side by side.
        """
        old_trait, new_trait = self.new_trait('OLD'), self.new_trait('NEW')
        old_flavor, new_flavor, _, _ = self.side_by_side(
            lambda: self.create_flavor('old', OLD_FLAVOR, old_trait),
            lambda: self.create_flavor('new', NEW_FLAVOR, new_trait),
            lambda: self.pin_trait(scene.source_rp, old_trait),
            lambda: self.pin_trait(scene.destination_rp, new_trait))
        return old_flavor, new_flavor

    def create_image(self):
        """A tiny image of the primary user's own; deleted at cleanup.

        For a test that needs an image other than compute.image_ref
        (compute.image_ref_alt may be the same image).
        """
        image = self.conn.image.create_image(
            data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                 name='resize-fail'),
            data=b'resize-tempest-plugin', disk_format='raw',
            container_format='bare')
        self.addCleanup(self.conn.image.delete_image, image,
                        ignore_missing=True)
        return image

    # Steps -----------------------------------------------------------------

    def boot_server(self, flavor):
        """Boot as the primary user, without network; delete at cleanup."""
        server = self.conn.compute.create_server(
            name=data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                      name='resize-fail'),
            flavor_id=flavor.id, image_id=CONF.compute.image_ref,
            networks='none')
        # Cleanups run last in, first out: delete, then wait until gone.
        self.addCleanup(self.waits.server_gone, server.id)
        self.addCleanup(self.conn.compute.delete_server, server.id,
                        ignore_missing=True)
        return server

    def boot_on_source(self, scene, flavor):
        """Boot, wait for ACTIVE on the source, check its allocations."""
        server = self.boot_server(flavor)
        scene = scene._replace(server_id=server.id)
        server = self.waits.server_status(scene, 'ACTIVE')
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
        migration = self.waits.migration_status(scene, migration_status)
        scene = scene._replace(migration_id=migration.uuid)
        return scene, self.waits.server_status(scene, server_status)

    def finish_move(self, scene, migration_status, host, why, after):
        """Wait for the move to end ACTIVE on ``host``, its migration freed.

        The migration's allocations must be given back within
        waits.SETTLE_TIMEOUT.
        :returns: the scene with its migration.
        """
        scene, server = self.wait_for_move(scene, migration_status, 'ACTIVE')
        self.check_host(scene, server, host, why)
        self.waits.allocations_released(scene, ('migration',), after,
                                        timeout=waits.SETTLE_TIMEOUT)
        return scene

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

    def resize_and_fail_on_destination(self):
        """Boot on the source, resize to the destination, where it fails.

        Checks the failure and placement after it (bug 1825537).
        :returns: the scene, with its server and migration.
        """
        scene = self.scene('resize', OLD_FLAVOR, NEW_FLAVOR)
        old_flavor, new_flavor = self.pin_resize(scene)
        scene = self.boot_on_source(scene, old_flavor)
        self.conn.compute.resize_server(scene.server_id, new_flavor.id)
        scene = self.wait_for_failure_on_destination(scene)
        self.check_placement(scene, verdicts.judge_after_failure)
        return scene

    def resize_to_working_host(self):
        """Boot on the destination, resize to the source: VERIFY_RESIZE.

        The source's finish_migration works. Checks that the server holds
        the new flavor on the source and the migration the old flavor on
        the destination.
        :returns: the scene, whose source is the destination host.
        """
        scene = self.scene('resize', OLD_FLAVOR, NEW_FLAVOR, reverse=True,
                           driver=None)
        old_flavor, new_flavor = self.pin_resize(scene)
        scene = self.boot_on_source(scene, old_flavor)
        self.conn.compute.resize_server(scene.server_id, new_flavor.id)
        scene, server = self.wait_for_move(scene, 'finished',
                                           'VERIFY_RESIZE')
        self.check_host(scene, server, scene.destination_host,
                        'the new flavor requires a trait set only there')
        self.check_placement(scene, verdicts.judge_verify_resize)
        return scene

    def delete_server(self, scene):
        """Delete as the primary user; nothing may remain in placement."""
        self.conn.compute.delete_server(scene.server_id, ignore_missing=True)
        self.waits.server_gone(scene.server_id)
        # Nova deletes the allocations just after the server disappears
        # from the API: wait for them (bounded) rather than read once.
        self.waits.allocations_released(scene, ('server', 'migration'),
                                        'the server was deleted')

    # Checks ----------------------------------------------------------------

    def fail_with_evidence(self, message, scene):
        self.fail('%s\n%s' % (message, self.reads.evidence(scene)))

    def check_verdict(self, scene, verdict):
        """Fail with ``verdict`` and the evidence, if there is a verdict."""
        if verdict:
            self.fail_with_evidence(verdict, scene)

    def check_placement(self, scene, judge):
        """Fail with ``judge``'s verdict on placement, if it has one."""
        self.check_verdict(scene, judge(scene, self.reads.snapshot(scene)))

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


def _undo(cleanups):
    """Run ``cleanups`` last first, each whatever the others do.

    The first error is raised once all have run; the others are logged.
    """
    errors = []
    for cleanup in reversed(cleanups):
        try:
            cleanup()
        except Exception as exc:
            LOG.exception('Cleanup %r failed', cleanup)
            errors.append(exc)
    if errors:
        raise errors[0]
