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

"""The structure of .zuul.yaml: jobs, parents, variables, pipelines.

What the jobs rely on upstream (parents, nodesets, the roles that read each
variable, how run-tempest passes the regex) is checked against tempest's
and devstack's own trees in test_zuul_upstream.py.
"""

import ast
import importlib.util
import os
import re

import testtools

from tests import base


def collect_test_ids(package_dir, module_prefix, skip_dirs=()):
    """Test ids (module.Class.test_method) under a directory.

    Read from the test_*.py files with ast, without importing anything.
    """
    ids = []
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = [d for d in dirs if d not in skip_dirs]
        for filename in files:
            if not (filename.startswith('test_')
                    and filename.endswith('.py')):
                continue
            path = os.path.join(root, filename)
            rel = os.path.relpath(path, package_dir)[:-len('.py')]
            module = '.'.join([module_prefix] + rel.split(os.sep))
            with open(path, 'rb') as f:
                tree = ast.parse(f.read(), path)
            for node in tree.body:
                if not isinstance(node, ast.ClassDef):
                    continue
                for item in node.body:
                    if (isinstance(item, (ast.FunctionDef,
                                          ast.AsyncFunctionDef))
                            and item.name.startswith('test')):
                        ids.append('%s.%s.%s' % (module, node.name,
                                                 item.name))
    return ids


class ZuulJobsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.jobs, self.project = base.load_zuul()
        self.shape = base.load_shape()
        self.failing = self.shape.get('compute', 'destination_driver')

    def vars(self, name):
        return base.effective(self.jobs, name, 'vars')

    def group_vars(self, name):
        return base.effective(self.jobs, name, 'group-vars')

    def test_regex_selects_the_scenario(self):
        regex = self.vars(base.BASE_JOB).get('tempest_test_regex')
        ids = base.plugin_test_ids()
        self.assertNotEqual([], ids, 'found no scenario test')
        self.assertEqual(ids, base.selected(regex, ids),
                         'tempest_test_regex %r misses scenario tests'
                         % regex)

    def test_regex_selects_none_of_tempests_own_tests(self):
        regex = self.vars(base.BASE_JOB).get('tempest_test_regex')
        spec = importlib.util.find_spec('tempest')
        if spec is None or not spec.submodule_search_locations:
            self.skipTest('tempest is not installed')
        tempest_dir = list(spec.submodule_search_locations)[0]
        ids = collect_test_ids(tempest_dir, 'tempest', skip_dirs=('tests',))
        self.assertGreater(len(ids), 1000, 'found too few tempest tests')
        self.assertEqual([], base.selected(regex, ids),
                         'tempest_test_regex %r also selects tempest tests'
                         % regex)

    def test_multinode_subnode_runs_the_failing_driver(self):
        subnode = self.group_vars(base.MULTINODE_JOB).get('subnode', {})
        self.assertEqual('fake',
                         subnode.get('devstack_localrc', {})
                         .get('VIRT_DRIVER'))
        drivers = base.all_compute_drivers(subnode.get('devstack_local_conf'))
        self.assertEqual([('post-config', '$NOVA_CPU_CONF', self.failing)],
                         drivers)

    def test_multinode_controller_is_not_the_failing_one(self):
        controller = self.vars(base.MULTINODE_JOB)
        drivers = base.all_compute_drivers(
            controller.get('devstack_local_conf'))
        self.assertNotIn(self.failing, [d for _p, _f, d in drivers])

    def test_multinode_runs_one_fake_compute_per_node(self):
        # Each node's only fake compute is "<hostname>1", the names
        # RESIZE_FAIL_*_HOST are built from (test_zuul_upstream checks
        # which node each names).
        localrc = self.vars(base.MULTINODE_JOB)['devstack_localrc']
        subnode_localrc = (self.group_vars(base.MULTINODE_JOB)
                           ['subnode'].get('devstack_localrc', {}))
        self.assertNotIn('NUMBER_FAKE_NOVA_COMPUTE', subnode_localrc)
        self.assertNotIn('NUMBER_FAKE_NOVA_COMPUTE', localrc)
        for name in ('RESIZE_FAIL_SOURCE_HOST',
                     'RESIZE_FAIL_DESTINATION_HOST'):
            self.assertTrue(localrc.get(name, '').endswith('}}1'), name)

    def test_single_node_has_two_computes_the_second_failing(self):
        v = self.vars(base.SINGLE_NODE_JOB)
        localrc = v['devstack_localrc']
        self.assertEqual(2, localrc.get('NUMBER_FAKE_NOVA_COMPUTE'))
        drivers = base.all_compute_drivers(v.get('devstack_local_conf'))
        self.assertEqual([('post-config', '$NOVA_FAKE_CONF-2', self.failing)],
                         drivers)
        # The plugin's defaults (${HOSTNAME}1, ${HOSTNAME}2) apply.
        self.assertNotIn('RESIZE_FAIL_SOURCE_HOST', localrc)
        self.assertNotIn('RESIZE_FAIL_DESTINATION_HOST', localrc)
        self.assertNotIn(base.SINGLE_NODE_JOB, self.group_vars_jobs())

    def group_vars_jobs(self):
        return [n for n, j in self.jobs.items() if j.get('group-vars')]

    def test_single_node_tempest_counts_every_fake_compute(self):
        v = self.vars(base.SINGLE_NODE_JOB)
        test_config = v['devstack_local_conf'].get('test-config', {})
        compute = test_config.get('$TEMPEST_CONFIG', {}).get('compute', {})
        self.assertEqual(v['devstack_localrc'].get('NUMBER_FAKE_NOVA_COMPUTE'),
                         compute.get('min_compute_nodes'))

    def test_irrelevant_files_keep_what_the_jobs_run(self):
        patterns = [re.compile(p) for p in
                    self.jobs[base.BASE_JOB].get('irrelevant-files', [])]
        self.assertTrue(patterns)

        def irrelevant(path):
            return any(p.match(path) for p in patterns)

        for path in ('devstack/plugin.sh', 'devstack/settings',
                     'resize_tempest_plugin/cloud_shape.ini',
                     'resize_tempest_plugin/config.py',
                     'resize_tempest_plugin/scenario/test_resize_fail.py',
                     '.zuul.yaml', 'setup.cfg', 'requirements.txt'):
            self.assertFalse(irrelevant(path), path)
        for path in ('doc/devstack.rst', 'README.rst',
                     'tests/test_zuul_jobs.py',
                     'resize_tempest_plugin/tests/test_config.py'):
            self.assertTrue(irrelevant(path), path)
