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

"""keystone, as devstack's lib/keystone."""

import base64
import os
import time

from localcloud import configs
from localcloud.lib import database
from localcloud import progress
from localcloud import provision
from localcloud import services as services_mod

# Under its state directory, read by the user that runs the cloud.
FERNET_KEYS, CREDENTIAL_KEYS = KEY_REPOSITORIES = ('fernet-keys',
                                                   'credential-keys')


def _manage(cloud):
    return (cloud.paths.bin('keystone-manage'), '--config-file',
            os.path.join(cloud.paths.etc, 'keystone', 'keystone.conf'))


def auth_options(secrets, user):
    """keystonemiddleware's and keystoneauth's options for a service user."""
    return {
        'www_authenticate_uri': configs.url('keystone', '/v3'),
        'auth_url': configs.url('keystone', '/v3'),
        'auth_type': 'password',
        'username': user,
        'password': secrets[user],
        'project_name': 'service',
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'region_name': configs.REGION,
    }


def options(paths, secrets):
    return {
        'DEFAULT': {'use_stderr': 'true'},
        'database': {'connection': database.db_url(secrets, 'keystone')},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {
            'key_repository': paths.path('keystone', FERNET_KEYS)},
        'credential': {
            'key_repository': paths.path('keystone', CREDENTIAL_KEYS)},
        # bcrypt's lowest cost: every user and token check is cheaper. A
        # throwaway cloud on loopback, not a production setting.
        'identity': {'password_hash_rounds': '4'},
    }


def services(paths):
    return [services_mod.api(
        paths, 'keystone', 'keystone.wsgi.api', 'OS_KEYSTONE_CONFIG_DIR',
        health_path='/v3')]


def configure(cloud):
    configs.write_ini(
        os.path.join(cloud.paths.etc, 'keystone', 'keystone.conf'),
        options(cloud.paths, cloud.state.secrets))


def init_database(cloud):
    database.sync(cloud, 'keystone-db', ('keystone',), *_manage(cloud),
                  'db_sync')


def init_key_repositories(cloud):
    """The token and credential keys, as keystone-manage leaves them.

    As its fernet_setup and credential_setup do: each repository a 0700
    directory with key 0 (staged) and key 1 (primary), each a Fernet key
    (32 random bytes, URL-safe base64) in a 0600 file. Made here rather
    than by two processes that import all of keystone (some 4 s of a core
    each) while the other services start.
    """
    if cloud.state.is_done('keystone-keys'):
        return
    for repository in KEY_REPOSITORIES:
        path = cloud.paths.path('keystone', repository)
        os.makedirs(path, mode=0o700, exist_ok=True)
        for index in ('0', '1'):
            configs.write_private(os.path.join(path, index), base64.
                                  urlsafe_b64encode(os.urandom(32)).decode())
    cloud.state.mark_done('keystone-keys')


def bootstrap(cloud):
    """The admin, its project and role, and keystone's own endpoints."""
    v3 = configs.url('keystone', '/v3')
    cloud.once('keystone-bootstrap', *_manage(cloud), 'bootstrap',
               '--bootstrap-admin-url', v3, '--bootstrap-public-url', v3,
               '--bootstrap-internal-url', v3,
               '--bootstrap-region-id', configs.REGION,
               env={'OS_BOOTSTRAP_PASSWORD': cloud.state.secrets['admin']})


def create_accounts(cloud):
    """Every service's user and catalog entry, made at once.

    devstack's create_<service>_accounts, for every service.
    """
    if cloud.state.is_done('identity'):
        return
    began = time.monotonic()
    provision.identity(cloud.conn, cloud.state.secrets)
    cloud.state.mark_done('identity')
    # Its token's catalog predates the endpoints just made.
    cloud.reconnect()
    progress.step('keystone: service users and catalog: %.1fs'
                  % (time.monotonic() - began))
