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

from localcloud import configs

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
    catalog entry.
    """
    project = (conn.identity.find_project('service', domain_id='default')
               or conn.identity.create_project(name='service',
                                               domain_id='default'))
    roles = [conn.identity.find_role('admin'),
             conn.identity.find_role('service')
             or conn.identity.create_role(name='service')]
    for name in configs.SERVICE_USERS:
        user = conn.identity.find_user(name, domain_id='default')
        if user is None:
            user = conn.identity.create_user(
                name=name, password=secrets[name], domain_id='default',
                default_project_id=project.id)
        for role in roles:
            conn.identity.assign_project_role_to_user(project, user, role)
    for service_type, (name, public_url) in configs.endpoints().items():
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


def leftovers(conn):
    """What tests left in the cloud: one sentence each, [] when clean.

    Anything beyond what ``up`` makes counts: servers, flavors, images,
    custom traits (in placement or on a provider), allocations, projects,
    users, and a compute service left disabled or forced down.
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
    found += ['trait %s' % t.name
              for t in conn.placement.traits(name='startswith:CUSTOM_')]
    for rp in conn.placement.resource_providers():
        found += ['allocation of %s on %s' % (a.consumer_id, rp.name)
                  for a in conn.placement.resource_provider_allocations(rp)]
        found += ['trait %s on %s' % (t, rp.name) for t in
                  conn.placement.get_resource_provider_trait(rp).traits
                  if t.startswith('CUSTOM_')]
    found += ['project %s' % p.name for p in conn.identity.projects()
              if p.name not in (ADMIN, 'service')]
    found += ['user %s' % u.name for u in conn.identity.users()
              if u.name not in (ADMIN,) + configs.SERVICE_USERS]
    return found
