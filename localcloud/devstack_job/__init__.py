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

"""The devstack Zuul job of .zuul.yaml, run on this machine.

zuul_jobs reads the job and its ancestors (devstack's and tempest's Zuul
files) and merges their variables as Zuul does; local_conf renders the
local.conf that devstack's write-devstack-local-conf role would write from
them, plus this machine's overrides; container boots a Debian tree under
systemd-nspawn; runner runs stack.sh, tempest, unstack.sh and clean.sh in
it: ``python3 -m localcloud.tox -e devstack``.
"""
