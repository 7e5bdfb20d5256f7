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

"""supervisord, privately: pids, and a real supervisord in a temp dir."""

import io
import os
import shlex
import shutil
import subprocess
import sys

from localcloud import configs
from localcloud import errors
from localcloud import services
from localcloud import stack
from localcloud.tests import base

try:
    from supervisor import options as supervisor_options

    from localcloud import supervision
except ImportError:  # supervision drives supervisord with its own XML-RPC
    supervision = None

NO_SUPERVISOR = ('supervisor is not installed (pip install supervisor, or '
                 'run the tests with the cloud venv\'s python)')


class SupervisionTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        if supervision is None:
            self.skipTest(NO_SUPERVISOR)
        self.paths = self.make_layout()
        self.make_state_dirs(self.paths)

    def write_conf(self, programs):
        configs.write_private(self.paths.supervisor_conf,
                              services.supervisord_conf(self.paths, programs))


class PidTest(SupervisionTestCase):

    def test_own_pid_is_alive(self):
        self.assertTrue(supervision.pid_alive(os.getpid()))

    def test_no_pid(self):
        self.assertFalse(supervision.pid_alive(None))
        self.assertFalse(supervision.pid_alive(0))

    def test_reaped_child_is_not_alive(self):
        child = subprocess.Popen(['true'])
        child.wait()
        self.assertFalse(supervision.pid_alive(child.pid))

    def test_zombie_is_not_alive(self):
        child = subprocess.Popen(['true'])
        self.addCleanup(child.wait)

        def zombie():
            with open('/proc/%d/stat' % child.pid) as stat:
                return stat.read().rsplit(')', 1)[1].split()[0] == 'Z'
        self.assertTrue(base.wait_for(zombie), 'the child never exited')
        self.assertFalse(supervision.pid_alive(child.pid))

    def test_read_pid(self):
        pidfile = self.paths.supervisor_pidfile
        self.assertIsNone(supervision.read_pid(pidfile))
        for garbage in ('', 'not a pid\n', '12 34\n'):
            with open(pidfile, 'w') as f:
                f.write(garbage)
            self.assertIsNone(supervision.read_pid(pidfile), garbage)
        with open(pidfile, 'w') as f:
            f.write('4242\n')
        self.assertEqual(4242, supervision.read_pid(pidfile))

    def test_supervisor_pid_is_none_for_a_dead_daemon(self):
        child = subprocess.Popen(['true'])
        child.wait()
        with open(self.paths.supervisor_pidfile, 'w') as f:
            f.write('%d\n' % child.pid)
        supervisor = supervision.Supervisor(self.paths)
        self.assertIsNone(supervisor.pid)
        self.assertEqual({}, supervisor.all_info())


class SupervisordReadsConfTest(SupervisionTestCase):
    """supervisord.conf as supervisord itself parses it."""

    def read(self):
        server = supervisor_options.ServerOptions()
        server.stderr = io.StringIO()  # where it reports errors
        server.realize(args=['-c', self.paths.supervisor_conf])
        return {process.name: process
                for group in server.process_group_configs
                for process in group.process_configs}

    def test_commands_environment_and_logs(self):
        wanted = stack.build_services(self.paths, base.COMPUTE_HOSTS) + [
            base.AWKWARD]
        self.write_conf(wanted)
        programs = self.read()
        self.assertEqual({s.name for s in wanted}, set(programs))
        for service in wanted:
            program = programs[service.name]
            self.assertEqual(list(service.command),
                             shlex.split(program.command))
            # supervisord adds its own [supervisord] environment.
            environment = program.environment or {}
            for name, value in service.env:
                self.assertEqual(value, environment.get(name), name)
            self.assertEqual(self.paths.log(service.name),
                             program.stdout_logfile)
            self.assertFalse(program.autostart)

    def test_a_path_supervisord_would_misread_is_refused(self):
        for mark in ('100%done', 'a ;b', 'a #b'):
            paths = type(self.paths).from_args(
                os.path.join(self.paths.home, mark))
            error = self.assertRaises(
                errors.CloudError, services.supervisord_conf, paths,
                stack.build_services(paths, base.COMPUTE_HOSTS))
            self.assertIn('--state-dir', str(error))


class RealSupervisordTestCase(SupervisionTestCase):
    """A real supervisord in a temp dir."""

    def setUp(self):
        super().setUp()
        supervisord = self.paths.bin('supervisord')
        os.makedirs(os.path.dirname(supervisord))
        with open(supervisord, 'w') as script:
            script.write('#!/bin/sh\nexec %s -m supervisor.supervisord "$@"\n'
                         % sys.executable)
        os.chmod(supervisord, 0o755)
        self.supervisor = supervision.Supervisor(self.paths)
        self.addCleanup(self.kill_leftovers)

    def kill_leftovers(self):
        pids = [supervision.read_pid(self.paths.supervisor_pidfile)]
        if self.supervisor.pid:
            pids += [info['pid']
                     for info in self.supervisor.all_info().values()]
        for pid in pids:
            if supervision.pid_alive(pid):
                os.kill(pid, 9)


class SupervisordTest(RealSupervisordTestCase):
    """A real supervisord running ``sleep 300``."""

    def setUp(self):
        super().setUp()
        self.write_conf([services.Service(
            'sleeper', (shutil.which('sleep'), '300'))])

    def runs_sleep(self, pid):
        with open('/proc/%d/cmdline' % pid, 'rb') as cmdline:
            return cmdline.read().split(b'\0')[:2] == [
                shutil.which('sleep').encode(), b'300']

    def test_start_run_shutdown(self):
        self.assertTrue(self.supervisor.start_daemon(timeout=10))
        daemon = self.supervisor.pid
        self.assertTrue(supervision.pid_alive(daemon))
        self.assertFalse(self.supervisor.start_daemon())
        self.assertEqual(0o700, base.mode(self.paths.supervisor_socket))

        self.assertEqual({'sleeper': 'STOPPED'}, {
            name: info['statename']
            for name, info in self.supervisor.all_info().items()})
        pid = self.supervisor.start('sleeper')
        self.assertTrue(supervision.pid_alive(pid))
        # Until its exec, the child has supervisord's signal handlers: a
        # SIGTERM then is lost and the stop waits for stopwaitsecs.
        self.assertTrue(base.wait_for(lambda: self.runs_sleep(pid)),
                        'pid %d never became sleep 300' % pid)
        self.assertEqual(pid, self.supervisor.start('sleeper'))
        info = self.supervisor.all_info()
        self.assertEqual(['sleeper'], list(info))
        self.assertEqual('RUNNING', info['sleeper']['statename'])
        self.assertEqual(pid, info['sleeper']['pid'])

        self.assertEqual([], self.supervisor.shutdown(timeout=30))
        self.assertFalse(supervision.pid_alive(pid))
        self.assertFalse(supervision.pid_alive(daemon))
        self.assertIsNone(self.supervisor.pid)
        self.assertEqual({}, self.supervisor.all_info())

    def test_start_of_an_unknown_program(self):
        self.supervisor.start_daemon(timeout=10)
        self.addCleanup(self.supervisor.shutdown, 10)
        error = self.assertRaises(supervision.SupervisionError,
                                  self.supervisor.start, 'nothing')
        self.assertIn('could not start nothing', str(error))


# A program that notes when it is ready and when it stopped, ``delay``
# seconds after its SIGTERM.
NOTER = '''import sys, signal, time
name, delay, log = sys.argv[1], float(sys.argv[2]), sys.argv[3]
def note(what):
    with open(log, 'a') as f:
        f.write('%s %s\\n' % (what, name))
def stop(*_):
    time.sleep(delay)
    note('stopped')
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
note('ready')
while True:
    time.sleep(1)
'''


class ShutdownInTiersTest(RealSupervisordTestCase):
    """Programs that take longer to stop than those stopped after them."""

    # name: seconds it takes to stop
    PROGRAMS = {'first': 0.0, 'api': 0.6, 'rabbitmq': 0.3, 'mariadb': 0.0}

    def setUp(self):
        super().setUp()
        script = os.path.join(self.paths.home, 'noter.py')
        with open(script, 'w') as f:
            f.write(NOTER)
        self.notes = os.path.join(self.paths.home, 'notes')
        self.write_conf([services.Service(name, (
            sys.executable, script, name, str(delay), self.notes))
            for name, delay in self.PROGRAMS.items()])

    def read_notes(self, what):
        try:
            with open(self.notes) as f:
                return [line.split()[1] for line in f
                        if line.split()[0] == what]
        except FileNotFoundError:
            return []

    def test_each_tier_is_gone_before_the_next_is_stopped(self):
        self.supervisor.start_daemon(timeout=10)
        for name in self.PROGRAMS:
            self.supervisor.start(name)
        self.assertTrue(base.wait_for(
            lambda: len(self.read_notes('ready')) == len(self.PROGRAMS),
            timeout=20), 'not every program got ready: %s'
            % self.read_notes('ready'))
        killed = self.supervisor.shutdown(
            timeout=30, tiers=[['api'], ['rabbitmq'], ['mariadb']])
        self.assertEqual([], killed)
        # 'first' is in no tier: it goes before them.
        self.assertEqual(['first', 'api', 'rabbitmq', 'mariadb'],
                         self.read_notes('stopped'))
        self.assertIsNone(self.supervisor.pid)


class StraysTest(SupervisionTestCase):

    def test_only_processes_with_this_supervisords_socket(self):
        env = dict(os.environ, SUPERVISOR_SERVER_URL='unix://'
                   + self.paths.supervisor_socket)
        ours = subprocess.Popen([shutil.which('sleep'), '30'], env=env)
        self.addCleanup(ours.wait)
        self.addCleanup(ours.kill)
        env['SUPERVISOR_SERVER_URL'] += '.another'
        theirs = subprocess.Popen([shutil.which('sleep'), '30'], env=env)
        self.addCleanup(theirs.wait)
        self.addCleanup(theirs.kill)
        self.assertTrue(base.wait_for(
            lambda: supervision.Supervisor(self.paths).strays()),
            'the child never showed its environment')
        self.assertEqual([ours.pid],
                         supervision.Supervisor(self.paths).strays())
