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

"""neutron, as devstack's lib/neutron: the API alone, with ML2 and no
agents.
"""

import os

from localcloud import configs
from localcloud.lib import database
from localcloud.lib import keystone
from localcloud.lib import rpc_backend
from localcloud import services as services_mod


def _confs(cloud):
    etc = os.path.join(cloud.paths.etc, 'neutron')
    return (os.path.join(etc, 'neutron.conf'),
            os.path.join(etc, 'plugins', 'ml2', 'ml2_conf.ini'))


def options(paths, secrets):
    return {
        'DEFAULT': {
            'use_stderr': 'true',
            'core_plugin': 'ml2',
            'service_plugins': '',
            'auth_strategy': 'keystone',
            'transport_url': rpc_backend.transport_url(secrets),
            'api_paste_config': os.path.join(paths.venv, 'etc', 'neutron',
                                             'api-paste.ini'),
            # No agents and no nova notifications: the API alone answers
            # nova's port and security group queries.
            'notify_nova_on_port_status_changes': 'false',
            'notify_nova_on_port_data_changes': 'false',
            'api_workers': '1',
            'rpc_workers': '0',
            'graceful_shutdown_timeout': '5',
        },
        'database': {'connection': database.db_url(secrets, 'neutron')},
        'keystone_authtoken': keystone.auth_options(secrets, 'neutron'),
        'oslo_concurrency': {'lock_path': paths.path('neutron', 'locks')},
    }


def ml2_options():
    return {
        'ml2': {
            'type_drivers': 'flat',
            'tenant_network_types': '',
            'mechanism_drivers': '',
            'extension_drivers': 'port_security',
        },
    }


def services(paths):
    return [services_mod.api(paths, 'neutron', 'neutron.wsgi.api',
                             'OS_NEUTRON_CONFIG_DIR', health_path='/')]


def configure(cloud):
    neutron_conf, ml2_conf = _confs(cloud)
    configs.write_ini(neutron_conf, options(
        cloud.paths, cloud.state.secrets))
    configs.write_ini(ml2_conf, ml2_options())


def init(cloud):
    neutron_conf, ml2_conf = _confs(cloud)
    database.sync(cloud, 'neutron-db', ('neutron',),
                  cloud.paths.bin('neutron-db-manage'), '--config-file',
                  neutron_conf, '--config-file', ml2_conf, 'upgrade', 'heads')
