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

"""The bootstrap's install checks; nothing is installed."""

import os
import sys
from unittest import mock
import zipfile

import fixtures

from localcloud import install
from localcloud import layout
from localcloud.tests import base

DEBIAN_BINARIES = (layout.MARIADBD, layout.RABBITMQ_SERVER)


class VenvTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.constraints = os.path.join(self.paths.home, 'constraints.txt')
        self.write(self.constraints, 'nova===1.0\nuv==0.9.1\n')
        self.useFixture(fixtures.MockPatchObject(layout, 'CONSTRAINTS',
                                                 self.constraints))
        self.packages = install.cloud_packages()

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)

    def mark(self, text):
        self.write(os.path.join(self.paths.venv, install.VENV_MARK), text)

    def is_current(self):
        return install.venv_is_current(self.paths.venv, self.packages)

    def test_no_marker(self):
        self.assertFalse(self.is_current())

    def test_marker_of_these_constraints(self):
        self.mark(install._fingerprint(self.packages) + '\n')
        self.assertTrue(self.is_current())

    def test_constraints_changed(self):
        self.mark(install._fingerprint(self.packages))
        self.write(self.constraints, 'nova===2.0\n')
        self.assertFalse(self.is_current())

    def test_packages_changed(self):
        self.mark(install._fingerprint(self.packages))
        self.useFixture(fixtures.MockPatchObject(
            layout, 'PYTHON_PACKAGES', layout.PYTHON_PACKAGES + ('x',)))
        self.packages = install.cloud_packages()
        self.assertFalse(self.is_current())

    def test_pinned_version(self):
        self.write(self.constraints,
                   '# uv==0.0.1 in a comment\ntox-uv==1.2\nuv==0.9.1\n'
                   'Tox_UV_bare==1.3\n')
        self.assertEqual(('0.9.1', '1.2', '1.3'),
                         (install.pinned_version('uv'),
                          install.pinned_version('tox-uv'),
                          install.pinned_version('tox.uv-bare')))
        error = self.assertRaises(install.InstallError,
                                  install.pinned_version, 'pip')
        self.assertIn('constraints.txt pins no version of pip', str(error))


class UvTest(base.TestCase):
    """uv's binary out of a wheel that pip downloads (mocked)."""

    def setUp(self):
        super().setUp()
        self.home = self.useFixture(fixtures.TempDir()).path
        constraints = os.path.join(self.home, 'constraints.txt')
        with open(constraints, 'w') as f:
            f.write('uv==0.9.1\n')
        self.useFixture(fixtures.MockPatchObject(layout, 'CONSTRAINTS',
                                                 constraints))
        self.out = self.capture()
        self.run_logged = self.useFixture(fixtures.MockPatchObject(
            install, '_run_logged', side_effect=self.pip_download)).mock
        self.find_spec = self.useFixture(fixtures.MockPatch(
            'importlib.util.find_spec', return_value='a spec')).mock
        self.wheel_members = {'uv-0.9.1.data/scripts/uv': b'#!uv binary',
                              'uv-0.9.1.data/scripts/uvx': b'#!uvx',
                              'uv/__init__.py': b''}

    def pip_download(self, cmd, env, report, what, **kwargs):
        if 'download' not in cmd:
            return
        directory = cmd[cmd.index('-d') + 1]
        with zipfile.ZipFile(os.path.join(
                directory, 'uv-0.9.1-py3-none-any.whl'), 'w') as wheel:
            for name, data in self.wheel_members.items():
                wheel.writestr(name, data)

    def test_unpacks_the_pinned_binary_once(self):
        path = install.ensure_uv(self.home, mock.Mock())
        self.assertEqual(os.path.join(self.home, 'uv-0.9.1', 'uv'), path)
        with open(path, 'rb') as binary:
            self.assertEqual(b'#!uv binary', binary.read())
        self.assertTrue(os.access(path, os.X_OK))
        cmd = self.run_logged.call_args[0][0]
        self.assertEqual([sys.executable, '-m', 'pip', 'download',
                          '--no-deps'], cmd[:5])
        self.assertEqual('uv', cmd[-1])
        self.assertEqual(layout.CONSTRAINTS, cmd[cmd.index('-c') + 1])
        self.assertEqual(path, install.ensure_uv(self.home, mock.Mock()))
        self.assertEqual(1, self.run_logged.call_count)

    def test_pip_failing_means_pip_installs(self):
        self.run_logged.side_effect = install.InstallError(
            'pip download uv failed (exit 1). Its last lines:\nno match')
        self.assertIsNone(install.ensure_uv(self.home, mock.Mock()))
        self.assertIn('uv cannot be had here, so pip installs instead',
                      self.out.getvalue())
        self.assertIn('pip download uv failed (exit 1)', self.out.getvalue())
        self.assertFalse(os.path.exists(install.uv_path(self.home)))

    def test_a_wheel_without_the_binary(self):
        del self.wheel_members['uv-0.9.1.data/scripts/uv']
        self.assertIsNone(install.ensure_uv(self.home, mock.Mock()))
        self.assertIn('uv-0.9.1-py3-none-any.whl holds no uv binary',
                      self.out.getvalue())

    def test_without_pip_a_scratch_venv_gives_one(self):
        self.find_spec.return_value = None
        install.ensure_uv(self.home, mock.Mock())
        make_venv, download = [c[0][0] for c in
                               self.run_logged.call_args_list]
        self.assertEqual([sys.executable, '-m', 'venv'], make_venv[:3])
        self.assertEqual([os.path.join(make_venv[3], 'bin', 'python3'),
                          '-m', 'pip', 'download'], download[:4])


class EnsureVenvTest(base.TestCase):
    """Which installer fills the venv; nothing is installed."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        # The venv's directory, as either installer would make it.
        self.run_logged = self.useFixture(fixtures.MockPatchObject(
            install, '_run_logged', side_effect=lambda *args, **kwargs:
            os.makedirs(self.paths.venv, exist_ok=True))).mock

    def commands(self, uv):
        self.useFixture(fixtures.MockPatchObject(
            install, 'ensure_uv', return_value=uv))
        self.useFixture(fixtures.MockPatchObject(
            install, 'venv_is_current', return_value=False))
        self.assertTrue(install.ensure_venv(self.paths, mock.Mock()))
        return [c[0][0] for c in self.run_logged.call_args_list]

    def test_uv_compiles_bytecode(self):
        make, fill = self.commands('/u/uv')
        self.assertEqual(['/u/uv', 'venv'], make[:2])
        self.assertEqual(sys.executable, make[make.index('--python') + 1])
        self.assertEqual(['/u/uv', 'pip', 'install'], fill[:3])
        self.assertIn('--compile-bytecode', fill)
        self.assertEqual(['-e', layout.REPO_ROOT + '[report]'], fill[-2:])
        self.assertEqual(self.paths.venv_python,
                         fill[fill.index('--python') + 1])

    def test_pip_without_uv(self):
        make, fill = self.commands(None)
        self.assertEqual([sys.executable, '-m', 'venv', self.paths.venv],
                         make)
        self.assertEqual([self.paths.venv_python, '-m', 'pip', 'install'],
                         fill[:4])
        self.assertEqual(layout.CONSTRAINTS, fill[fill.index('-c') + 1])
        self.assertEqual(list(layout.PYTHON_PACKAGES),
                         fill[fill.index('-c') + 2:-2])

    def test_current_venv_is_left_alone(self):
        self.useFixture(fixtures.MockPatchObject(
            install, 'venv_is_current', return_value=True))
        self.assertFalse(install.ensure_venv(self.paths, mock.Mock()))
        self.run_logged.assert_not_called()


class DebianPackagesTest(base.TestCase):
    """Neither apt-get nor policy-rc.d is ever touched here."""

    def setUp(self):
        super().setUp()
        self.run_logged = self.useFixture(fixtures.MockPatchObject(
            install, '_run_logged')).mock
        self.deny = self.useFixture(fixtures.MockPatchObject(
            install, '_deny_service_starts', return_value=False)).mock
        self.report = mock.Mock()

    def machine(self, missing, euid, python_modules=('pip', 'ensurepip')):
        self.useFixture(fixtures.MockPatch(
            'os.path.exists', side_effect=lambda path: path not in missing))
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=euid))
        self.useFixture(fixtures.MockPatch(
            'importlib.util.find_spec',
            side_effect=lambda name: name in python_modules or None))

    def test_missing_without_root(self):
        self.machine(missing=DEBIAN_BINARIES, euid=1000)
        error = self.assertRaises(install.InstallError,
                                  install.ensure_debian_packages, self.report)
        message = str(error)
        self.assertIn('needs root', message)
        for path in DEBIAN_BINARIES + layout.DEBIAN_PACKAGES:
            self.assertIn(path, message)
        self.run_logged.assert_not_called()
        self.deny.assert_not_called()

    def test_one_missing_is_named_alone(self):
        self.machine(missing=(layout.RABBITMQ_SERVER,), euid=1000)
        error = self.assertRaises(install.InstallError,
                                  install.ensure_debian_packages, self.report)
        self.assertIn('rabbitmq-server not installed (%s)'
                      % layout.RABBITMQ_SERVER, str(error))

    def test_present_does_nothing(self):
        for euid in (0, 1000):
            self.machine(missing=(), euid=euid)
            self.assertFalse(install.ensure_debian_packages(self.report))
        self.run_logged.assert_not_called()
        self.deny.assert_not_called()

    def test_missing_as_root_runs_apt_get(self):
        self.machine(missing=DEBIAN_BINARIES, euid=0)
        self.assertTrue(install.ensure_debian_packages(self.report))
        self.deny.assert_called_once_with()
        commands = [call[0][0] for call in self.run_logged.call_args_list]
        self.assertEqual(['apt-get', 'update', '-q'], commands[0])
        self.assertEqual(['apt-get', 'install'], commands[1][:2])
        self.assertEqual(list(layout.DEBIAN_PACKAGES),
                         commands[1][-len(layout.DEBIAN_PACKAGES):])

    def test_python_without_pip_or_ensurepip_gets_python3_venv(self):
        for modules, wanted in (((), [layout.DEBIAN_PYTHON_VENV]),
                                (('ensurepip',), []), (('pip',), [])):
            self.machine(missing=(), euid=0, python_modules=modules)
            self.assertEqual(wanted,
                             list(install.debian_packages_missing()))
        self.machine(missing=DEBIAN_BINARIES, euid=0, python_modules=())
        self.assertEqual([layout.DEBIAN_PYTHON_VENV], list(
            install.debian_packages_missing([layout.DEBIAN_PYTHON_VENV])))
