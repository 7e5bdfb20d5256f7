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
from localcloud import progress
from localcloud import provision
from localcloud import services

# Started once nova's databases, RabbitMQ and the service users exist.
CONTROL_SERVICES = ('nova-api', 'nova-conductor', 'nova-scheduler')


def _manage(cloud):
    return (cloud.paths.bin('nova-manage'), '--config-file',
            os.path.join(cloud.paths.etc, 'nova', 'nova.conf'))


def configure(cloud):
    """nova.conf, its api-paste.ini, and each compute host's own file."""
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


def init_api_database(cloud):
    cloud.once('nova-api-db', *_manage(cloud), 'api_db', 'sync')


def map_cell0(cloud):
    # Without --database_connection (a URL with the password, on a command
    # line), nova derives cell0's from [database].
    cloud.once('nova-cell0', *_manage(cloud), 'cell_v2', 'map_cell0')


def init_databases(cloud):
    # Syncs [database] (cell1's) and, through its mapping, cell0.
    cloud.once('nova-db', *_manage(cloud), 'db', 'sync')


def create_cell1(cloud):
    cloud.once('nova-cell1', *_manage(cloud), 'cell_v2', 'create_cell',
               '--name', 'cell1')


def stop_unhealthy_computes(cloud):
    """Stop each nova-compute that is not running healthy.

    Returns their hosts: those whose start must begin afresh.
    """
    hosts = []
    for host, _driver in cloud.compute_hosts:
        name = services.compute_service(host)
        if not cloud.processes.healthy(name):
            cloud.processes.stop(name)
            hosts.append(host)
    return hosts


def reset_computes(cloud):
    """Make the computes that are not running healthy ready to start."""
    _forget_computes(cloud, stop_unhealthy_computes(cloud))


def _forget_computes(cloud, hosts):
    """Let fake computes start again against the cloud's database.

    nova's fake drivers take a new node uuid at each start, so the service
    record of a previous run must go (with its compute node and resource
    provider). nova only soft-deletes it, and the resize API checks the
    liveness of the first record for the server's host, deleted or not:
    the deleted rows are archived too.
    """
    forgotten = [host for host in hosts
                 if provision.forget_compute(cloud.conn, host)]
    if forgotten:
        cloud.manage(*_manage(cloud), 'db', 'archive_deleted_rows',
                     '--until-complete',
                     success=(0, 1))  # 1: rows were archived
        progress.step('removed the service records of the previous run of '
                      '%s' % ', '.join(forgotten))


def discover_hosts(cloud):
    """Map the computes that registered into cell1."""
    cloud.manage(*_manage(cloud), 'cell_v2', 'discover_hosts')
