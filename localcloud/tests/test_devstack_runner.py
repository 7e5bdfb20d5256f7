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

"""The devstack job's runner, without a container (commands mocked)."""

import configparser
import json
import os
import subprocess
import sys
import tarfile
from unittest import mock

import fixtures

from localcloud.devstack_job import container
from localcloud.devstack_job import runner
from localcloud import install
from localcloud import layout
from localcloud import proof
from localcloud.tests import base


class RunnerTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.out = self.capture()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.run = runner.Run(self.state)

    def test_a_failed_phase_is_named_with_its_logs_tail(self):
        def fails(log):
            with open(log, 'w') as f:
                f.write(''.join('line %d\n' % i for i in range(100)))
            raise container.ContainerError('stack.sh exited 1')

        self.assertFalse(self.run.phase('stack', fails))
        self.assertEqual('stack', self.run.failed)
        printed = self.out.getvalue()
        self.assertIn('stack FAILED', printed)
        self.assertIn('line 99\n', printed)
        self.assertNotIn('line 59\n', printed)
        self.assertEqual(('stack', 'failed'), (self.run.timings[0][0],
                                               self.run.timings[0][2]))

    def test_a_failed_phases_tail_shows_no_password(self):
        password = self.run.passwords()['ADMIN_PASSWORD']

        def fails(log):
            with open(log, 'w') as f:
                f.write('The password: %s\n' % password)
            raise container.ContainerError('stack.sh exited 1')

        self.run.phase('stack', fails)
        self.assertNotIn(password, self.out.getvalue())
        self.assertIn('The password: ********', self.out.getvalue())
        self.assertEqual(0o700, base.mode(self.run.dir))

    def test_the_first_failure_is_the_one_named(self):
        def fails(log):
            raise container.ContainerError('no')

        self.run.phase('stack', fails)
        self.run.phase('unstack', fails)
        self.assertEqual('stack', self.run.failed)

    def test_teardown_runs_after_a_failure(self):
        calls = []

        def phase(name, action):
            calls.append(name)
            return name != 'stack'

        def fake_run(state_dir, destination_driver):
            fake = mock.Mock(phase=mock.Mock(side_effect=phase),
                             container=object(), failed='stack',
                             timings=[], dir=state_dir)
            fake.stack_log.return_value = '/x/devstacklog.txt'
            return fake

        self.useFixture(fixtures.MockPatchObject(runner, 'Run', fake_run))
        self.assertEqual(1, runner.main([]))
        self.assertEqual(['host', 'tree', 'sources', 'local_conf', 'boot',
                          'stack', 'unstack', 'stop'], calls)
        self.assertIn('stack.sh log: /x/devstacklog.txt',
                      self.out.getvalue())

    def test_passwords_are_generated_once_and_kept_private(self):
        first = self.run.passwords()
        self.assertEqual(set(runner.PASSWORDS), set(first))
        self.assertEqual(0o600, base.mode(os.path.join(self.state,
                                                       'passwords.json')))
        self.assertEqual(first, runner.Run(self.state).passwords())

    def test_leftovers_lists_what_the_dry_run_found(self):
        path = os.path.join(self.state, 'dry_run.json')
        with open(path, 'w') as f:
            json.dump({'servers': [{'id': 'a'}], 'flavors': [],
                       'project': {'p1': {'images': []},
                                   'p2': {'keypairs': [1, 2]}}}, f)
        self.assertEqual(['project/p2/keypairs (2)', 'servers (1)'],
                         runner.leftovers(path))


class VerdictTest(base.TestCase):

    def test_as_shipped_it_must_pass(self):
        run = runner.Run(self.useFixture(fixtures.TempDir()).path)
        self.assertEqual('passed, nothing left behind',
                         run.verdict(True, {}))
        self.assertRaises(runner.StepFailed, run.verdict, False,
                          {'t.test_a': 'boom'})

    def test_on_the_working_driver_it_fails_naming_it(self):
        run = runner.Run(self.useFixture(fixtures.TempDir()).path,
                         'fake.FakeDriver')
        exc = self.assertRaises(runner.StepFailed, run.verdict, False,
                                {'t.test_a': proof.MISSING_DRIVER})
        self.assertIn('as it must', str(exc))
        exc = self.assertRaises(runner.StepFailed, run.verdict, False,
                                {'t.test_a': 'a timeout'})
        self.assertIn('without naming', str(exc))
        exc = self.assertRaises(runner.StepFailed, run.verdict, True, {})
        self.assertIn('passed with the destination on', str(exc))


class SourcesTest(base.TestCase):

    def test_an_sdist_is_unpacked_without_its_top_directory(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        source = os.path.join(tmp, 'nova-34.0.0')
        os.makedirs(os.path.join(source, 'nova'))
        with open(os.path.join(source, 'PKG-INFO'), 'w') as f:
            f.write('Version: 34.0.0\n')
        archive = os.path.join(tmp, 'nova-34.0.0.tar.gz')
        with tarfile.open(archive, 'w:gz') as tar:
            tar.add(source, 'nova-34.0.0')
        target = os.path.join(tmp, 'dest', 'nova')
        runner.extract(archive, target)
        self.assertEqual(['PKG-INFO', 'nova'], sorted(os.listdir(target)))

    def test_an_sdist_is_found_however_its_name_is_spelt(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        for name in ('openstack_placement-16.0.0.tar.gz',
                     'openstack_placement-16.0.1.tar.gz', 'nova-34.0.0.zip'):
            open(os.path.join(tmp, name), 'w').close()
        self.assertEqual(
            os.path.join(tmp, 'openstack_placement-16.0.0.tar.gz'),
            runner.find_sdist(tmp, 'openstack-placement', '16.0.0'))
        self.assertIsNone(runner.find_sdist(tmp, 'nova', '34.0.0'))

    def test_a_missing_sdist_after_the_download_fails_the_phase(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MockPatchObject(container, 'run_logged'))
        run = runner.Run(tmp)
        self.assertRaises(runner.StepFailed, run.sdist, tmp, 'nova',
                          '34.0.0', os.path.join(tmp, 'log'))

    def test_a_tree_becomes_a_tagged_git_repository(self):
        tree = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(tree, 'setup.cfg'), 'w') as f:
            f.write('[metadata]\n')
        runner.git_commit(tree, os.path.join(tree, '..', 'git.log'),
                          tag='47.0.0')
        described = subprocess.run(['git', '-C', tree, 'describe'],
                                   capture_output=True, text=True)
        self.assertEqual('47.0.0', described.stdout.strip())
        branch = subprocess.run(['git', '-C', tree, 'branch',
                                 '--show-current'],
                                capture_output=True, text=True)
        self.assertEqual(runner.TEMPEST_BRANCH, branch.stdout.strip())


class ContainerTest(base.TestCase):

    def test_commands_run_niced_as_devstacks_user(self):
        box = container.Container('/r', 'm', [], '/dev/null')
        box.leader = 4242
        command = box.as_user('./stack.sh')
        self.assertEqual(container.NICE, command[:len(container.NICE)])
        self.assertIn('--target', command)
        self.assertEqual('4242', command[command.index('--target') + 1])
        self.assertEqual(['runuser', '-u', 'stack', '--', 'bash', '-c',
                          './stack.sh'], command[-7:])

    def test_a_current_base_is_kept(self):
        base_dir = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(base_dir, '.resize-devstack-base'), 'w') as f:
            f.write(' '.join(container.debootstrap_command(base_dir)))
        run = self.useFixture(fixtures.MockPatchObject(
            container, 'run_logged')).mock
        self.assertFalse(container.ensure_base(base_dir, '/dev/null'))
        run.assert_not_called()

    def test_a_tree_in_use_is_not_removed(self):
        tree = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MockPatchObject(
            container, 'processes_in', return_value=[77]))
        self.assertRaises(container.ContainerError, container.remove_tree,
                          tree)
        self.assertTrue(os.path.isdir(tree))

    def test_stop_asks_systemd_and_never_kills(self):
        box = container.Container('/r', 'm', [], '/dev/null')
        box.leader = 4242
        box.nspawn = mock.Mock()
        box.nspawn.poll.return_value = None
        box.nspawn.wait.side_effect = [
            subprocess.TimeoutExpired('nspawn', 1), 0]
        calls = self.useFixture(fixtures.MockPatch(
            'subprocess.call')).mock
        kill = self.useFixture(fixtures.MockPatch('os.kill')).mock
        box.stop()
        commands = [c.args[0][-2:] for c in calls.mock_calls]
        self.assertIn(['systemctl', 'poweroff'], commands)
        kill.assert_called_once_with(4242, container.signal.SIGRTMIN + 4)
        box.nspawn.kill.assert_not_called()


class ToxEnvTest(base.TestCase):

    def test_ci_does_not_run_it(self):
        # .ci/run runs tox's envlist: the job takes the host's standard
        # ports, 6 GiB and a quarter of an hour (README).
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(os.path.join(layout.REPO_ROOT, 'tox.ini'))
        envlist = parser.get('tox', 'envlist').split(',')
        self.assertNotIn('devstack', envlist)
        self.assertIn('python3 -m localcloud.devstack_job',
                      parser.get('testenv:devstack', 'commands'))


class UpperConstraintsTest(base.TestCase):

    def test_the_projects_pins_win_where_both_pin(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        upper = os.path.join(tmp, 'upper-constraints.txt')
        with open(upper, 'w') as f:
            f.write('keystoneauth1===5.15.0\n'
                    'pywin32===306;sys_platform=="win32"\n'
                    'oslo.config===9.0.0;python_version>="3.10"\n'
                    'zzz-only-here===1.0\n')
        runner.pin_upper_constraints(
            upper, {'keystoneauth1': '5.16.1', 'oslo-config': '10.1.0'},
            os.path.join(tmp, 'log'))
        with open(upper) as f:
            self.assertEqual('keystoneauth1===5.16.1\n'
                             'pywin32===306;sys_platform=="win32"\n'
                             'oslo.config===10.1.0;python_version>="3.10"\n'
                             'zzz-only-here===1.0\n', f.read())

    def test_the_projects_pins_are_read_normalized(self):
        pins = runner.project_pins(layout.CONSTRAINTS)
        self.assertEqual(install.pinned_version('nova'), pins['nova'])
        self.assertIn('oslo-config', pins)


class SysctlShimTest(base.TestCase):

    def shim(self, *args):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'sysctl')
        with open(path, 'w') as f:
            f.write(runner.SYSCTL_SHIM)
        return subprocess.run(['sh', path] + list(args),
                              capture_output=True, text=True)

    def test_ip_forward_is_not_written_to_the_shared_namespace(self):
        # stack.sh's and lib/nova's "sudo sysctl -w net.ipv4.ip_forward=1"
        # failed here (a read-only /proc/sys): it must succeed unapplied.
        result = self.shim('-w', 'net.ipv4.ip_forward=1')
        self.assertEqual(0, result.returncode)
        self.assertIn('left as the host has it', result.stderr)

    def test_everything_else_goes_to_the_real_sysctl(self):
        if not os.path.exists('/usr/sbin/sysctl'):
            self.skipTest('no /usr/sbin/sysctl here')
        result = self.shim('-n', 'kernel.ostype')
        self.assertEqual(('Linux\n', 0), (result.stdout, result.returncode))


class TreeTest(base.TestCase):

    def test_the_tree_gets_the_stand_ins_and_the_user(self):
        run = runner.Run(self.useFixture(fixtures.TempDir()).path)
        os.makedirs(run.in_root('/etc/apt/sources.list.d'))
        chroot = self.useFixture(fixtures.MockPatchObject(
            container, 'run_logged')).mock
        self.useFixture(fixtures.MockPatch('shutil.copy'))
        os.makedirs(run.in_root(runner.DEST))
        run.configure_tree('/dev/null')
        with open(run.in_root('/usr/local/sbin/sysctl')) as f:
            self.assertEqual(runner.SYSCTL_SHIM, f.read())
        self.assertEqual(0o755, base.mode(run.in_root('/usr/local/sbin/'
                                                      'sysctl')))
        drop_in = run.in_root('/etc/systemd/system/iscsid.service.d/'
                              'resize-devstack.conf')
        with open(drop_in) as f:
            unit = f.read()
        # The Debian unit's forking start and its checks are replaced.
        for line in ('Type=oneshot', 'ExecStartPre=', 'ExecStart=\n'):
            self.assertIn(line, unit)
        self.assertEqual(0o440, base.mode(run.in_root('/etc/sudoers.d/'
                                                      'stack')))
        commands = [c.args[0] for c in chroot.mock_calls]
        self.assertIn(['chroot', run.root, 'locale-gen'], commands)
        self.assertIn('useradd', [c[2] for c in commands])


class RunnerImportsTest(base.TestCase):

    def test_the_runner_needs_none_of_the_cloud_s_packages(self):
        # tox's devstack env installs PyYAML, Jinja2 and pip only: the
        # runner must import without what the local cloud's venv holds.
        blocked = ('supervisor', 'openstack', 'waitress', 'tempest')
        proc = subprocess.run(
            [sys.executable, '-c',
             'import sys\n'
             'sys.modules.update(dict.fromkeys(%r))\n'
             'import localcloud.devstack_job.runner' % (blocked,)],
            cwd=layout.REPO_ROOT, capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
