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

"""The cloud's processes: what each runs, where it listens, how its health
is judged. Rendering only; :mod:`localcloud.supervision` runs them.
"""

import dataclasses
import os

from localcloud import configs
from localcloud import errors
from localcloud import layout
from localcloud import nova_one_process

# What each API answers without a token when it is up.
HEALTH_PATHS = {'keystone': '/v3', 'placement': '/', 'glance': '/',
                'neutron': '/', 'nova-api': '/'}
# What the others depend on, in start order; down stops them last, in
# reverse, after everything else.
INFRASTRUCTURE = ('mariadb', 'epmd', 'rabbitmq')

# How a service's health is judged (see localcloud.processes):
TCP = 'tcp'              # its port accepts a connection
HTTP = 'http'            # its health_path answers below 500
NOVA_SERVICE = 'nova'    # nova's API lists it up (conductor, scheduler)
COMPUTE = 'compute'      # nova lists it up and placement has its provider


@dataclasses.dataclass(frozen=True)
class Service:
    name: str
    command: tuple
    env: tuple = ()          # (name, value) pairs
    port: int = None         # the loopback port it listens on, if any
    health: str = TCP        # how its health is judged: one of the above
    start_timeout: int = 30  # seconds it may take to become healthy
    health_path: str = None  # HTTP: a path that answers < 500 when healthy
    compute_host: str = None


def _api(paths, name, module, config_env, pythonpath=layout.REPO_ROOT):
    """An API served by :mod:`localcloud.wsgi` on its loopback port."""
    return Service(
        name, (paths.venv_python, '-m', 'localcloud.wsgi', module,
               str(layout.PORTS[name])),
        env=(config_env, ('PYTHONPATH', pythonpath)),
        port=layout.PORTS[name], health=HTTP, start_timeout=90,
        health_path=HEALTH_PATHS[name])


def nova_pythonpath(nova_path):
    """The PYTHONPATH of nova's processes.

    ``nova_path`` first, if given (:mod:`localcloud.nova_tree`); localcloud's
    own modules always.
    """
    return ':'.join(p for p in (nova_path, layout.REPO_ROOT) if p)


def build(paths, compute_hosts, nova_path=None):
    """Every service, in start order.

    ``compute_hosts``: (host, driver); ``nova_path``: where nova's services
    import nova from, None for the venv's.
    """
    etc = paths.etc
    rabbit = paths.path('rabbitmq')
    services = [
        Service('mariadb', (layout.MARIADBD,
                            '--defaults-file=' + os.path.join(etc, 'my.cnf')),
                port=layout.PORTS['mariadb']),
        Service('epmd', ('/usr/bin/epmd', '-port', str(layout.PORTS['epmd']),
                         '-address', layout.LOOPBACK),
                port=layout.PORTS['epmd']),
        Service('rabbitmq', (layout.RABBITMQ_SERVER,), env=(
            ('HOME', rabbit),
            ('RABBITMQ_MNESIA_BASE', os.path.join(rabbit, 'mnesia')),
            ('RABBITMQ_LOG_BASE', paths.logs),
            ('RABBITMQ_NODENAME', 'localcloud@localhost'),
            ('RABBITMQ_CONFIG_FILE', os.path.join(etc, 'rabbitmq.conf')),
            ('RABBITMQ_ENABLED_PLUGINS_FILE',
             os.path.join(etc, 'rabbitmq-plugins')),
            ('RABBITMQ_PID_FILE', os.path.join(paths.run, 'rabbitmq.pid')),
            ('RABBITMQ_DIST_PORT', str(layout.PORTS['rabbitmq-dist'])),
            ('ERL_EPMD_ADDRESS', layout.LOOPBACK),
            ('ERL_EPMD_PORT', str(layout.PORTS['epmd'])),
            # Distribution on loopback; one scheduler that does not spin
            # while idle (a few queues need no more).
            ('RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS',
             '-kernel inet_dist_use_interface {127,0,0,1} '
             '+S 1:1 +A 4 +sbwt none +sbwtdcpu none +sbwtdio none'),
        ), port=layout.PORTS['rabbitmq'],
            # An Erlang VM's boot: 10 to 30 s on a busy two-core machine.
            start_timeout=60),
    ]
    for name, module, env in (
            ('keystone', 'keystone.wsgi.api', 'OS_KEYSTONE_CONFIG_DIR'),
            ('placement', 'placement.wsgi.api', 'OS_PLACEMENT_CONFIG_DIR'),
            ('glance', 'glance.wsgi.api', 'OS_GLANCE_CONFIG_DIR'),
            ('neutron', 'neutron.wsgi.api', 'OS_NEUTRON_CONFIG_DIR')):
        config_dir = os.path.join(etc, name.split('-')[0])
        services.append(_api(paths, name, module, (env, config_dir)))
    pythonpath = ('PYTHONPATH', nova_pythonpath(nova_path))
    services.append(_api(paths, 'nova-api', 'nova.wsgi.osapi_compute',
                         ('OS_NOVA_CONFIG_DIR', os.path.join(etc, 'nova')),
                         pythonpath[1]))
    nova_conf = os.path.join(etc, 'nova', 'nova.conf')
    for binary in ('nova-conductor', 'nova-scheduler'):
        # Judged through nova's API, which must be up (and reach RabbitMQ)
        # before their service record can say so: an API's time.
        services.append(Service(binary, (
            paths.venv_python, '-m', 'localcloud.nova_one_process', binary,
            '--config-file', nova_conf),
            env=(pythonpath,), health=NOVA_SERVICE, start_timeout=90))
    for host, _driver in compute_hosts:
        services.append(Service(compute_service(host), (
            paths.venv_python, '-m', 'localcloud.nova_one_process',
            'nova-compute', '--config-file', nova_conf,
            '--config-file', os.path.join(etc, 'nova', host + '.conf')),
            env=(pythonpath, (nova_one_process.COMPUTE_HOST, host)),
            health=COMPUTE, start_timeout=120, compute_host=host))
    return services


def nova_services(services):
    """The names of the services that run nova's code, in start order."""
    return [s.name for s in services
            if s.name == 'nova-api' or s.health in (NOVA_SERVICE, COMPUTE)]


def compute_service(host):
    """The name of the nova-compute service of ``host``."""
    return 'nova-compute-' + host


def stop_tiers(services):
    """The names of ``services`` in the groups ``down`` stops in turn.

    Dependents before what they depend on: the APIs and nova first (at
    once), then the infrastructure in reverse start order, so that RabbitMQ
    never outlives the epmd it registered with (it would start one of its
    own) and MariaDB goes last.
    """
    names = [s.name for s in services]
    return ([[n for n in names if n not in INFRASTRUCTURE]]
            + [[n] for n in reversed(INFRASTRUCTURE) if n in names])


def supervisord_conf(paths, services):
    """supervisord's configuration.

    A private instance on a unix socket (no TCP port); every program is
    started on demand by ``up``.
    """
    sections = {
        'unix_http_server': {'file': paths.supervisor_socket,
                             'chmod': '0700'},
        'supervisord': {
            # glibc gives each thread its own malloc arena; a few shared
            # ones keep the threaded services' memory down.
            'environment': 'MALLOC_ARENA_MAX="2"',
            'logfile': paths.log('supervisord'),
            'pidfile': paths.supervisor_pidfile,
            'childlogdir': paths.logs,
            'directory': paths.state,
            'minfds': '4096',
        },
        'rpcinterface:supervisor': {
            'supervisor.rpcinterface_factory':
                'supervisor.rpcinterface:make_main_rpcinterface'},
        'supervisorctl': {'serverurl': 'unix://' + paths.supervisor_socket},
    }
    for service in services:
        env = ','.join('%s="%s"' % (k, v) for k, v in service.env)
        program = {
            'command': ' '.join(_quote(part) for part in service.command),
            'autostart': 'false',
            # A crash is reported by status and repaired by the next up,
            # not hidden by a silent restart.
            'autorestart': 'false',
            'startsecs': '0',
            'stopasgroup': 'true',
            'killasgroup': 'true',
            'stopwaitsecs': '10',
            'redirect_stderr': 'true',
            'stdout_logfile': paths.log(service.name),
            'stdout_logfile_maxbytes': '50MB',
            'stdout_logfile_backups': '0',
            'directory': paths.state,
        }
        if env:
            program['environment'] = env
        sections['program:%s' % service.name] = program
    for options in sections.values():
        for option, value in options.items():
            options[option] = _supervisor_value(value)
    return configs.render_ini(sections)


def _supervisor_value(value):
    """A value that supervisord reads back unchanged, or CloudError.

    supervisord %-expands its values (some twice), and cuts a value at
    " ;" or " #" (an inline comment).
    """
    for mark in ('%', ' ;', ' #'):
        if mark in value:
            raise errors.CloudError(
                'supervisord cannot read %r back: it treats "%s" specially. '
                'Choose a --home or --state-dir without it.'
                % (value, mark.strip()))
    return value


def _quote(part):
    # supervisord splits its command line with shlex.
    if any(c in part for c in ' "\'(){}'):
        return "'%s'" % part.replace("'", "'\"'\"'")
    return part
