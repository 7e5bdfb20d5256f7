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

"""placement, as devstack's lib/placement."""

import os

from localcloud import configs
from localcloud.lib import database
from localcloud.lib import keystone
from localcloud import services as services_mod


def _conf(cloud):
    return os.path.join(cloud.paths.etc, 'placement', 'placement.conf')


def options(paths, secrets):
    return {
        'DEFAULT': {'use_stderr': 'true'},
        'placement_database': {
            'connection': database.db_url(secrets, 'placement')},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': keystone.auth_options(secrets, 'placement'),
    }


def services(paths):
    return [services_mod.api(paths, 'placement', 'placement.wsgi.api',
                             'OS_PLACEMENT_CONFIG_DIR', health_path='/')]


def configure(cloud):
    configs.write_ini(_conf(cloud), options(
        cloud.paths, cloud.state.secrets))


def init(cloud):
    database.sync(cloud, 'placement-db', ('placement',),
                  cloud.paths.bin('placement-manage'), '--config-file',
                  _conf(cloud), 'db', 'sync')
