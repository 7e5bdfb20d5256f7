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

"""What every service's configuration shares: where each listens, the
region, the service users and the catalog, and how the files are written
(INI, private). Each service's own options are in its
``localcloud/lib/<service>.py``.
"""

import os

from localcloud import layout

LOOPBACK = layout.LOOPBACK
PORTS = layout.PORTS
REGION = 'RegionOne'
# The service users keystone gets, one per service, as devstack makes them.
SERVICE_USERS = ('nova', 'placement', 'glance', 'neutron')
# tempest's pre-provisioned credentials, as an operator gives them: each
# account a user in a project of its own, with one role. Two of each, for
# tempest's two workers (each test class holds one of each while it runs).
TEST_ACCOUNTS = (
    ('resize-fail-member-1', 'member'),
    ('resize-fail-member-2', 'member'),
    ('resize-fail-admin-1', 'admin'),
    ('resize-fail-admin-2', 'admin'),
)


def url(service, path=''):
    return 'http://%s:%d%s' % (LOOPBACK, PORTS[service], path)


def endpoints():
    """The catalog: service type -> (service name, public URL)."""
    return {
        'identity': ('keystone', url('keystone', '/v3')),
        'placement': ('placement', url('placement')),
        'image': ('glance', url('glance')),
        'network': ('neutron', url('neutron')),
        'compute': ('nova', url('nova-api', '/v2.1')),
    }


def render_ini(sections):
    """INI text; an option whose value is None is written bare (my.cnf)."""
    lines = []
    for section, options in sections.items():
        if not options:
            continue
        lines.append('[%s]' % section)
        for option, value in options.items():
            lines.append(option if value is None
                         else '%s = %s' % (option, value))
        lines.append('')
    return '\n'.join(lines)


def write_private(path, text):
    """Write a file that may hold secrets: 0600 from its creation on.

    Written beside and renamed into place, so that a reader never sees it
    half written.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = '%s.%d.partial' % (path, os.getpid())
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as out:
        out.write(text)
    os.replace(partial, path)


def write_ini(path, sections):
    write_private(path, render_ini(sections))


def clouds_yaml(secrets):
    """clouds.yaml for openstacksdk and the openstack client: the admin."""
    return '\n'.join([
        'clouds:',
        '  localcloud-admin:',
        '    region_name: %s' % REGION,
        '    identity_api_version: 3',
        '    auth:',
        '      auth_url: %s' % url('keystone', '/v3'),
        '      username: admin',
        '      password: %s' % secrets['admin'],
        '      project_name: admin',
        '      user_domain_name: Default',
        '      project_domain_name: Default',
        '',
    ])
