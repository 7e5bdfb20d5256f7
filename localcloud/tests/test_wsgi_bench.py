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

"""The WSGI entry point and bench's helpers that need no cloud."""

import os
import shutil
import subprocess
import sys
import types

import fixtures

from localcloud.tests import base
from localcloud.tools import bench
from localcloud import wsgi

MODULE = 'localcloud_tests_fake_wsgi_api'


class WsgiTest(base.TestCase):

    def test_imports_the_module_with_an_argv_of_its_own(self):
        app = object()
        module = types.ModuleType(MODULE)
        module.application = app
        self.useFixture(fixtures.MockPatchObject(
            sys, 'argv', ['localcloud.wsgi', 'keystone.wsgi.api', '25000']))
        self.useFixture(fixtures.MockPatchObject(sys, 'modules', dict(
            sys.modules, **{MODULE: module})))
        self.assertIs(app, wsgi.application(MODULE))
        self.assertEqual([MODULE], sys.argv)


class BenchHelpersTest(base.TestCase):

    def test_process_memory_counts_the_tree(self):
        child = subprocess.Popen([shutil.which('sleep'), '30'])
        self.addCleanup(child.wait)
        self.addCleanup(child.kill)
        rss, pss, count = bench.process_memory(os.getpid())
        self.assertGreaterEqual(count, 2)
        self.assertGreater(rss, 1)
        self.assertGreater(pss, 0)

    def test_run_stestr_like(self):
        out = self.capture()
        script = ('print("{0} a.test_one [1.500000s] ... ok");'
                  'print("{1} a.test_two [0.250000s] ... FAILED");'
                  'raise SystemExit(1)')
        rc, wall, own, outcomes = bench.run_stestr_like(
            [sys.executable, '-c', script], cwd=self.make_layout().home)
        self.assertEqual(1, rc)
        self.assertEqual(['ok', 'FAILED'], outcomes)
        self.assertAlmostEqual(1.75, own)
        self.assertGreater(wall, 0)
        self.assertIn('exited 1', out.getvalue())
        self.assertIn('a.test_two', out.getvalue())
