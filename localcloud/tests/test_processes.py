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

"""The processes' machinery: health probes, tails, starts, orphans."""

import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
from unittest import mock

import fixtures

from localcloud import errors
from localcloud.lib import nova
from localcloud import machine
from localcloud import processes
from localcloud import services
from localcloud import stack
from localcloud import state
from localcloud import supervision
from localcloud.tests import base

SLEEP = shutil.which('sleep')


class _StatusHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET /<status> with that status."""

    def do_GET(self):
        self.send_response(int(self.path.strip('/')))
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


def closed_port():
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ProbeTest(base.TestCase):

    def serve(self, handler=_StatusHandler):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server.server_address[1]

    def test_http_health(self):
        port = self.serve()
        for status, healthy in ((200, True), (300, True), (404, True),
                                (500, False), (503, False)):
            self.assertEqual((healthy, 'HTTP %d' % status),
                             processes.http_health(port, '/%d' % status))

    def test_http_health_closed_port(self):
        ok, seen = processes.http_health(closed_port(), '/')
        self.assertFalse(ok)
        self.assertIn('refused', seen.lower())

    def test_http_health_of_a_port_that_does_not_speak_http(self):
        with socket.socket() as listener:
            listener.bind(('127.0.0.1', 0))
            listener.listen()

            def answer():
                conn, _ = listener.accept()
                with conn:
                    conn.sendall(b'SSH-2.0-not-http\r\n')
            threading.Thread(target=answer, daemon=True).start()
            ok, _seen = processes.http_health(listener.getsockname()[1], '/')
        self.assertFalse(ok)

    def test_port_open(self):
        port = self.serve()
        self.assertTrue(machine.port_open(port))
        self.assertFalse(machine.port_open(closed_port()))


class TailTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        os.makedirs(self.paths.logs)
        self.log = self.paths.log('svc')

    def test_missing_file(self):
        self.assertEqual('(no log yet)', processes.tail(self.log, 5))

    def test_fewer_lines_than_asked(self):
        with open(self.log, 'w') as f:
            f.write('one\ntwo\n')
        self.assertEqual('one\ntwo\n', processes.tail(self.log, 30))

    def test_last_lines(self):
        with open(self.log, 'w') as f:
            f.write(''.join('line %d\n' % i for i in range(100)) + 'last')
        self.assertEqual('line 98\nline 99\nlast', processes.tail(self.log, 3))

    def test_undecodable_bytes(self):
        with open(self.log, 'wb') as f:
            f.write(b'\xff\xfe bad\nok\n')
        self.assertEqual('ok\n', processes.tail(self.log, 1))


class ApiFailureTest(base.TestCase):

    def test_one_short_line_with_the_kind_of_failure(self):
        exc = ConnectionError('Unable to establish connection to '
                              'http://127.0.0.1:25000/v3/auth/tokens:\n'
                              + 'x' * 300)
        line = nova.api_failure(exc)
        self.assertTrue(line.startswith('ConnectionError: Unable to '))
        self.assertNotIn('\n', line)
        self.assertLessEqual(len(line), len('ConnectionError: ') + 100)

    def test_a_short_message_is_kept_whole(self):
        self.assertEqual('RuntimeError: down',
                         nova.api_failure(RuntimeError('down')))


class OrphanTest(base.TestCase):
    """kill_orphans with real ``sleep`` processes in their own sessions."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.make_state_dirs(self.paths)
        self.state = state.State(self.paths)
        # No supervisord runs: what it started is what kill_orphans is for.
        self.processes = processes.Processes(
            self.paths, stack.build_services(self.paths, base.COMPUTE_HOSTS),
            supervision.Supervisor(self.paths), self.state, connection=None)

    def sleeper(self, **env):
        child = subprocess.Popen([SLEEP, '300'], start_new_session=True,
                                 env=dict(os.environ, **env))
        self.addCleanup(child.wait)
        self.addCleanup(lambda: child.poll() is None and child.kill())
        self.assertTrue(base.wait_for(
            lambda: machine.cmdline(child.pid).startswith(SLEEP + '\0')),
            'pid %d never became sleep 300' % child.pid)
        return child

    def remember(self, name, child):
        self.state.remember_process(name, child.pid,
                                    machine.cmdline(child.pid))

    def test_recorded_ones_in_the_order_of_down_then_strays(self):
        children = {name: self.sleeper()
                    for name in ('mariadb', 'rabbitmq', 'nova-api')}
        for name, child in children.items():
            self.remember(name, child)
        stray = self.sleeper(SUPERVISOR_SERVER_URL='unix://'
                             + self.paths.supervisor_socket)
        elsewhere = self.sleeper(SUPERVISOR_SERVER_URL='unix://'
                                 + self.paths.supervisor_socket + '.other')
        killed = self.processes.kill_orphans()
        self.assertEqual(
            ['%s (pid %d)' % (name, children[name].pid)
             for name in ('nova-api', 'rabbitmq', 'mariadb')]
            + ['%s (pid %d)' % (SLEEP, stray.pid)], killed)
        for child in list(children.values()) + [stray]:
            self.assertEqual(-signal.SIGKILL, child.wait(timeout=5))
        self.assertIsNone(elsewhere.poll())

    def test_a_pid_that_runs_something_else_now_is_left_alone(self):
        other = self.sleeper()
        self.state.remember_process('mariadb', other.pid,
                                    '/usr/sbin/mariadbd\0--defaults-file=x')
        self.assertEqual([], self.processes.kill_orphans())
        self.assertIsNone(other.poll())


class FakeTime:
    """time.monotonic and time.sleep, on a clock that only sleep moves."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class WaitHealthyTest(base.TestCase):
    """Each service is judged as its description says, within its time."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.make_state_dirs(self.paths)
        self.supervisor = base.FakeSupervisor([])
        self.supervisor.start_daemon()
        self.conn = mock.Mock()
        self.services = stack.build_services(self.paths, base.COMPUTE_HOSTS)

    def processes(self, *extra):
        return processes.Processes(
            self.paths, self.services + list(extra), self.supervisor,
            state.State(self.paths), lambda: self.conn)

    def test_not_healthy_within_its_own_start_timeout(self):
        clock = FakeTime()
        self.useFixture(fixtures.MockPatchObject(processes, 'time', clock))
        never = services.Service('never', ('true',), port=closed_port(),
                                 start_timeout=7)
        self.supervisor.start('never')
        with open(self.paths.log('never'), 'w') as log:
            log.write('listening soon\n')
        error = self.assertRaises(errors.CloudError,
                                  self.processes(never).wait_healthy, never)
        self.assertEqual(7, round(clock.now))
        self.assertIn('never not healthy within 7s (last seen: port %d '
                      'closed)' % never.port, str(error))
        self.assertIn('listening soon', str(error))

    def test_exited_while_starting(self):
        gone = services.Service('gone', ('true',), port=closed_port())
        error = self.assertRaises(errors.CloudError,
                                  self.processes(gone).wait_healthy, gone)
        self.assertIn('gone exited while starting', str(error))

    def test_a_restarted_nova_service_counts_from_its_first_report(self):
        started = 1764615600.0  # 2025-12-01T19:00:00Z

        def record(updated_at, state='up'):
            return mock.Mock(state=state, updated_at=updated_at)

        for seen, since, healthy in (
                (record('2025-12-01T18:59:59.000000'), started, False),
                (record('2025-12-01T19:00:00.000000'), started + 0.7, True),
                (record('2025-12-01T19:00:05.000000'), started, True),
                (record(None), started, True),  # made by the new process
                (record('2025-12-01T18:59:59.000000'), None, True),
                (record('2025-12-01T19:00:05.000000', 'down'), started,
                 False)):
            self.assertEqual(healthy, nova.reports_since(seen, since),
                             (seen.updated_at, seen.state, since))

    def test_conductor_and_scheduler_through_nova_api(self):
        self.conn.compute.services.return_value = [
            mock.Mock(host='controller', status='enabled', state='down')]
        for name in ('nova-conductor', 'nova-scheduler'):
            service = self.processes().by_name[name]
            self.assertEqual((False, 'controller enabled/down'),
                             self.processes().health(service))
            self.conn.compute.services.assert_called_with(binary=name)
        self.conn.compute.services.side_effect = ConnectionError('refused')
        self.assertEqual(
            (False, 'nova API: ConnectionError: refused'),
            self.processes().health(service))


class ExitingSupervisor(base.FakeSupervisor):
    """A program that exits at its first ``exits`` starts.

    Its log says ``why``.
    """

    def __init__(self, paths, exits, why):
        super().__init__([])
        self.paths, self.exits, self.why = paths, exits, why
        self.starts = 0

    def start(self, name):
        pid = super().start(name)
        self.starts += 1
        if self.starts <= self.exits:
            self.programs[name] = ('EXITED', pid)
            with open(self.paths.log(name), 'a') as log:
                log.write('Traceback (most recent call last):\n%s\n'
                          % self.why)
        return pid


class StartupRaceTest(base.TestCase):
    """nova's start-up race gets one more start; nothing else does."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.make_state_dirs(self.paths)
        self.useFixture(fixtures.MockPatchObject(
            processes.Processes, 'health',
            lambda _self, service: (True, 'stand-in')))
        self.out = self.capture()

    def start(self, exits, why=processes.STARTUP_RACE):
        supervisor = ExitingSupervisor(self.paths, exits, why)
        supervisor.start_daemon()
        compute = stack.build_services(self.paths, base.COMPUTE_HOSTS)[-1]
        procs = processes.Processes(self.paths, [compute], supervisor,
                                    state.State(self.paths), mock.Mock())
        return supervisor, procs, compute.name

    def test_the_race_is_started_once_more(self):
        supervisor, procs, name = self.start(exits=1)
        procs.start(name)
        self.assertEqual(2, supervisor.starts)
        self.assertIn('%s exited while starting, on a race inside nova'
                      % name, self.out.getvalue())
        self.assertIn('%s healthy' % name, self.out.getvalue())

    def test_the_race_twice_is_an_error(self):
        supervisor, procs, name = self.start(exits=2)
        error = self.assertRaises(processes.ExitedWhileStarting,
                                  procs.start, name)
        self.assertEqual(2, supervisor.starts)
        self.assertIn(processes.STARTUP_RACE, str(error))

    def test_any_other_exit_is_an_error_at_once(self):
        supervisor, procs, name = self.start(
            exits=1, why='ImportError: cannot import name x')
        error = self.assertRaises(processes.ExitedWhileStarting,
                                  procs.start, name)
        self.assertEqual(1, supervisor.starts)
        self.assertIn('ImportError: cannot import name x', str(error))
