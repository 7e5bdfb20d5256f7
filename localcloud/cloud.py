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

"""One cloud: its layout, shape and services, and the machinery that
brings them up (its state, its processes, its SDK connection, the
services' own *-manage commands). What ``up`` and ``down`` do with them is
:mod:`localcloud.stack`; the command line's verbs are
:mod:`localcloud.verbs`.
"""

import os
import subprocess
import time

from localcloud import errors
from localcloud import layout
from localcloud import nova_tree
from localcloud import processes as processes_mod
from localcloud import progress
from localcloud import provision
from localcloud import stack
from localcloud import state as state_mod
from localcloud import supervision


class Cloud:
    """One cloud's parts, and the machinery shared by its bootstrap.

    ``supervisor`` and ``connect(secrets)`` (which returns an SDK
    connection) are the cloud's own by default; tests pass stand-ins.
    """

    def __init__(self, paths, nova_overrides=(),
                 nova_choice=nova_tree.NovaChoice(), supervisor=None,
                 connect=provision.admin_connection):
        self.paths = paths
        self.shape, self.tempest_options = layout.read_cloud_shape()
        self.compute_hosts = (
            (self.shape['source_host'], self.shape['source_driver']),
            (self.shape['destination_host'], self.shape['destination_driver']),
        )
        self.nova_overrides = list(nova_overrides)
        self.nova_choice = nova_choice
        # Where nova's services import nova from (None: the venv's).
        self.nova_path = nova_tree.import_path(nova_choice, paths.state)
        self.services = stack.build_services(paths, self.compute_hosts,
                                             self.nova_path)
        self.supervisor = supervisor or supervision.Supervisor(paths)
        self.state = state_mod.State(paths)
        self.processes = processes_mod.Processes(
            paths, self.services, self.supervisor, self.state,
            lambda: self.conn)
        self._connect = connect
        self._conn = None

    @property
    def conn(self):
        """The admin's SDK connection, made on first use."""
        if self._conn is None:
            self._conn = self._connect(self.state.secrets)
        return self._conn

    def reconnect(self):
        """The next call gets a new token, with the catalog as it is now."""
        self._conn = None

    def leftovers(self):
        """What tests left in the cloud (:func:`provision.leftovers`)."""
        return provision.leftovers(
            self.conn, self.hosts,
            self.shape['canary_aggregate'], self.shape['canary_trait'])

    @property
    def hosts(self):
        """The compute hosts' names, source first."""
        return [host for host, _driver in self.compute_hosts]

    def is_up(self):
        return bool(self.supervisor.pid
                    and self.state.load_record().get('ready'))

    def manage(self, *cmd, env=None, stdin=None, success=(0,)):
        """Run one of the services' own *-manage commands, logged."""
        name = os.path.basename(cmd[0])
        log = self.paths.log('manage')
        began = time.monotonic()
        with open(log, 'a') as out:
            out.write('\n$ %s\n' % self.state.redact(' '.join(cmd)))
            out.flush()
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                  input=stdin, text=True,
                                  env=dict(os.environ, **(env or {})))
        if proc.returncode not in success:
            raise errors.CloudError(
                '%s failed (exit %d). The last lines of %s:\n%s'
                % (' '.join(cmd[:3]), proc.returncode, log,
                   processes_mod.tail(log, 30)))
        progress.step('%s %s: %.1fs' % (name, ' '.join(
            a for a in cmd[1:] if not a.startswith('-') and '/' not in a),
            time.monotonic() - began))

    def once(self, step, *cmd, **kwargs):
        """:meth:`manage` for a bootstrap step that runs once per cloud."""
        if not self.state.is_done(step):
            self.manage(*cmd, **kwargs)
            self.state.mark_done(step)
