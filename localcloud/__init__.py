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

"""A live OpenStack on one machine, for running resize_tempest_plugin.

``python3 -m localcloud VERB`` from the repository root. The bootstrap
(:mod:`localcloud.cli`, :mod:`localcloud.install`) uses only the standard
library: it installs what is missing and then runs the rest inside the
cloud's own venv. The plugin never imports this package.

Inside the venv, laid out as devstack is:

* :mod:`localcloud.verbs`: the command line's verbs;
* :mod:`localcloud.stack`: what ``up`` and ``down`` do, ``up`` as a
  declared plan of steps (devstack's stack.sh and unstack.sh);
* :mod:`localcloud.lib`: one module per service, each with the same
  verbs (devstack's lib/<service>);
* the machinery they share: :mod:`localcloud.cloud` (one cloud's parts),
  :mod:`localcloud.state`, :mod:`localcloud.processes`,
  :mod:`localcloud.supervision`, :mod:`localcloud.services` (what each
  process runs and how its health is judged), :mod:`localcloud.configs`
  and :mod:`localcloud.provision`.
"""
