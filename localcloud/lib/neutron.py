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

"""neutron, as devstack's lib/neutron: the API alone, with ML2 and no
agents.
"""

import os

from localcloud import configs
from localcloud.lib import database


def _confs(cloud):
    etc = os.path.join(cloud.paths.etc, 'neutron')
    return (os.path.join(etc, 'neutron.conf'),
            os.path.join(etc, 'plugins', 'ml2', 'ml2_conf.ini'))


def configure(cloud):
    neutron_conf, ml2_conf = _confs(cloud)
    configs.write_ini(neutron_conf, configs.neutron_conf(
        cloud.paths, cloud.state.secrets))
    configs.write_ini(ml2_conf, configs.ml2_conf())


def init(cloud):
    neutron_conf, ml2_conf = _confs(cloud)
    database.sync(cloud, 'neutron-db', ('neutron',),
                  cloud.paths.bin('neutron-db-manage'), '--config-file',
                  neutron_conf, '--config-file', ml2_conf, 'upgrade', 'heads')
