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

"""The cloud's processes and supervisord's configuration for them."""

import configparser
import os
import shlex
import sys
import urllib.parse

import fixtures

from localcloud import configs
from localcloud import layout
from localcloud import nova_one_process
from localcloud import services
from localcloud import stack
from localcloud.tests import base
from localcloud import wsgi

ORDER = ['mariadb', 'epmd', 'rabbitmq', 'keystone', 'placement', 'glance',
         'neutron', 'nova-api', 'nova-conductor', 'nova-scheduler',
         'nova-compute-host1', 'nova-compute-host2']
WSGI_MODULES = {
    'keystone': 'keystone.wsgi.api',
    'placement': 'placement.wsgi.api',
    'glance': 'glance.wsgi.api',
    'neutron': 'neutron.wsgi.api',
    'nova-api': 'nova.wsgi.osapi_compute',
}


class ServicesTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.services = stack.build_services(self.paths, base.COMPUTE_HOSTS)
        self.by_name = {s.name: s for s in self.services}


class BuildTest(ServicesTestCase):

    def test_every_service_in_order_with_unique_names(self):
        names = [s.name for s in self.services]
        self.assertEqual(ORDER, names)
        self.assertEqual(len(names), len(set(names)))

    def test_apis_served_by_localcloud_wsgi_on_loopback(self):
        apis = [s for s in self.services if s.health == services.HTTP]
        self.assertEqual(sorted(WSGI_MODULES), sorted(s.name for s in apis))
        catalog = {name: urllib.parse.urlsplit(url).port
                   for name, url in configs.endpoints().values()}
        for api in apis:
            self.assertEqual(
                (self.paths.venv_python, '-m', 'localcloud.wsgi',
                 WSGI_MODULES[api.name]), api.command[:4])
            # Its command, run: waitress serves where the health check
            # probes and the catalog points.
            self.assertEqual(('127.0.0.1', api.port), self.served_at(api))
            self.assertEqual(catalog[api.name.split('-')[0]], api.port)
            env = dict(api.env)
            self.assertEqual(layout.REPO_ROOT, env['PYTHONPATH'])
            config_dir = 'OS_%s_CONFIG_DIR' % api.name.split('-')[0].upper()
            self.assertEqual(
                os.path.join(self.paths.etc, api.name.split('-')[0]),
                env[config_dir])

    def served_at(self, api):
        """(host, port) that localcloud.wsgi serves on, given api.command."""
        serve = self.useFixture(fixtures.MockPatchObject(
            wsgi.waitress, 'serve')).mock
        self.useFixture(fixtures.MockPatchObject(wsgi, 'application'))
        self.useFixture(fixtures.MockPatchObject(
            sys, 'argv', ['wsgi.py'] + list(api.command[3:])))
        wsgi.main()
        kwargs = serve.call_args.kwargs
        return kwargs['host'], kwargs['port']

    def test_each_compute_reads_nova_conf_then_its_own(self):
        nova_conf = os.path.join(self.paths.etc, 'nova', 'nova.conf')
        for host, _driver in base.COMPUTE_HOSTS:
            compute = self.by_name['nova-compute-' + host]
            self.assertEqual(host, compute.compute_host)
            self.assertEqual(
                (self.paths.venv_python, '-m', 'localcloud.nova_one_process',
                 'nova-compute', '--config-file', nova_conf,
                 '--config-file',
                 os.path.join(self.paths.etc, 'nova', host + '.conf')),
                compute.command)
            # Its node uuid is pinned from its host's name.
            self.assertEqual(host, dict(compute.env)[
                nova_one_process.COMPUTE_HOST])
        for name in ('nova-conductor', 'nova-scheduler'):
            # nova.conf alone: no compute host's file.
            command = self.by_name[name].command
            self.assertEqual(('--config-file', nova_conf), command[-2:])
            self.assertEqual(1, command.count('--config-file'))

    def test_rabbitmq_and_epmd_stay_on_loopback(self):
        env = dict(self.by_name['rabbitmq'].env)
        self.assertEqual('127.0.0.1', env['ERL_EPMD_ADDRESS'])
        self.assertEqual(str(layout.PORTS['epmd']), env['ERL_EPMD_PORT'])
        self.assertEqual(str(layout.PORTS['rabbitmq-dist']),
                         env['RABBITMQ_DIST_PORT'])
        self.assertIn('inet_dist_use_interface {127,0,0,1}',
                      env['RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS'])
        epmd = self.by_name['epmd'].command
        self.assertEqual('127.0.0.1', epmd[epmd.index('-address') + 1])
        self.assertEqual(str(layout.PORTS['epmd']),
                         epmd[epmd.index('-port') + 1])

    def test_ports_are_distinct(self):
        ports = [s.port for s in self.services if s.port]
        self.assertEqual(len(ports), len(set(ports)))


class SupervisordConfTest(ServicesTestCase):

    def render(self, programs=None):
        text = services.supervisord_conf(self.paths,
                                         programs or self.services)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        return parser

    def programs(self, parser):
        return {name.split(':', 1)[1]: parser[name]
                for name in parser.sections()
                if name.startswith('program:')}

    def test_private_unix_socket_only(self):
        parser = self.render()
        self.assertEqual(self.paths.supervisor_socket,
                         parser['unix_http_server']['file'])
        self.assertEqual('0700', parser['unix_http_server']['chmod'])
        self.assertNotIn('inet_http_server', parser)
        self.assertEqual('unix://' + self.paths.supervisor_socket,
                         parser['supervisorctl']['serverurl'])

    def test_programs_start_on_demand_and_log_to_their_own_file(self):
        programs = self.programs(self.render())
        self.assertEqual(set(ORDER), set(programs))
        logs = set()
        for name, program in programs.items():
            self.assertEqual('false', program['autostart'], name)
            self.assertEqual('false', program['autorestart'], name)
            self.assertEqual('true', program['redirect_stderr'], name)
            logfile = program['stdout_logfile']
            self.assertEqual(self.paths.log(name), logfile)
            self.assertEqual(self.paths.logs, os.path.dirname(logfile))
            logs.add(logfile)
        self.assertEqual(len(programs), len(logs))

    def test_commands_survive_shlex(self):
        wanted = self.services + [base.AWKWARD]
        programs = self.programs(self.render(wanted))
        for service in wanted:
            self.assertEqual(list(service.command),
                             shlex.split(programs[service.name]['command']),
                             service.name)
