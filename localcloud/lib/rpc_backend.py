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

"""RabbitMQ and its epmd, as devstack's lib/rpc_backend."""

import os

from localcloud import configs
from localcloud import layout
from localcloud import services as services_mod


def transport_url(secrets):
    return 'rabbit://openstack:%s@%s:%d/' % (
        secrets['rabbitmq'], layout.LOOPBACK, layout.PORTS['rabbitmq'])


def options(secrets):
    return '\n'.join([
        'listeners.tcp.1 = %s:%d' % (layout.LOOPBACK,
                                     layout.PORTS['rabbitmq']),
        'default_user = openstack',
        'default_pass = %s' % secrets['rabbitmq'],
        'loopback_users = none',
        'log.file = false',
        'log.console = true',
        'log.console.level = warning',
        '',
    ])


def services(paths):
    rabbit = paths.path('rabbitmq')
    return [
        services_mod.Service(
            'epmd', ('/usr/bin/epmd', '-port', str(layout.PORTS['epmd']),
                     '-address', layout.LOOPBACK),
            port=layout.PORTS['epmd']),
        services_mod.Service('rabbitmq', (layout.RABBITMQ_SERVER,), env=(
            ('HOME', rabbit),
            ('RABBITMQ_MNESIA_BASE', os.path.join(rabbit, 'mnesia')),
            ('RABBITMQ_LOG_BASE', paths.logs),
            ('RABBITMQ_NODENAME', 'localcloud@localhost'),
            ('RABBITMQ_CONFIG_FILE', os.path.join(paths.etc,
                                                  'rabbitmq.conf')),
            ('RABBITMQ_ENABLED_PLUGINS_FILE',
             os.path.join(paths.etc, 'rabbitmq-plugins')),
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


def configure(cloud):
    etc = cloud.paths.etc
    configs.write_private(os.path.join(etc, 'rabbitmq.conf'),
                          options(cloud.state.secrets))
    configs.write_private(os.path.join(etc, 'rabbitmq-plugins'), '[].\n')
