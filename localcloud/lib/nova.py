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

"""nova, as devstack's lib/nova: the API, conductor and scheduler of one
controller, cell0 and cell1, and a nova-compute per compute host of
cloud_shape.ini. Here is what starts and restarts nova's services; the
order of ``up`` is :mod:`localcloud.stack`'s.
"""

import os
import shutil

from localcloud import configs
from localcloud import nova_one_process
from localcloud import nova_tree
from localcloud import overrides as overrides_mod
from localcloud import services

# Started once nova's databases, RabbitMQ and the service users exist.
CONTROL_SERVICES = ('nova-api', 'nova-conductor', 'nova-scheduler')


def _manage(cloud):
    return (cloud.paths.bin('nova-manage'), '--config-file',
            os.path.join(cloud.paths.etc, 'nova', 'nova.conf'))


def _nova_manage(cloud, step, *args, **kwargs):
    """``nova-manage ARGS`` once per cloud, with the services' nova.

    So that a source tree's own migrations are the ones applied.
    """
    env = {'PYTHONPATH': services.nova_pythonpath(cloud.nova_path)}
    cloud.once(step, *_manage(cloud), *args, env=env, **kwargs)


def prepare(cloud):
    """Build the nova the services import, before any of them starts.

    With patches, that is an overlay in the state directory.
    """
    nova_tree.prepare(cloud.nova_choice, cloud.paths.venv, cloud.paths.state)


def configure(cloud):
    """nova.conf, its api-paste.ini, each compute's own file and node."""
    etc = os.path.join(cloud.paths.etc, 'nova')
    configs.write_ini(os.path.join(etc, 'nova.conf'), configs.nova_conf(
        cloud.paths, cloud.state.secrets, cloud.nova_overrides))
    shutil.copy(os.path.join(cloud.paths.venv, 'etc', 'nova',
                             'api-paste.ini'),
                os.path.join(etc, 'api-paste.ini'))
    for host, driver in cloud.compute_hosts:
        configs.write_ini(os.path.join(etc, host + '.conf'),
                          configs.compute_conf(cloud.paths, host, driver,
                                               cloud.nova_overrides))
        _write_node_identity(cloud.paths, host)


def _write_node_identity(paths, host):
    """The compute_id file in the host's state_path, as nova keeps it.

    nova refuses to start a compute whose service record exists without
    one; it holds the node uuid the compute is pinned to
    (:mod:`localcloud.nova_one_process`).
    """
    path = paths.path('nova', host, 'compute_id')
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        configs.write_private(path, nova_one_process.stable_node_uuid(host))


def init_api_database(cloud):
    _nova_manage(cloud, 'nova-api-db', 'api_db', 'sync')


def map_cell0(cloud):
    # Without --database_connection (a URL with the password, on a command
    # line), nova derives cell0's from [database].
    _nova_manage(cloud, 'nova-cell0', 'cell_v2', 'map_cell0')


def init_databases(cloud):
    # Syncs [database] (cell1's) and, through its mapping, cell0.
    _nova_manage(cloud, 'nova-db', 'db', 'sync')


def create_cell1(cloud):
    _nova_manage(cloud, 'nova-cell1', 'cell_v2', 'create_cell', '--name',
                 'cell1')


def services_to_restart(cloud, record):
    """The nova services whose code or options differ from ``record``'s.

    Every one for another nova or a global --nova-conf; one compute for its
    own --nova-conf.
    """
    everything = services.nova_services(cloud.services)
    if record.get('nova') != cloud.nova_choice.as_record():
        return everything
    hosts = [host for host, _driver in cloud.compute_hosts]
    before = [overrides_mod.parse_nova_override(text, hosts)
              for text in record.get('nova_conf', [])]

    def for_host(overrides, host):
        return [o for o in overrides if o.host == host]

    if for_host(before, None) != for_host(cloud.nova_overrides, None):
        return everything
    return [services.compute_service(host) for host in hosts
            if for_host(before, host) != for_host(cloud.nova_overrides,
                                                  host)]


def discover_hosts(cloud):
    """Map the computes into cell1, once.

    A restarted compute keeps its node uuid, so its mapping holds.
    """
    _nova_manage(cloud, 'nova-discover-hosts', 'cell_v2', 'discover_hosts')
