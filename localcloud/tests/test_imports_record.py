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

import os
import subprocess
import sys
import textwrap

import fixtures

from localcloud import imports_record
from localcloud import layout
from localcloud.tests import base


class ImportsRecordTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.record = os.path.join(self.dir, 'service.imports')

    def make_package(self):
        """A package named nova in the scratch tree, its modules old."""
        for module, text in (('nova/__init__.py', ''),
                             ('nova/compute/__init__.py', ''),
                             ('nova/compute/manager.py',
                              'def lazy():\n    import nova.virt.fake\n'),
                             ('nova/virt/__init__.py', ''),
                             ('nova/virt/fake.py', '')):
            path = os.path.join(self.dir, module)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(text)
            os.utime(path, (1000.0, 1000.0))

    def test_a_process_records_its_nova_imports_lazy_ones_too(self):
        self.make_package()
        program = textwrap.dedent('''
            from localcloud import imports_record
            imports_record.start()
            import json
            import nova.compute.manager
            nova.compute.manager.lazy()
        ''')
        subprocess.run(
            [sys.executable, '-c', program], check=True,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(
                [self.dir, layout.REPO_ROOT]),
                **{imports_record.VARIABLE: self.record}))
        started, names = imports_record.read(self.record)
        self.assertEqual(['nova', 'nova.compute', 'nova.compute.manager',
                          'nova.virt', 'nova.virt.fake'], sorted(names))
        self.assertEqual([], imports_record.changed_since_start(
            self.record, self.dir))
        # A later save of a module it imported lazily counts.
        fake = os.path.join(self.dir, 'nova', 'virt', 'fake.py')
        os.utime(fake, (started + 5, started + 5))
        self.assertEqual([fake], imports_record.changed_since_start(
            self.record, self.dir))

    def test_no_variable_records_nothing(self):
        imports_record.start(environ={})
        self.assertEqual([], os.listdir(self.dir))

    def test_no_record_is_none(self):
        self.assertIsNone(imports_record.read(self.record))
        self.assertIsNone(imports_record.changed_since_start(self.record,
                                                             self.dir))

    def test_module_files(self):
        self.make_package()
        self.assertEqual(os.path.join(self.dir, 'nova', 'compute',
                                      '__init__.py'),
                         imports_record.module_file(self.dir, 'nova.compute'))
        self.assertIsNone(imports_record.module_file(self.dir, 'nova.gone'))
