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

"""glance, as devstack's lib/glance: the API with a file store."""

import os

from localcloud import configs
from localcloud.lib import database
from localcloud.lib import keystone
from localcloud import services as services_mod


def _conf(cloud):
    return os.path.join(cloud.paths.etc, 'glance', 'glance-api.conf')


def options(paths, secrets):
    glance = paths.path('glance')
    return {
        'DEFAULT': {
            'use_stderr': 'true',
            'enabled_backends': 'local:file',
        },
        'database': {'connection': database.db_url(secrets, 'glance')},
        'glance_store': {'default_backend': 'local'},
        'local': {'filesystem_store_datadir': os.path.join(glance, 'images')},
        'os_glance_staging_store': {
            'filesystem_store_datadir': os.path.join(glance, 'staging')},
        'os_glance_tasks_store': {
            'filesystem_store_datadir': os.path.join(glance, 'tasks')},
        'keystone_authtoken': keystone.auth_options(secrets, 'glance'),
        'paste_deploy': {
            'flavor': 'keystone',
            'config_file': os.path.join(paths.venv, 'etc', 'glance',
                                        'glance-api-paste.ini')},
        'oslo_concurrency': {'lock_path': os.path.join(glance, 'locks')},
    }


def services(paths):
    return [services_mod.api(paths, 'glance', 'glance.wsgi.api',
                             'OS_GLANCE_CONFIG_DIR', health_path='/')]


def configure(cloud):
    configs.write_ini(_conf(cloud), options(
        cloud.paths, cloud.state.secrets))


def init(cloud):
    database.sync(cloud, 'glance-db', ('glance',),
                  cloud.paths.bin('glance-manage'), '--config-file',
                  _conf(cloud), 'db_sync')
