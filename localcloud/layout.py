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

"""Where everything lives and which loopback ports the cloud uses.

Standard library only: the bootstrap reads this before any venv exists.
"""

import configparser
import dataclasses
import os

from localcloud import dbcache

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONSTRAINTS = os.path.join(REPO_ROOT, 'constraints.txt')
CLOUD_SHAPE = os.path.join(REPO_ROOT, 'resize_tempest_plugin',
                           'cloud_shape.ini')
DEFAULT_HOME = os.path.join(REPO_ROOT, '.localcloud')

LOOPBACK = '127.0.0.1'
# The requests each API service's single process serves at once (waitress).
WSGI_THREADS = 4

# Ports far from the services' usual ones, so that a machine's own MariaDB,
# RabbitMQ or OpenStack is neither used nor disturbed. LOCALCLOUD_PORT_OFFSET
# shifts them all, so that two clouds (two checkouts, two novas) can run side
# by side, each with its own --home.
BASE_PORTS = {
    'mariadb': 23306,
    'epmd': 24369,
    'rabbitmq': 25682,
    'rabbitmq-dist': 25683,
    'keystone': 25000,
    'placement': 28778,
    'glance': 29292,
    'neutron': 29696,
    'nova-api': 28774,
}


# Linux hands out ports from 32768 up to clients: a listener there may find
# its port taken by some connection's end.
EPHEMERAL_PORTS_START = 32768
MAX_PORT_OFFSET = EPHEMERAL_PORTS_START - 1 - max(BASE_PORTS.values())


def _port_offset(text):
    try:
        offset = int(text or 0)
    except ValueError:
        offset = -1
    if not 0 <= offset <= MAX_PORT_OFFSET:
        raise SystemExit(
            'LOCALCLOUD_PORT_OFFSET=%r: expected a whole number from 0 to %d '
            '(0, the default, gives the ports in localcloud/layout.py; a '
            'larger offset would put a service among the ports Linux gives '
            'to clients, from %d).'
            % (text, MAX_PORT_OFFSET, EPHEMERAL_PORTS_START))
    return offset


PORT_OFFSET = _port_offset(os.environ.get('LOCALCLOUD_PORT_OFFSET'))
PORTS = {name: port + PORT_OFFSET for name, port in BASE_PORTS.items()}

# The Python packages the venv gets, each pinned by constraints.txt; the
# plugin itself is installed from the repository so tempest discovers it.
# pip too: uv makes venvs without it.
PYTHON_PACKAGES = (
    'nova', 'openstack-placement', 'keystone', 'glance', 'neutron',
    'tempest', 'openstacksdk', 'PyMySQL', 'waitress', 'supervisor', 'pip',
    # The operator's commands of doc/operator.rst, tried on this cloud.
    'python-openstackclient', 'osc-placement',
)
# The bug 1825537 scenario: what ``test`` runs unless told, and ``bench``
# times.
SCENARIO_TEST = ('resize_tempest_plugin.scenario.test_resize_fail.'
                 'ResizeFailOnDestinationTest')
DEBIAN_PACKAGES = ('mariadb-server', 'rabbitmq-server')
# The servers the cloud runs from those packages.
MARIADBD = '/usr/sbin/mariadbd'
RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
# Debian's python3 has neither pip nor ensurepip (venv's pip) without it.
DEBIAN_PYTHON_VENV = 'python3-venv'


def read_cloud_shape():
    """resize_tempest_plugin/cloud_shape.ini's sections, as two dicts.

    Returns ([compute], [tempest]): the hosts and their drivers, and the
    tempest options (with the test regex) the cloud's tempest.conf sets.
    """
    parser = configparser.ConfigParser(interpolation=None)
    with open(CLOUD_SHAPE) as shape:
        parser.read_file(shape)
    return dict(parser['compute']), dict(parser['tempest'])


@dataclasses.dataclass(frozen=True)
class Layout:
    """Paths of one cloud: a venv and a state directory.

    ``down --purge`` keeps the venv and removes the state directory
    (configuration, databases, logs, pids, secrets, workspace).
    """

    home: str
    state: str
    # The database cache; HOME/db-cache (dbcache.DIRECTORY) when empty.
    database_cache: str = ''

    @classmethod
    def from_args(cls, home=None, state_dir=None):
        home = os.path.abspath(home or DEFAULT_HOME)
        state = os.path.abspath(state_dir or os.path.join(home, 'state'))
        return cls(home=home, state=state)

    @property
    def venv(self):
        return os.path.join(self.home, 'venv')

    @property
    def venv_python(self):
        return os.path.join(self.venv, 'bin', 'python3')

    def bin(self, name):
        return os.path.join(self.venv, 'bin', name)

    @property
    def db_cache(self):
        return self.database_cache or os.path.join(self.home,
                                                   dbcache.DIRECTORY)

    def path(self, *parts):
        return os.path.join(self.state, *parts)

    @property
    def etc(self):
        return self.path('etc')

    @property
    def logs(self):
        return self.path('logs')

    @property
    def run(self):
        return self.path('run')

    @property
    def secrets(self):
        return self.path('secrets.json')

    @property
    def workspace(self):
        return self.path('workspace')

    @property
    def tempest_conf(self):
        return os.path.join(self.workspace, 'etc', 'tempest.conf')

    @property
    def accounts_tempest_conf(self):
        """tempest.conf with pre-provisioned credentials (accounts.yaml)."""
        return os.path.join(self.workspace, 'etc', 'tempest-accounts.conf')

    @property
    def accounts_yaml(self):
        return os.path.join(self.workspace, 'etc', 'accounts.yaml')

    @property
    def report_files(self):
        """The last run's report: its subunit stream, JUnit XML and HTML."""
        return tuple(self.path('tempest-report.' + suffix)
                     for suffix in ('subunit', 'xml', 'html'))

    @property
    def clouds_yaml(self):
        return self.path('clouds.yaml')

    @property
    def supervisor_conf(self):
        return os.path.join(self.etc, 'supervisord.conf')

    @property
    def supervisor_socket(self):
        return os.path.join(self.run, 'supervisor.sock')

    @property
    def supervisor_pidfile(self):
        return os.path.join(self.run, 'supervisord.pid')

    @property
    def cloud_record(self):
        """What ``up`` brought up (overrides, start times): JSON."""
        return self.path('cloud.json')

    def log(self, service):
        return os.path.join(self.logs, service + '.log')
