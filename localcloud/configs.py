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

"""Each service's configuration, rendered from the layout, the generated
secrets and the overrides. Pure functions: nothing here touches the disk
except :func:`write_ini`.
"""

import os

from localcloud import layout
from localcloud import overrides as overrides_mod

LOOPBACK = layout.LOOPBACK
PORTS = layout.PORTS
REGION = 'RegionOne'
CONTROLLER_HOST = 'controller'
# The service users keystone gets, one per service, as devstack makes them.
SERVICE_USERS = ('nova', 'placement', 'glance', 'neutron')
DATABASES = ('keystone', 'placement', 'glance', 'neutron', 'nova_api',
             'nova_cell0', 'nova')


def url(service, path=''):
    return 'http://%s:%d%s' % (LOOPBACK, PORTS[service], path)


def endpoints():
    """The catalog: service type -> (service name, public URL)."""
    return {
        'identity': ('keystone', url('keystone', '/v3')),
        'placement': ('placement', url('placement')),
        'image': ('glance', url('glance')),
        'network': ('neutron', url('neutron')),
        'compute': ('nova', url('nova-api', '/v2.1')),
    }


def db_url(secrets, database):
    return 'mysql+pymysql://openstack:%s@%s:%d/%s?charset=utf8' % (
        secrets['database'], LOOPBACK, PORTS['mariadb'], database)


def transport_url(secrets):
    return 'rabbit://openstack:%s@%s:%d/' % (
        secrets['rabbitmq'], LOOPBACK, PORTS['rabbitmq'])


def keystone_auth(secrets, user):
    """keystonemiddleware's and keystoneauth's options for a service user."""
    return {
        'www_authenticate_uri': url('keystone', '/v3'),
        'auth_url': url('keystone', '/v3'),
        'auth_type': 'password',
        'username': user,
        'password': secrets[user],
        'project_name': 'service',
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'region_name': REGION,
    }


def keystone_conf(paths, secrets):
    return {
        'DEFAULT': {'use_stderr': 'true'},
        'database': {'connection': db_url(secrets, 'keystone')},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {
            'key_repository': paths.path('keystone', 'fernet-keys')},
        'credential': {
            'key_repository': paths.path('keystone', 'credential-keys')},
        # bcrypt's lowest cost: every user and token check is cheaper. A
        # throwaway cloud on loopback, not a production setting.
        'identity': {'password_hash_rounds': '4'},
    }


def placement_conf(paths, secrets):
    return {
        'DEFAULT': {'use_stderr': 'true'},
        'placement_database': {'connection': db_url(secrets, 'placement')},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': keystone_auth(secrets, 'placement'),
    }


def glance_conf(paths, secrets):
    glance = paths.path('glance')
    return {
        'DEFAULT': {
            'use_stderr': 'true',
            'enabled_backends': 'local:file',
        },
        'database': {'connection': db_url(secrets, 'glance')},
        'glance_store': {'default_backend': 'local'},
        'local': {'filesystem_store_datadir': os.path.join(glance, 'images')},
        'os_glance_staging_store': {
            'filesystem_store_datadir': os.path.join(glance, 'staging')},
        'os_glance_tasks_store': {
            'filesystem_store_datadir': os.path.join(glance, 'tasks')},
        'keystone_authtoken': keystone_auth(secrets, 'glance'),
        'paste_deploy': {
            'flavor': 'keystone',
            'config_file': os.path.join(paths.venv, 'etc', 'glance',
                                        'glance-api-paste.ini')},
        'oslo_concurrency': {'lock_path': os.path.join(glance, 'locks')},
    }


def neutron_conf(paths, secrets):
    return {
        'DEFAULT': {
            'use_stderr': 'true',
            'core_plugin': 'ml2',
            'service_plugins': '',
            'auth_strategy': 'keystone',
            'transport_url': transport_url(secrets),
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
        'database': {'connection': db_url(secrets, 'neutron')},
        'keystone_authtoken': keystone_auth(secrets, 'neutron'),
        'oslo_concurrency': {'lock_path': paths.path('neutron', 'locks')},
    }


def ml2_conf():
    return {
        'ml2': {
            'type_drivers': 'flat',
            'tenant_network_types': '',
            'mechanism_drivers': '',
            'extension_drivers': 'port_security',
        },
    }


def nova_conf(paths, secrets, nova_overrides=()):
    """What every nova service reads, with the overrides for all of them.

    :func:`compute_conf` adds each compute's own.
    """
    nova = paths.path('nova')
    return overrides_mod.apply(nova_overrides, {
        'DEFAULT': {
            'use_stderr': 'true',
            'transport_url': transport_url(secrets),
            'my_ip': LOOPBACK,
            'host': CONTROLLER_HOST,
            'state_path': nova,
            'instances_path': os.path.join(nova, 'instances'),
            # oslo.service waits up to 60 s for a graceful stop by default;
            # a fake compute has nothing to finish, and restarts (prove,
            # restart) wait for its stop.
            'graceful_shutdown_timeout': '1',
        },
        'api': {'auth_strategy': 'keystone'},
        'wsgi': {'api_paste_config': os.path.join(paths.venv, 'etc', 'nova',
                                                  'api-paste.ini')},
        'api_database': {'connection': db_url(secrets, 'nova_api')},
        'database': {'connection': db_url(secrets, 'nova')},
        'keystone_authtoken': keystone_auth(secrets, 'nova'),
        'placement': keystone_auth(secrets, 'placement'),
        'neutron': keystone_auth(secrets, 'neutron'),
        # nova sends a service token beside the user's to the APIs it calls
        # (as devstack configures it); unconfigured, neutron rejects it.
        'service_user': dict(keystone_auth(secrets, 'nova'),
                             send_service_user_token='true'),
        'glance': {'region_name': REGION},
        # One worker each keeps the cloud lean, and a single process.
        'conductor': {'workers': '1'},
        'scheduler': {'workers': '1'},
        'oslo_concurrency': {'lock_path': os.path.join(nova, 'locks')},
        'oslo_messaging_notifications': {'driver': 'noop'},
        'vnc': {'enabled': 'false'},
    })


def compute_conf(paths, host, driver, nova_overrides):
    """The second config file of one nova-compute.

    Its host, its driver, its own state_path (each nova-compute needs one)
    and the overrides for that host.
    """
    state = paths.path('nova', host)
    sections = {'DEFAULT': {
        'host': host,
        'compute_driver': driver,
        'state_path': state,
        'instances_path': os.path.join(state, 'instances'),
    }}
    # Global overrides too: this file is read after nova.conf, so its own
    # compute_driver would otherwise win over a global one.
    return overrides_mod.apply(nova_overrides, sections, host=host)


def mariadb_conf(paths):
    return {
        'mariadbd': {
            'datadir': paths.path('mariadb', 'data'),
            'socket': os.path.join(paths.run, 'mariadb.sock'),
            'pid-file': os.path.join(paths.run, 'mariadb.pid'),
            'port': str(PORTS['mariadb']),
            'bind-address': LOOPBACK,
            'user': 'root',
            'skip-name-resolve': None,
            'skip-log-bin': None,
            'performance_schema': 'OFF',
            'max_connections': '500',
            'character-set-server': 'utf8mb4',
            'collation-server': 'utf8mb4_general_ci',
            # Small caches: these databases hold a few MiB.
            'innodb_buffer_pool_size': '32M',
            'innodb_log_buffer_size': '4M',
            'key_buffer_size': '4M',
            'aria_pagecache_buffer_size': '8M',
            'query_cache_size': '0',
            'thread_stack': '256K',
            # A throwaway database: durability traded for start-up speed
            # (the schema migrations are the bulk of ``up``).
            'innodb_flush_log_at_trx_commit': '0',
            'innodb_doublewrite': '0',
            'innodb_flush_method': 'nosync',
            'log-error': paths.log('mariadb-server'),
        },
    }


def rabbitmq_conf(secrets):
    return '\n'.join([
        'listeners.tcp.1 = %s:%d' % (LOOPBACK, PORTS['rabbitmq']),
        'default_user = openstack',
        'default_pass = %s' % secrets['rabbitmq'],
        'loopback_users = none',
        'log.file = false',
        'log.console = true',
        'log.console.level = warning',
        '',
    ])


def render_ini(sections):
    """INI text; an option whose value is None is written bare (my.cnf)."""
    lines = []
    for section, options in sections.items():
        if not options:
            continue
        lines.append('[%s]' % section)
        for option, value in options.items():
            lines.append(option if value is None
                         else '%s = %s' % (option, value))
        lines.append('')
    return '\n'.join(lines)


def write_private(path, text):
    """Write a file that may hold secrets: 0600 from its creation on.

    Written beside and renamed into place, so that a reader never sees it
    half written.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = '%s.%d.partial' % (path, os.getpid())
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as out:
        out.write(text)
    os.replace(partial, path)


def write_ini(path, sections):
    write_private(path, render_ini(sections))


def tempest_conf(paths, secrets, shape, tempest_options, flavor_ids,
                 image_id):
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
            'uri_v3': url('keystone', '/v3'),
            'auth_version': 'v3',
            'region': REGION,
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


def clouds_yaml(secrets):
    """clouds.yaml for openstacksdk and the openstack client: the admin."""
    return '\n'.join([
        'clouds:',
        '  localcloud-admin:',
        '    region_name: %s' % REGION,
        '    identity_api_version: 3',
        '    auth:',
        '      auth_url: %s' % url('keystone', '/v3'),
        '      username: admin',
        '      password: %s' % secrets['admin'],
        '      project_name: admin',
        '      user_domain_name: Default',
        '      project_domain_name: Default',
        '',
    ])
