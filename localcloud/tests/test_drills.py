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
"""The drills' harness, on stand-ins: no cloud is started or broken."""

import os
import signal
import subprocess

import fixtures

from localcloud.tests import base
from localcloud.tools import drills

TEST_ID = 'resize_tempest_plugin.scenario.test_resize_fail.T.test_x'
TEMPEST_OUTPUT = '''
{0} %s [75.2s] ... FAILED

Captured traceback:
~~~~~~~~~~~~~~~~~~~
    Traceback (most recent call last):
      File "test_resize_fail.py", line 350, in test_x
    AssertionError: The resize did not fail: migration finished
    States seen:

Captured traceback-1:
~~~~~~~~~~~~~~~~~~~~~
    Traceback (most recent call last):
    resize_tempest_plugin.waiters.WaitTimeout: server 1 to be deleted: \
not reached within 60 s (compute.build_timeout)

======
Totals
======
Ran: 1 tests in 80.0000 sec.
 - Passed: 0
 - Skipped: 0
 - Failed: 1
''' % TEST_ID

STATUS_OUTPUT = '''\
mariadb                RUNNING  pid 101     port 26306  healthy: listening
placement              STOPPED  pid -       port 31778  not running
nova-compute-host2     RUNNING  pid 2024    port -      healthy: up
'''


class OutputTest(base.TestCase):

    def test_verdict_and_failed_cleanups_first_lines(self):
        self.assertEqual(
            ['AssertionError: The resize did not fail: migration finished',
             'resize_tempest_plugin.waiters.WaitTimeout: server 1 to be '
             'deleted: not reached within 60 s (compute.build_timeout)'],
            drills.exception_lines(TEMPEST_OUTPUT))
        self.assertEqual([], drills.exception_lines('Passed: 1\n'))

    def test_outcome(self):
        self.assertEqual('1 failed', drills._outcome(TEMPEST_OUTPUT))
        self.assertEqual('no test result', drills._outcome('crashed'))


class HarnessTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.harness = drills.Harness(self.make_layout().home, None,
                                      'resize_fail')
        self.paths = self.harness.paths
        self.make_state_dirs(self.paths)
        os.makedirs(self.paths.workspace)
        self.out = self.capture()

    def test_pids_of_running_services_from_status(self):
        self.useFixture(fixtures.MockPatch(
            'subprocess.run', return_value=subprocess.CompletedProcess(
                [], 0, stdout=STATUS_OUTPUT)))
        self.assertEqual({'mariadb': 101, 'nova-compute-host2': 2024},
                         self.harness.pids())

    def test_a_run_past_its_bound_is_killed_and_called_hung(self):
        tempest = self.paths.bin('tempest')
        os.makedirs(os.path.dirname(tempest))
        with open(tempest, 'w') as script:
            script.write('#!/bin/sh\nsleep 30\n')
        os.chmod(tempest, 0o755)
        self.useFixture(fixtures.MockPatchObject(
            self.harness, 'run_bound', return_value=0.5))
        proc = self.harness.start_tempest()
        rc, seconds, _output = self.harness.finish_tempest(proc)
        self.assertIsNone(rc)
        self.assertLess(seconds, 10)
        self.harness.report_run('the run', rc, seconds, '')
        self.assertIn('FAILED: the run: HUNG, killed after',
                      self.out.getvalue())
        self.assertEqual(1, len(self.harness.failures))

    def test_the_log_is_read_past_the_offset_only(self):
        log = self.paths.log('tempest')
        with open(log, 'w') as f:
            f.write('Waiting for the resize of server 1 to reach error: x\n')
        since = self.harness.log_size()
        running = self.useFixture(fixtures.MockPatch(
            'subprocess.Popen')).mock.return_value
        running.poll.return_value = None
        self.assertFalse(self.harness.wait_in_log(
            drills.RESIZING, since, running, timeout=0.3))
        with open(log, 'a') as f:
            f.write('Waiting for the resize of server 2 to reach error: x\n')
        self.assertTrue(self.harness.wait_in_log(
            drills.RESIZING, since, running, timeout=0.3))

    def test_processes_naming_the_state_dir_are_found(self):
        # Named in its environment only, like RabbitMQ's epmd.
        proc = subprocess.Popen(['sleep', '30'],
                                env={'HOME': self.paths.path('rabbitmq')})
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        wanted = ['pid %d sleep 30 ' % proc.pid]
        # Until it has exec'd, the child's command line is this python's.
        self.assertTrue(base.wait_for(
            lambda: drills.cloud_processes(self.paths) == wanted))
        proc.kill()
        proc.wait()
        self.assertEqual([], drills.cloud_processes(self.paths))

    def test_kill_signals_the_pid_read_from_status(self):
        proc = subprocess.Popen(['sleep', '30'], start_new_session=True)
        self.addCleanup(proc.wait)
        self.assertTrue(self.harness.kill(
            'placement', signal.SIGTERM, {'placement': proc.pid}))
        self.assertEqual(-signal.SIGTERM, proc.wait(timeout=5))
        self.assertIn('placement (pid %d): SIGTERM' % proc.pid,
                      self.out.getvalue())
        self.assertFalse(self.harness.kill('rabbitmq', signal.SIGTERM, {}))
        self.assertEqual(['rabbitmq is not running: nothing to break'],
                         self.harness.failures)
