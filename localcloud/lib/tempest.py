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

"""tempest, as devstack's lib/tempest: a workspace whose tempest.conf
names this cloud, its flavors and its image.
"""

import os

from localcloud import configs
from localcloud import provision


def write_workspace(cloud):
    """Needs nova's API (flavors), glance (image) and the catalog."""
    paths = cloud.paths
    flavor_ids, image_id = provision.flavors_and_image(cloud.conn)
    if not os.path.exists(os.path.join(paths.workspace, '.stestr.conf')):
        cloud.manage(paths.bin('tempest'), 'init', '--name', 'localcloud',
                     '--workspace-path',
                     paths.path('tempest-workspaces.yaml'), paths.workspace)
    configs.write_ini(paths.tempest_conf, configs.tempest_conf(
        paths, cloud.state.secrets, cloud.shape, cloud.tempest_options,
        flavor_ids, image_id))
