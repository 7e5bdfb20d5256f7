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

"""tempest, as devstack's lib/tempest: a workspace whose tempest.conf
names this cloud, its flavors and its image.
"""

import os

from localcloud import configs
from localcloud import provision


def options(paths, secrets, shape, tempest_options, flavor_ids, image_id):
    """A complete tempest.conf for this cloud, the plugin's options included.

    ``shape``/``tempest_options``: cloud_shape.ini's [compute] and [tempest].
    """
    sections = {
        'DEFAULT': {'log_file': paths.log('tempest')},
        'auth': {
            'admin_username': 'admin',
            'admin_password': secrets['admin'],
            'admin_project_name': 'admin',
            'admin_domain_name': 'Default',
            'use_dynamic_credentials': 'true',
            # neutron here has no agents: no router or network per test.
            'create_isolated_networks': 'false',
        },
        'identity': {
            'uri_v3': configs.url('keystone', '/v3'),
            'auth_version': 'v3',
            'region': configs.REGION,
        },
        'identity-feature-enabled': {'api_v2': 'false'},
        'compute': {
            'image_ref': image_id,
            'image_ref_alt': image_id,
            'flavor_ref': flavor_ids['localcloud.tiny'],
            'flavor_ref_alt': flavor_ids['localcloud.small'],
            'build_timeout': '60',
            'build_interval': '1',
        },
        'compute-feature-enabled': {
            'console_output': 'false',
            'vnc_console': 'false',
        },
        'image': {'build_timeout': '60', 'build_interval': '1'},
        'network-feature-enabled': {'ipv6': 'false'},
        'service_available': {
            'nova': 'true', 'glance': 'true', 'neutron': 'true',
            'cinder': 'false', 'swift': 'false',
        },
        'validation': {'run_validation': 'false'},
        'oslo_concurrency': {'lock_path': os.path.join(paths.workspace,
                                                       'locks')},
        'resize_fail': {
            'source_host': shape['source_host'],
            'destination_host': shape['destination_host'],
        },
    }
    for dotted, value in tempest_options.items():
        section, sep, option = dotted.partition('.')
        if sep:  # test_regex and the like are not tempest options
            sections.setdefault(section, {})[option] = value
    return sections


def write_workspace(cloud):
    """Needs nova's API (flavors), glance (image) and the catalog."""
    paths = cloud.paths
    flavor_ids, image_id = provision.flavors_and_image(cloud.conn)
    if not os.path.exists(os.path.join(paths.workspace, '.stestr.conf')):
        cloud.manage(paths.bin('tempest'), 'init', '--name', 'localcloud',
                     '--workspace-path',
                     paths.path('tempest-workspaces.yaml'), paths.workspace)
    configs.write_ini(paths.tempest_conf, options(
        paths, cloud.state.secrets, cloud.shape, cloud.tempest_options,
        flavor_ids, image_id))
