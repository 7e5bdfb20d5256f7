"""supervisord, privately: started from the state directory, driven over
its unix socket with its XML-RPC interface.
"""

import os
import signal
import subprocess
import time
import xmlrpc.client

from supervisor import xmlrpc as supervisor_xmlrpc


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
    # A zombie has exited: it only waits for its parent to reap it.
    try:
        with open('/proc/%d/stat' % pid) as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (FileNotFoundError, IndexError):
        return False


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
            self._proxy().supervisor.removeProcessGroup(name)
        for name in added + changed:
            self._proxy().supervisor.addProcessGroup(name)

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

    def shutdown(self, timeout=60):
        """Stop every program, then supervisord; kill by pid what remains.

        Returns the pids that had to be killed.
        """
        info = self.all_info()
        pids = [i['pid'] for i in info.values() if i['pid']]
        daemon = self.pid
        if daemon:
            # supervisord stops its programs one after another; every stop
            # is asked for at once here, so that the slow ones (nova's
            # graceful stop) overlap.
            for name in info:
                self._stop_quietly(name, wait=False)
            _wait_gone(pids, timeout)
            try:
                self._proxy().supervisor.shutdown()
            except (OSError, xmlrpc.client.Fault):
                pass
            _wait_gone([daemon], timeout)
        killed = [pid for pid in pids + [daemon] if pid_alive(pid)]
        for pid in killed:
            kill_group(pid)
        return killed


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
