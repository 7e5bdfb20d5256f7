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

"""What every service's process shares: its definition (each service's
own are in its ``localcloud/lib/<service>.py``), how an API is served,
the order ``down`` stops them in, and supervisord's configuration.
Rendering only; :mod:`localcloud.supervision` runs them.
"""

import dataclasses
import os

from localcloud import configs
from localcloud import errors
from localcloud import layout

# What the others depend on, in start order; down stops them last, in
# reverse, after everything else.
INFRASTRUCTURE = ('mariadb', 'epmd', 'rabbitmq')

# How a service's health is judged (see localcloud.processes); nova's
# services have kinds of their own (localcloud.lib.nova).
TCP = 'tcp'              # its port accepts a connection
HTTP = 'http'            # its health_path answers below 500


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


def api(paths, name, module, config_dir_variable, health_path,
        pythonpath=layout.REPO_ROOT):
    """An API served by :mod:`localcloud.wsgi` on its loopback port.

    ``config_dir_variable`` points it to its directory in ``paths.etc``;
    ``health_path`` answers without a token when it is up.
    """
    config_dir = os.path.join(paths.etc, name.split('-')[0])
    return Service(
        name, (paths.venv_python, '-m', 'localcloud.wsgi', module,
               str(layout.PORTS[name])),
        env=((config_dir_variable, config_dir), ('PYTHONPATH', pythonpath)),
        port=layout.PORTS[name], health=HTTP, start_timeout=90,
        health_path=health_path)


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
