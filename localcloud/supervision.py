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

"""supervisord, privately: started from the state directory, driven over
its unix socket with its XML-RPC interface.
"""

import os
import signal
import subprocess
import time
import xmlrpc.client

from supervisor import xmlrpc as supervisor_xmlrpc

from localcloud import machine


# supervisord's states of a program with no process.
STOPPED_STATES = ('STOPPED', 'EXITED', 'FATAL', 'UNKNOWN')


class SupervisionError(RuntimeError):
    pass


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            return int(f.read().strip())
    except (FileNotFoundError, ValueError):
        return None


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not machine.is_zombie(pid)


class Supervisor:
    def __init__(self, paths):
        self.paths = paths

    @property
    def pid(self):
        pid = read_pid(self.paths.supervisor_pidfile)
        return pid if pid_alive(pid) else None

    def _proxy(self):
        transport = supervisor_xmlrpc.SupervisorTransport(
            None, None, 'unix://' + self.paths.supervisor_socket)
        # The host part is ignored: the transport talks to the socket.
        return xmlrpc.client.ServerProxy('http://localcloud', transport)

    def start_daemon(self, timeout=15):
        """Start supervisord (it daemonizes) unless it runs already."""
        if self.pid:
            return False
        if os.path.exists(self.paths.supervisor_socket):
            os.unlink(self.paths.supervisor_socket)  # left by a kill -9
        subprocess.run([self.paths.bin('supervisord'), '-c',
                        self.paths.supervisor_conf], check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._proxy().supervisor.getState()
                return True
            except (OSError, xmlrpc.client.Fault):
                time.sleep(0.1)
        raise SupervisionError(
            'supervisord did not answer on %s within %ds: see %s'
            % (self.paths.supervisor_socket, timeout,
               self.paths.log('supervisord')))

    def reload(self):
        """Apply a rewritten supervisord.conf (new or changed programs)."""
        added, changed, removed = self._proxy().supervisor.reloadConfig()[0]
        for name in removed + changed:
            self._stop_quietly(name)
            # A group is removed only once supervisord has reaped its
            # process, which may come after the process is gone.
            if not self._wait_stopped([name]):
                raise SupervisionError(
                    'supervisord still runs %s after stopping it: see %s'
                    % (name, self.paths.log('supervisord')))
            self._proxy().supervisor.removeProcessGroup(name)
        for name in added + changed:
            self._proxy().supervisor.addProcessGroup(name)

    def _wait_stopped(self, names, timeout=30):
        """Whether supervisord counts each of ``names`` as stopped, soon."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.all_info()
            if all(info.get(n, {}).get('statename', 'STOPPED')
                   in STOPPED_STATES for n in names):
                return True
            time.sleep(0.1)
        return False

    def _stop_quietly(self, name, wait=True):
        try:
            self._proxy().supervisor.stopProcess(name, wait)
        except xmlrpc.client.Fault:
            pass  # not running

    def start(self, name):
        """Start one program; returns its pid. Does not wait for health."""
        try:
            self._proxy().supervisor.startProcess(name, False)
        except xmlrpc.client.Fault as fault:
            if 'ALREADY_STARTED' not in fault.faultString:
                raise SupervisionError('supervisord could not start %s: %s'
                                       % (name, fault.faultString))
        return self.info(name)['pid']

    def stop(self, name):
        self._stop_quietly(name)

    def info(self, name):
        return self._proxy().supervisor.getProcessInfo(name)

    def all_info(self):
        """{program: info} or {} when supervisord is not running."""
        if not self.pid:
            return {}
        return {info['name']: info
                for info in self._proxy().supervisor.getAllProcessInfo()}

    def stop_many(self, names, timeout=60, info=None):
        """Stop the programs ``names`` at once; wait until they are gone."""
        info = info or self.all_info()
        for name in names:
            self._stop_quietly(name, wait=False)
        _wait_gone([info[n]['pid'] for n in names
                    if n in info and info[n]['pid']], timeout)
        self._wait_stopped(names, timeout)

    def shutdown(self, timeout=60, tiers=None):
        """Stop every program, then supervisord; kill by pid what remains.

        ``tiers``: lists of program names, stopped in turn, each list at
        once (default: every program at once); a program in no tier is
        stopped before them. Returns the pids that had to be killed.
        """
        info = self.all_info()
        pids = [i['pid'] for i in info.values() if i['pid']]
        daemon = self.pid
        if daemon:
            # supervisord stops its programs one after another; the stops
            # of a tier are asked for at once here, so that the slow ones
            # (nova's graceful stop) overlap.
            for tier in _complete_tiers(tiers or [], info):
                self.stop_many(tier, timeout, info)
            try:
                self._proxy().supervisor.shutdown()
            except (OSError, xmlrpc.client.Fault):
                pass
            _wait_gone([daemon], timeout)
        killed = [pid for pid in pids + [daemon] if pid_alive(pid)]
        for pid in killed:
            kill_group(pid)
        return killed

    def strays(self):
        """Live pids started below this supervisord, however they left it.

        supervisord gives every program SUPERVISOR_SERVER_URL, its own
        socket, and a daemon a program forks (RabbitMQ's ``epmd -daemon``)
        inherits it outside the program's process group. A program that
        writes its title over its environment (neutron) is not found this
        way: the record of what ``up`` started covers those.
        """
        mark = ('\0SUPERVISOR_SERVER_URL=unix://%s\0'
                % self.paths.supervisor_socket).encode()
        return sorted(
            pid for pid in machine.pids() if pid != os.getpid()
            and mark in b'\0' + (machine.read(pid, 'environ') or b'')
            and pid_alive(pid))


def _complete_tiers(tiers, info):
    """``tiers`` limited to known programs, the unnamed ones first."""
    named = {name for tier in tiers for name in tier}
    first = [name for name in info if name not in named]
    return [tier for tier in
            [first] + [[n for n in tier if n in info] for tier in tiers]
            if tier]


def kill_group(pid):
    """SIGKILL a program and what it started, and wait until it is gone.

    supervisord makes each program the leader of its own process group.
    """
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _wait_gone([pid], 10)


def _wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.1)
