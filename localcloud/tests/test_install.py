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
from unittest import mock

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
        self.write(self.constraints, 'nova===1.0\n')
        self.useFixture(fixtures.MockPatchObject(layout, 'CONSTRAINTS',
                                                 self.constraints))

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)

    def mark(self, text):
        self.write(os.path.join(self.paths.venv, '.localcloud-installed'),
                   text)

    def test_no_marker(self):
        self.assertFalse(install.venv_is_current(self.paths))

    def test_marker_of_these_constraints(self):
        self.mark(install._venv_fingerprint() + '\n')
        self.assertTrue(install.venv_is_current(self.paths))

    def test_constraints_changed(self):
        self.mark(install._venv_fingerprint())
        self.write(self.constraints, 'nova===2.0\n')
        self.assertFalse(install.venv_is_current(self.paths))

    def test_packages_changed(self):
        self.mark(install._venv_fingerprint())
        self.useFixture(fixtures.MockPatchObject(
            layout, 'PYTHON_PACKAGES', layout.PYTHON_PACKAGES + ('x',)))
        self.assertFalse(install.venv_is_current(self.paths))


class DebianPackagesTest(base.TestCase):
    """Neither apt-get nor policy-rc.d is ever touched here."""

    def setUp(self):
        super().setUp()
        self.run_logged = self.useFixture(fixtures.MockPatchObject(
            install, '_run_logged')).mock
        self.deny = self.useFixture(fixtures.MockPatchObject(
            install, '_deny_service_starts', return_value=False)).mock
        self.report = mock.Mock()

    def machine(self, missing, euid):
        self.useFixture(fixtures.MockPatch(
            'os.path.exists', side_effect=lambda path: path not in missing))
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=euid))

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
        self.assertIn('(%s missing)' % layout.RABBITMQ_SERVER, str(error))

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
