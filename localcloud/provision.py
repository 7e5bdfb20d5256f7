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

"""What a new cloud needs inside its APIs, made with openstacksdk: service
users and the catalog in keystone, the flavors and the image tempest.conf
names. Every step is idempotent, so ``up`` after a half-finished ``up``
completes what is missing.

openstacksdk is imported by the functions that call it: it takes about a
second to import, which ``down``, ``logs`` and ``status`` of a stopped cloud
need not wait for.
"""

import concurrent.futures

from localcloud import configs
from localcloud import layout

ADMIN = 'admin'
# Every placement call here: resource providers, their traits, allocations.
PLACEMENT_MICROVERSION = '1.20'
IMAGE_NAME = 'localcloud-tiny'
# The fake driver boots nothing: a few bytes are a whole image to it.
IMAGE_BYTES = b'localcloud: an image for nova fake virt drivers\n'
# name: (vcpus, ram MB, disk GB); what tempest.conf's flavor_ref(_alt) name.
FLAVORS = {
    'localcloud.tiny': (1, 128, 1),
    'localcloud.small': (2, 256, 2),
}


def admin_connection(secrets):
    from openstack import connection  # see the module's docstring
    return connection.Connection(
        auth_url=configs.url('keystone', '/v3'),
        username=ADMIN, password=secrets[ADMIN], project_name=ADMIN,
        user_domain_name='Default', project_domain_name='Default',
        region_name=configs.REGION, interface='public',
        identity_api_version='3', compute_api_version='2.53',
        placement_api_version=PLACEMENT_MICROVERSION)


def identity(conn, secrets):
    """The service users and the catalog.

    One user per service with the admin and service roles in project
    service, as devstack makes them (keystonemiddleware accepts a service
    token only from a user with the service role), and every service's
    catalog entry. Each user and each service is made beside the others,
    as many at once as keystone serves (it waits on its database and on
    each password's hash, not on a core).
    """
    project = (conn.identity.find_project('service', domain_id='default')
               or conn.identity.create_project(name='service',
                                               domain_id='default'))
    roles = [conn.identity.find_role('admin'),
             conn.identity.find_role('service')
             or conn.identity.create_role(name='service')]

    def service_user(name):
        user = conn.identity.find_user(name, domain_id='default')
        if user is None:
            user = conn.identity.create_user(
                name=name, password=secrets[name], domain_id='default',
                default_project_id=project.id)
        for role in roles:
            conn.identity.assign_project_role_to_user(project, user, role)

    def catalog_entry(service_type, name, public_url):
        service = _find_service(conn, service_type)
        if service is None:
            service = conn.identity.create_service(name=name,
                                                   type=service_type)
        have = {(e.interface, e.url) for e in
                conn.identity.endpoints(service_id=service.id)}
        for interface in ('public', 'internal', 'admin'):
            if (interface, public_url) not in have:
                conn.identity.create_endpoint(
                    service_id=service.id, interface=interface,
                    url=public_url, region_id=configs.REGION)

    with concurrent.futures.ThreadPoolExecutor(layout.WSGI_THREADS) as pool:
        made = [pool.submit(service_user, name)
                for name in configs.SERVICE_USERS] + [
            pool.submit(catalog_entry, service_type, name, public_url)
            for service_type, (name, public_url)
            in configs.endpoints().items()]
    for future in made:
        future.result()


def test_accounts(conn, secrets):
    """Make the pre-provisioned accounts that accounts.yaml lists.

    Each of configs.TEST_ACCOUNTS is a user with one role in a project of
    the same name, as an operator would make them for tempest.
    """
    for name, role_name in configs.TEST_ACCOUNTS:
        project = (conn.identity.find_project(name, domain_id='default')
                   or conn.identity.create_project(name=name,
                                                   domain_id='default'))
        user = (conn.identity.find_user(name, domain_id='default')
                or conn.identity.create_user(
                    name=name, password=secrets[name], domain_id='default',
                    default_project_id=project.id))
        conn.identity.assign_project_role_to_user(
            project, user, conn.identity.find_role(role_name))


def _find_service(conn, service_type):
    for service in conn.identity.services(type=service_type):
        return service
    return None


def flavors_and_image(conn):
    """Returns (flavor ids by name, image id)."""
    flavor_ids = {}
    for name, (vcpus, ram, disk) in FLAVORS.items():
        flavor = conn.compute.find_flavor(name, ignore_missing=True)
        if flavor is None:
            flavor = conn.compute.create_flavor(
                name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)
        flavor_ids[name] = flavor.id
    image = conn.image.find_image(IMAGE_NAME, ignore_missing=True)
    if image is not None and image.status != 'active':
        conn.image.delete_image(image)  # an upload that was interrupted
        image = None
    if image is None:
        image = conn.image.create_image(
            name=IMAGE_NAME, disk_format='raw', container_format='bare',
            visibility='public', data=IMAGE_BYTES)
    return flavor_ids, image.id


def isolate_canaries(conn, hosts, aggregate_name, trait):
    """Make ``hosts`` canaries that no other server can reach.

    The steps are doc/operator.rst's, as an operator takes them: the
    trait on each host's provider, the hosts in an aggregate whose
    metadata is ``trait:<trait>=required`` (nova-api mirrors the aggregate
    into placement as it adds each host), and the compute services
    enabled only then: nova.conf's enable_new_services = false keeps a
    new compute out of the scheduler's reach until it is isolated.
    """
    conn.placement.create_trait(trait)
    for host in hosts:
        _add_provider_trait(conn, host, trait)
    aggregate = (conn.compute.find_aggregate(aggregate_name)
                 or conn.compute.create_aggregate(name=aggregate_name))
    metadata = {'trait:%s' % trait: 'required'}
    if aggregate.metadata != metadata:
        aggregate = conn.compute.set_aggregate_metadata(aggregate, metadata)
    for host in hosts:
        if host not in (aggregate.hosts or []):
            aggregate = conn.compute.add_host_to_aggregate(aggregate, host)
    for service in conn.compute.services(binary='nova-compute'):
        if service.host in hosts and service.status == 'disabled':
            conn.compute.enable_service(service)


def _add_provider_trait(conn, host, trait, attempts=10):
    """Add ``trait`` to the provider named ``host``, keeping the others.

    The host's compute writes its provider's traits too: a write made
    with a stale generation (409) is read again and retried.
    """
    from openstack import exceptions  # see the module's docstring
    provider = conn.placement.find_resource_provider(host,
                                                     ignore_missing=False)
    for _attempt in range(attempts):
        current = conn.placement.get_resource_provider_trait(provider)
        if trait in current.traits:
            return
        try:
            conn.placement.set_resource_provider_trait(
                current, traits=sorted(set(current.traits) | {trait}),
                resource_provider_generation=(
                    current.resource_provider_generation))
            return
        except exceptions.ConflictException:
            continue
    raise RuntimeError(
        'the traits of resource provider %s changed under each of %d '
        'attempts to add %s' % (host, attempts, trait))


# The migration statuses that nova-manage placement audit counts as ended
# (nova/db/main/api.py, migration_get_in_progress_by_host_and_node).
MIGRATION_ENDED = ('confirmed', 'reverted', 'error', 'failed', 'completed',
                   'cancelled', 'done')
ORPHANED = 'owned by nothing (nova-manage placement audit: orphaned)'
# What to do about orphaned allocations, with nova's own tool.
AUDIT_ADVICE = (
    'nova-manage placement audit --verbose (in the venv, with the cloud\'s '
    'nova.conf) lists the allocations that nothing owns; with --delete it '
    'removes them. It checks who holds allocations, not how much: a '
    'server holding another flavor than the one it shows passes it.')


def allocation_owners(conn, host):
    """{consumer id: its owner} on ``host``, as nova's audit sees them.

    nova-manage placement audit counts an allocation on a compute's
    provider as owned when its consumer is a server on that host or a
    migration still in progress from or to it; the same is read here
    through the compute API.
    """
    owners = {server.id: 'owned by server %s on %s' % (server.name, host)
              for server in conn.compute.servers(all_projects=True,
                                                 compute_host=host)}
    owners.update(
        (migration.id,
         'owned by migration %s (%s)' % (migration.id, migration.status))
        for migration in conn.compute.migrations(host=host)
        if migration.status not in MIGRATION_ENDED)
    return owners


def leftovers(conn, canaries, canary_aggregate, canary_trait):
    """What tests left in the cloud: one sentence each, [] when clean.

    Anything beyond what ``up`` makes counts: servers, flavors, images,
    custom traits (in placement or on a provider) other than the canary's,
    host aggregates other than the canaries' (whose hosts and metadata
    must stay), allocations, projects, users, and a compute service left
    disabled or forced down.
    """
    found = ['server %s (%s, %s)' % (s.name, s.id, s.status)
             for s in conn.compute.servers(all_projects=True)]
    found += ['flavor %s (%s)' % (f.name, f.id)
              for f in conn.compute.flavors(is_public=None)
              if f.name not in FLAVORS]
    found += ['image %s (%s)' % (i.name, i.id) for i in conn.image.images()
              if i.name != IMAGE_NAME]
    for service in conn.compute.services(binary='nova-compute'):
        changed = [state for state, left in (
            ('disabled', service.status == 'disabled'),
            ('forced down', service.is_forced_down)) if left]
        if changed:
            found.append('compute service on %s %s'
                         % (service.host, ' and '.join(changed)))
    for aggregate in conn.compute.aggregates():
        if aggregate.name != canary_aggregate:
            found.append('host aggregate %s (%s)' % (aggregate.name,
                                                     aggregate.id))
            continue
        found += ['canary %s out of host aggregate %s' % (host,
                                                          aggregate.name)
                  for host in canaries if host not in aggregate.hosts]
        if aggregate.metadata != {'trait:%s' % canary_trait: 'required'}:
            found.append('host aggregate %s with metadata %s'
                         % (aggregate.name, aggregate.metadata))
    found += ['trait %s' % t.name
              for t in conn.placement.traits(name='startswith:CUSTOM_')
              if t.name != canary_trait]
    for rp in conn.placement.resource_providers():
        allocations = list(conn.placement.resource_provider_allocations(rp))
        owners = allocation_owners(conn, rp.name) if allocations else {}
        found += ['allocation of %s on %s, %s' % (
            a.consumer_id, rp.name, owners.get(a.consumer_id, ORPHANED))
            for a in allocations]
        found += ['trait %s on %s' % (t, rp.name) for t in
                  conn.placement.get_resource_provider_trait(rp).traits
                  if t.startswith('CUSTOM_') and t != canary_trait]
    accounts = tuple(name for name, _role in configs.TEST_ACCOUNTS)
    projects = list(conn.identity.projects())
    users = list(conn.identity.users())
    found += ['project %s' % p.name for p in projects
              if p.name not in (ADMIN, 'service') + accounts]
    found += ['user %s' % u.name for u in users
              if u.name not in (ADMIN,) + configs.SERVICE_USERS + accounts]
    # An account's project keeps one member: the account's own user.
    user_ids = {u.name: u.id for u in users}
    for project in projects:
        if project.name in accounts:
            found += ['role assignment in project %s of user %s' % (
                project.name, (assignment.user or {}).get('id'))
                for assignment in conn.identity.role_assignments(
                    scope_project_id=project.id)
                if (assignment.user or {}).get('id')
                != user_ids.get(project.name)]
    return found
