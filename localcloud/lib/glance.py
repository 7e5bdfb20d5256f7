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


def _conf(cloud):
    return os.path.join(cloud.paths.etc, 'glance', 'glance-api.conf')


def configure(cloud):
    configs.write_ini(_conf(cloud), configs.glance_conf(
        cloud.paths, cloud.state.secrets))


def init(cloud):
    database.sync(cloud, 'glance-db', ('glance',),
                  cloud.paths.bin('glance-manage'), '--config-file',
                  _conf(cloud), 'db_sync')
