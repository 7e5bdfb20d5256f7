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
"""python3 -m localcloud.tox: tox from its own venv (installs mocked)."""

import os
from unittest import mock

import fixtures

from localcloud import install
from localcloud import layout
from localcloud.tests import base
from localcloud import tox


class ToxTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.out = self.capture()
        self.debian = self.useFixture(fixtures.MockPatchObject(
            install, 'ensure_debian_packages')).mock
        self.venv = self.useFixture(fixtures.MockPatchObject(
            install, 'ensure_venv_at', return_value=True)).mock
        self.execv = self.useFixture(fixtures.MockPatch('os.execv')).mock

    def test_runs_the_venvs_tox_with_the_arguments(self):
        tox.main(['-e', 'pep8,py3'])
        binary = os.path.join(tox.VENV, 'bin', 'tox')
        self.execv.assert_called_once_with(binary,
                                           [binary, '-e', 'pep8,py3'])
        self.venv.assert_called_once_with(tox.VENV, tox.packages(),
                                          layout.DEFAULT_HOME, mock.ANY)
        self.debian.assert_called_once_with(
            mock.ANY, wanted=[layout.DEBIAN_PYTHON_VENV])
        self.assertIn('installing tox: installed', self.out.getvalue())

    def test_tox_uv_only_where_it_installs(self):
        for version, wanted in (((3, 10, 12), ['tox']),
                                ((3, 11, 2), ['tox', 'tox-uv'])):
            with mock.patch('sys.version_info', version):
                self.assertEqual(wanted, tox.packages())

    def test_install_failure_is_one_line_and_exit_1(self):
        self.venv.side_effect = install.InstallError('no network')
        error = self.assertRaises(SystemExit, tox.main, [])
        self.assertEqual(1, error.code)
        self.assertIn('install failed: no network', self.out.getvalue())
        self.execv.assert_not_called()
