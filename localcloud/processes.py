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

"""The cloud's processes: start one and wait until it is healthy, judge
its health, stop them all in order, and kill what this cloud started and
nothing watches any more.
"""

import http.client
import time
import urllib.error
import urllib.request

from localcloud import errors
from localcloud import layout
from localcloud.lib import nova
from localcloud import machine
from localcloud import progress
from localcloud import services as services_mod
from localcloud import supervision

# Between two health probes of a starting service.
POLL_INTERVAL = 0.2
# nova-compute, about one start in eight with two computes starting side by
# side: nova's threaded look across cells at its start reads oslo.config
# while another thread registers options. A second start is clean.
STARTUP_RACE = 'RuntimeError: dictionary changed size during iteration'


class ExitedWhileStarting(errors.CloudError):
    """A service's process ended before it became healthy."""


class Processes:
    """The services of one cloud, run by ``supervisor``.

    ``connection`` returns the cloud's SDK connection; nova's services are
    judged through nova's API (:func:`localcloud.lib.nova.health`).
    """

    def __init__(self, paths, services, supervisor, state, connection):
        self.paths = paths
        self.services = services
        self.by_name = {s.name: s for s in services}
        self.supervisor = supervisor
        self.state = state
        self.connection = connection
        self.start_times = {}
        # When each was last started here (UTC seconds): nova's services
        # count as healthy only once their record has news from after it.
        self.started_at = {}

    def start(self, name):
        """Start one service unless it runs healthy; wait until it is."""
        if self.healthy(name):
            return
        if self.running(name):
            self.supervisor.stop(name)  # running, but not answering
        service = self.by_name[name]
        began = time.monotonic()
        if service.port and machine.port_open(service.port):
            raise errors.CloudError(
                'port %d, which %s must listen on, is taken by another '
                'process:\n%s\nStop that process, or run '
                '"python3 -m localcloud down" if it is an earlier cloud.'
                % (service.port, name, machine.who_listens(service.port)))
        for attempt in (1, 2):
            self.started_at[name] = time.time()
            pid = self.supervisor.start(name)
            try:
                self.wait_healthy(service)
                break
            except ExitedWhileStarting as exc:
                if attempt == 2 or STARTUP_RACE not in tail(exc.log, 80):
                    raise
                progress.step('%s exited while starting, on a race inside '
                              'nova ("%s" in %s): starting it once more'
                              % (name, STARTUP_RACE, exc.log))
            finally:
                # Read once it has run a while: right after the fork, the
                # command line is still supervisord's.
                self.state.remember_process(name, pid, machine.cmdline(pid))
        self.start_times[name] = time.monotonic() - began
        progress.step('%s healthy (pid %s) after %.1fs'
                      % (name, pid, self.start_times[name]))

    def stop(self, name):
        self.supervisor.stop(name)

    def stop_many(self, names):
        self.supervisor.stop_many(names)

    def running(self, name):
        info = self.supervisor.all_info().get(name)
        return bool(info and info['statename'] == 'RUNNING')

    def healthy(self, name):
        """Whether ``name`` runs and its health check passes."""
        return self.running(name) and self.health(self.by_name[name])[0]

    def wait_healthy(self, service):
        deadline = time.monotonic() + service.start_timeout
        seen = 'no answer yet'
        while time.monotonic() < deadline:
            if not self.running(service.name):
                raise self._failure(service, 'exited while starting',
                                    ExitedWhileStarting)
            ok, seen = self.health(service)
            if ok:
                return
            time.sleep(POLL_INTERVAL)
        raise self._failure(service, 'not healthy within %ds (last seen: %s)'
                            % (service.start_timeout, seen))

    def _failure(self, service, what, error=errors.CloudError):
        log = self.paths.log(service.name)
        failure = error('%s %s. The last lines of %s:\n%s'
                        % (service.name, what, log, tail(log, 30)))
        failure.log = log
        return failure

    def health(self, service):
        """(healthy, what was seen) for one service."""
        if service.health == services_mod.HTTP:
            return http_health(service.port, service.health_path)
        if service.health == services_mod.TCP:
            if machine.port_open(service.port):
                return True, 'listening on %d' % service.port
            return False, 'port %d closed' % service.port
        return nova.health(self.connection, service,
                           self.started_at.get(service.name))

    def stop_all(self):
        """Stop every process of the cloud; returns what had to be killed.

        Dependents go before what they depend on
        (:func:`localcloud.services.stop_tiers`), then supervisord, then
        whatever outlived it.
        """
        killed = self.supervisor.shutdown(
            tiers=services_mod.stop_tiers(self.services))
        return killed + self.kill_orphans()

    def kill_orphans(self):
        """Kill what this cloud started and supervisord no longer watches.

        A recorded pid counts only while its command line is the one
        recorded at its start, so a pid reused by another program is left
        alone; they go in ``down``'s order. Then whatever a program forked
        out of its group (:meth:`Supervisor.strays`).
        """
        recorded = self.state.recorded_processes()
        order = [name for tier in services_mod.stop_tiers(self.services)
                 for name in tier]
        killed = []
        for name in sorted(recorded, key=lambda n: (
                order.index(n) if n in order else -1, n)):
            pid, started_as = recorded[name]
            if (supervision.pid_alive(pid)
                    and machine.cmdline(pid) == started_as):
                supervision.kill_group(pid)
                killed.append('%s (pid %d)' % (name, pid))
        for pid in self.supervisor.strays():
            what = (machine.cmdline(pid) or '?').split('\0')[0]
            supervision.kill_group(pid)
            killed.append('%s (pid %d)' % (what, pid))
        return killed


def http_health(port, path):
    request = urllib.request.Request('http://%s:%d%s' % (layout.LOOPBACK,
                                                         port, path))
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return True, 'HTTP %d' % response.status
    except urllib.error.HTTPError as exc:
        return exc.code < 500, 'HTTP %d' % exc.code
    except (OSError, http.client.HTTPException) as exc:
        # URLError is an OSError; a port that answers in another protocol
        # raises an HTTPException.
        return False, str(getattr(exc, 'reason', exc))


def tail(path, lines):
    try:
        with open(path, errors='replace') as f:
            return errors.tail_text(f.read(), lines)
    except FileNotFoundError:
        return '(no log yet)'
