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

"""Every service's configuration: loopback only, overrides where they
belong, secrets only where needed, private files.
"""

import configparser
import os
import re
import urllib.parse

import yaml

from localcloud import configs
from localcloud import layout
from localcloud.lib import database
from localcloud.lib import glance
from localcloud.lib import keystone
from localcloud.lib import neutron
from localcloud.lib import nova
from localcloud.lib import placement
from localcloud.lib import rpc_backend
from localcloud.lib import tempest
from localcloud import overrides
from localcloud import provision
from localcloud import services
from localcloud import stack
from localcloud.tests import base

URL = re.compile(r'\b([a-z][a-z0-9+]*)://[^\s,"]+')
GLOBAL_DRIVER = overrides.NovaOverride('DEFAULT', 'compute_driver',
                                       'fake.SmallFakeDriver')
FLAVOR_IDS = {'localcloud.tiny': 'flavor-tiny', 'localcloud.small': 'f-s'}


def tempest_sections(paths, shape=base.SHAPE, options=base.TEMPEST_OPTIONS):
    return tempest.options(paths, base.SECRETS, shape, options,
                           FLAVOR_IDS, 'image-id')


class ConfigsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()

    def rendered(self):
        """{name: text} of every file the cloud writes from configs."""
        paths, secrets = self.paths, base.SECRETS
        ini = {
            'my.cnf': database.options(paths),
            'keystone.conf': keystone.options(paths, secrets),
            'placement.conf': placement.options(paths, secrets),
            'glance-api.conf': glance.options(paths, secrets),
            'neutron.conf': neutron.options(paths, secrets),
            'ml2_conf.ini': neutron.ml2_options(),
            'nova.conf': nova.options(paths, secrets),
            'tempest.conf': tempest_sections(paths),
            'tempest-accounts.conf': tempest.pre_provisioned(
                tempest_sections(paths), paths.accounts_yaml),
        }
        for host, driver in base.COMPUTE_HOSTS:
            ini[host + '.conf'] = nova.compute_options(paths, host, driver,
                                                       ())
        texts = {name: configs.render_ini(sections)
                 for name, sections in ini.items()}
        texts['rabbitmq.conf'] = rpc_backend.options(secrets)
        texts['clouds.yaml'] = configs.clouds_yaml(secrets)
        texts['accounts.yaml'] = tempest.accounts_yaml(secrets)
        texts['supervisord.conf'] = services.supervisord_conf(
            paths, stack.build_services(paths, base.COMPUTE_HOSTS))
        return texts


class LoopbackTest(ConfigsTestCase):

    def assertLoopback(self, address, port=None):
        parsed = urllib.parse.urlsplit(address)
        self.assertEqual('127.0.0.1', parsed.hostname, address)
        if port is not None:
            self.assertEqual(port, parsed.port, address)

    def test_endpoints(self):
        found = configs.endpoints()
        self.assertEqual(
            {'identity', 'placement', 'image', 'network', 'compute'},
            set(found))
        ports = {'keystone': 'keystone', 'placement': 'placement',
                 'glance': 'glance', 'neutron': 'neutron',
                 'nova': 'nova-api'}
        for name, public_url in found.values():
            self.assertLoopback(public_url, layout.PORTS[ports[name]])

    def test_db_and_transport_urls(self):
        db = database.db_url(base.SECRETS, 'nova')
        self.assertLoopback(db, layout.PORTS['mariadb'])
        self.assertTrue(db.startswith('mysql+pymysql://openstack:'))
        self.assertEqual('/nova', urllib.parse.urlsplit(db).path)
        self.assertLoopback(rpc_backend.transport_url(base.SECRETS),
                            layout.PORTS['rabbitmq'])

    def test_mariadb_and_rabbitmq_listen_on_loopback(self):
        mariadb = database.options(self.paths)['mariadbd']
        self.assertEqual('127.0.0.1', mariadb['bind-address'])
        self.assertEqual(str(layout.PORTS['mariadb']), mariadb['port'])
        self.assertIn('listeners.tcp.1 = 127.0.0.1:%d'
                      % layout.PORTS['rabbitmq'],
                      rpc_backend.options(base.SECRETS).splitlines())

    def test_every_url_in_every_file(self):
        checked = 0
        for text in self.rendered().values():
            for match in URL.finditer(text):
                if match.group(1) != 'unix':
                    self.assertLoopback(match.group(0))
                    checked += 1
        self.assertGreater(checked, 20)


class NovaTest(ConfigsTestCase):

    def test_nova_conf_takes_only_global_overrides(self):
        conf = nova.options(self.paths, base.SECRETS, [
            overrides.NovaOverride('DEFAULT', 'debug', 'true'),
            overrides.NovaOverride('DEFAULT', 'debug', 'host', 'host1'),
            overrides.NovaOverride('DEFAULT', 'compute_driver', 'x',
                                   'host2')])
        self.assertEqual('true', conf['DEFAULT']['debug'])
        self.assertNotIn('compute_driver', conf['DEFAULT'])
        self.assertEqual(nova.CONTROLLER_HOST, conf['DEFAULT']['host'])

    def test_compute_conf_own_host_driver_and_state(self):
        confs = {host: nova.compute_options(self.paths, host, driver, ())
                 for host, driver in base.COMPUTE_HOSTS}
        for host, driver in base.COMPUTE_HOSTS:
            default = confs[host]['DEFAULT']
            self.assertEqual(host, default['host'])
            self.assertEqual(driver, default['compute_driver'])
            self.assertEqual(self.paths.path('nova', host),
                             default['state_path'])
            self.assertTrue(default['instances_path'].startswith(
                default['state_path'] + os.sep))
        self.assertNotEqual(confs['host1']['DEFAULT']['state_path'],
                            confs['host2']['DEFAULT']['state_path'])

    def test_compute_conf_overrides(self):
        ours = [overrides.NovaOverride('DEFAULT', 'debug', 'true'),
                overrides.NovaOverride('DEFAULT', 'reserved_host_memory_mb',
                                       '7', 'host1'),
                overrides.NovaOverride('DEFAULT', 'reserved_host_memory_mb',
                                       '9', 'host2')]
        for host, driver in base.COMPUTE_HOSTS:
            default = nova.compute_options(self.paths, host, driver,
                                           ours)['DEFAULT']
            self.assertEqual('true', default['debug'])
            self.assertEqual({'host1': '7', 'host2': '9'}[host],
                             default['reserved_host_memory_mb'])

    def test_global_driver_override_beats_the_per_host_default(self):
        for host, driver in base.COMPUTE_HOSTS:
            default = nova.compute_options(self.paths, host, driver,
                                           [GLOBAL_DRIVER])['DEFAULT']
            self.assertEqual('fake.SmallFakeDriver',
                             default['compute_driver'])


class RenderTest(ConfigsTestCase):

    def test_render_ini(self):
        text = configs.render_ini({
            'mysqld': {'port': '1', 'skip-name-resolve': None},
            'empty': {},
            'b': {'url': 'http://127.0.0.1:1/?a=b'},
        })
        self.assertEqual('[mysqld]\nport = 1\nskip-name-resolve\n\n'
                         '[b]\nurl = http://127.0.0.1:1/?a=b\n', text)
        parser = configparser.ConfigParser(interpolation=None,
                                           allow_no_value=True)
        parser.read_string(text)
        self.assertEqual(['mysqld', 'b'], parser.sections())
        self.assertIsNone(parser['mysqld']['skip-name-resolve'])

    def test_write_private_is_0600_and_stays_so(self):
        path = os.path.join(self.paths.etc, 'sub', 'secret.conf')
        configs.write_private(path, 'a long first version\n')
        self.assertEqual(0o600, base.mode(path))
        configs.write_private(path, 'second\n')
        self.assertEqual(0o600, base.mode(path))
        with open(path) as f:
            self.assertEqual('second\n', f.read())

    def test_write_private_tightens_an_existing_file(self):
        path = os.path.join(self.paths.state, 'was-public')
        os.makedirs(self.paths.state)
        with open(path, 'w') as f:
            f.write('x')
        os.chmod(path, 0o644)
        configs.write_ini(path, {'s': {'o': 'v'}})
        self.assertEqual(0o600, base.mode(path))


class TempestTest(ConfigsTestCase):

    def test_resize_fail_hosts_come_from_the_shape(self):
        shape = dict(base.SHAPE, source_host='alpha', destination_host='beta')
        sections = tempest_sections(self.paths, shape=shape)
        hosts = {key: sections['resize_fail'][key]
                 for key in ('source_host', 'destination_host')}
        self.assertEqual({'source_host': 'alpha', 'destination_host': 'beta'},
                         hosts)

    def test_dotted_options_land_in_their_sections(self):
        options = {key: value + '-changed'
                   for key, value in base.TEMPEST_OPTIONS.items()}
        sections = tempest_sections(self.paths, options=options)
        dotted = [key for key in options if '.' in key]
        self.assertIn('compute-feature-enabled.resize', dotted)
        for key in dotted:
            group, option = key.split('.', 1)
            self.assertEqual(options[key], sections[group][option], key)
        # Merged into the sections, not replacing them.
        self.assertEqual('flavor-tiny', sections['compute']['flavor_ref'])
        self.assertEqual('false',
                         sections['compute-feature-enabled']['vnc_console'])

    def test_non_dotted_options_are_not_tempest_options(self):
        self.assertIn('test_regex', base.TEMPEST_OPTIONS)
        sections = tempest_sections(self.paths, options=dict(
            base.TEMPEST_OPTIONS, **{'new-group.option': 'v'}))
        self.assertEqual({'option': 'v'}, sections['new-group'])
        self.assertNotIn('test_regex', sections)
        for options in sections.values():
            self.assertNotIn('test_regex', options)

    def test_the_canary_trait_comes_from_the_shape(self):
        sections = tempest_sections(self.paths)
        self.assertEqual(base.SHAPE['canary_trait'],
                         sections['resize_fail']['canary_trait'])

    def test_accounts_yaml_in_tempests_format(self):
        accounts = yaml.safe_load(tempest.accounts_yaml(base.SECRETS))
        self.assertEqual(len(configs.TEST_ACCOUNTS), len(accounts))
        for account, (name, role) in zip(accounts, configs.TEST_ACCOUNTS):
            self.assertEqual(name, account['username'])
            self.assertEqual(name, account['project_name'])
            self.assertEqual(base.SECRETS[name], account['password'])
            # tempest's preprov_creds: an admin by type, a member by role.
            self.assertEqual({'types': ['admin']} if role == 'admin'
                             else {'roles': [role]},
                             {key: account[key] for key in account
                              if key in ('types', 'roles')})
        roles = [role for _name, role in configs.TEST_ACCOUNTS]
        # One member and one admin for each of tempest's two workers.
        self.assertEqual(2, roles.count('admin'))
        self.assertEqual(2, roles.count('member'))

    def test_pre_provisioned_conf_has_no_admin_of_its_own(self):
        sections = tempest_sections(self.paths)
        accounts = tempest.pre_provisioned(sections, self.paths.accounts_yaml)
        self.assertEqual('false', accounts['auth']['use_dynamic_credentials'])
        self.assertEqual(self.paths.accounts_yaml,
                         accounts['auth']['test_accounts_file'])
        self.assertEqual([], [key for key in accounts['auth']
                              if key.startswith('admin_')])
        self.assertIn('admin_password', sections['auth'])
        self.assertEqual(sections['resize_fail'], accounts['resize_fail'])
        self.assertEqual(['--config-file', self.paths.accounts_tempest_conf],
                         tempest.pre_provisioned_args(self.paths))

    def test_flavors_are_provisioned_and_alt_is_bigger(self):
        compute = tempest_sections(self.paths)['compute']
        by_id = {v: k for k, v in FLAVOR_IDS.items()}
        tiny = provision.FLAVORS[by_id[compute['flavor_ref']]]
        alt = provision.FLAVORS[by_id[compute['flavor_ref_alt']]]
        self.assertEqual(set(FLAVOR_IDS), set(provision.FLAVORS))
        for small, big in zip(tiny, alt):
            self.assertLess(small, big)


class SecretsTest(ConfigsTestCase):

    # Which secrets each file needs; any other is a leak.
    NEEDED = {
        'my.cnf': set(),
        'keystone.conf': {'database'},
        'placement.conf': {'database', 'placement'},
        'glance-api.conf': {'database', 'glance'},
        'neutron.conf': {'database', 'rabbitmq', 'neutron'},
        'ml2_conf.ini': set(),
        'nova.conf': {'database', 'rabbitmq', 'nova', 'placement',
                      'neutron'},
        'host1.conf': set(),
        'host2.conf': set(),
        'tempest.conf': {'admin'},
        # tempest finds its admin in the accounts file, as an operator's.
        'tempest-accounts.conf': set(),
        'accounts.yaml': set(base.ACCOUNTS),
        'rabbitmq.conf': {'rabbitmq'},
        'clouds.yaml': {'admin'},
        'supervisord.conf': set(),
    }

    def test_secrets_only_where_needed(self):
        rendered = self.rendered()
        self.assertEqual(set(self.NEEDED), set(rendered))
        for name, text in rendered.items():
            found = {secret for secret, value in base.SECRETS.items()
                     if value in text}
            self.assertEqual(self.NEEDED[name], found, name)

    def test_clouds_yaml(self):
        clouds = yaml.safe_load(configs.clouds_yaml(base.SECRETS))['clouds']
        admin = clouds['localcloud-admin']
        self.assertEqual(configs.REGION, admin['region_name'])
        self.assertEqual(3, admin['identity_api_version'])
        self.assertEqual({
            'auth_url': configs.url('keystone', '/v3'),
            'username': 'admin',
            'password': base.SECRETS['admin'],
            'project_name': 'admin',
            'user_domain_name': 'Default',
            'project_domain_name': 'Default',
        }, admin['auth'])
