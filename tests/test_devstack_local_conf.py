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

"""The local.conf rendered from .zuul.yaml holds what the jobs say.

Rendered as devstack's write-devstack-local-conf role would on each node
(localcloud/devstack_job/local_conf.py), from the jobs merged down to
devstack's and tempest's own (../shared), and read back with devstack's
meta-section rules (base.parse_local_conf). The multinode job's Jinja
expressions are filled in from a made-up two-node layout (TWO_NODES).
"""

import io

import fixtures
import jinja2
import testtools

from localcloud.devstack_job import local_conf
from localcloud.devstack_job import runner
from localcloud.devstack_job import zuul_jobs
from tests import base

BASE_DIR = '/opt/stack'
# What Ansible would know of a two-node nodeset: each node's name.
NODENAMES = {'controller': 'ctl-host', 'compute1': 'sub-host'}


def two_node_facts(nodes, groups, node):
    facts = runner.facts(nodes, groups, node, None, '10.0.0.1', 1500)
    for name in nodes:
        facts['hostvars'][name]['ansible_nodename'] = NODENAMES[name]
    return facts


class RenderedLocalConfTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Skipped (failed in CI) without the upstream trees.
        base.devstack_dir(self)
        base.tempest_zuul_dir(self)
        self.zuul = zuul_jobs.Zuul.of_project(base.ZUUL_FILE,
                                              base.SHARED_DIR)
        self.jobs, _project = base.load_zuul()

    def render(self, job, node, facts=True, overrides=()):
        nodes, groups = self.zuul.nodeset(job)
        variables = self.zuul.node_vars(job, node)
        if facts:
            variables = local_conf.evaluate(
                variables, two_node_facts(nodes, groups, node))
        variables = local_conf.apply(variables, overrides)
        text = local_conf.render(variables, BASE_DIR,
                                 self.zuul.required_projects(job),
                                 base.PLUGIN_NAME)
        return base.parse_local_conf(text)

    def assertHoldsTheJob(self, job_vars, localrc, meta):
        """Every localrc variable, service and option the job sets."""
        for name, value in job_vars.get('devstack_localrc', {}).items():
            self.assertEqual(str(value), localrc['vars'].get(name), name)
        for name, enabled in job_vars.get('devstack_services', {}).items():
            line = '%s_service %s' % ('enable' if enabled else 'disable',
                                      name)
            self.assertIn(line, localrc['lines'])
        for phase, files in job_vars.get('devstack_local_conf', {}).items():
            for filename, sections in files.items():
                parser = meta[(phase, filename)]
                for section, options in sections.items():
                    for option, value in options.items():
                        self.assertEqual(str(value),
                                         parser.get(section, option),
                                         '[[%s|%s]] [%s] %s' % (
                                             phase, filename, section,
                                             option))

    def test_single_node_holds_what_the_zuul_file_says(self):
        localrc, meta = self.render(base.SINGLE_NODE_JOB, 'controller')
        self.assertHoldsTheJob(
            base.effective(self.jobs, base.SINGLE_NODE_JOB, 'vars'),
            localrc, meta)
        self.assertEqual('fake.FakeFinishMigrationFailDriver', meta[
            ('post-config', '$NOVA_FAKE_CONF-2')].get('DEFAULT',
                                                      'compute_driver'))
        self.assertEqual({base.PLUGIN_NAME:
                          'https://opendev.org/openstack/%s'
                          % base.PLUGIN_NAME}, localrc['plugins'])
        self.assertEqual('%s/%s' % (BASE_DIR, base.PLUGIN_NAME),
                         localrc['vars']['TEMPEST_PLUGINS'])
        # The plugin's line last: what follows it would not reach the
        # plugin.
        self.assertTrue(localrc['lines'][-1].startswith('enable_plugin'))

    def test_single_node_holds_devstack_and_tempest_jobs_too(self):
        localrc, meta = self.render(base.SINGLE_NODE_JOB, 'controller')
        # devstack-tempest's, as far as our job does not override it.
        self.assertIn('enable_service tempest', localrc['lines'])
        self.assertEqual('90', meta[('test-config', '$TEMPEST_CONFIG')]
                         .get('service-clients', 'http_timeout'))
        # devstack-base's "base: false": nothing but what is listed.
        self.assertEqual('disable_all_services', localrc['lines'][0])
        self.assertEqual('True', localrc['vars']['ERROR_ON_CLONE'])

    def test_multinode_controller_and_subnode(self):
        job = base.MULTINODE_JOB
        localrc, meta = self.render(job, 'controller')
        self.assertEqual('ctl-host1',
                         localrc['vars']['RESIZE_FAIL_SOURCE_HOST'])
        self.assertEqual('sub-host1',
                         localrc['vars']['RESIZE_FAIL_DESTINATION_HOST'])
        self.assertNotIn(('post-config', '$NOVA_CPU_CONF'), meta)
        # devstack-tempest's count of the "compute" group: both nodes.
        self.assertEqual('2', meta[('test-config', '$TEMPEST_CONFIG')]
                         .get('compute', 'min_compute_nodes'))
        sub_localrc, sub_meta = self.render(job, 'compute1')
        subnode = base.effective(self.jobs, job, 'group-vars')['subnode']
        self.assertHoldsTheJob(subnode, sub_localrc, sub_meta)
        self.assertEqual('fake.FakeFinishMigrationFailDriver', sub_meta[
            ('post-config', '$NOVA_CPU_CONF')].get('DEFAULT',
                                                   'compute_driver'))
        # Ansible gives the subnode its group's devstack_localrc, not the
        # job's: the destination is named only on the controller.
        self.assertNotIn('RESIZE_FAIL_DESTINATION_HOST', sub_localrc['vars'])
        self.assertEqual('10.0.0.1', sub_localrc['vars']['SERVICE_HOST'])

    def test_without_facts_the_expressions_stay(self):
        localrc, _meta = self.render(base.MULTINODE_JOB, 'controller',
                                     facts=False)
        self.assertEqual(
            "{{ hostvars['controller']['ansible_nodename'] }}1",
            localrc['vars']['RESIZE_FAIL_SOURCE_HOST'])

    def test_this_machines_overrides_are_all_in_it(self):
        overrides = local_conf.this_machine(
            '127.0.0.1', {'ADMIN_PASSWORD': 'not-a-secret'},
            'file:///opt/stack/images/tiny.raw', 'tiny',
            '/opt/stack/requirements/upper-constraints.txt')
        localrc, _meta = self.render(base.SINGLE_NODE_JOB, 'controller',
                                     overrides=overrides)
        for override in overrides:
            if override.variable == 'devstack_localrc':
                self.assertEqual(str(override.value),
                                 localrc['vars'][override.key])
            else:
                self.assertIn('disable_service %s' % override.key,
                              localrc['lines'])
        for service in ('ovn-northd', 'ovn-controller', 'etcd3', 'n-novnc'):
            self.assertNotIn('enable_service %s' % service,
                             localrc['lines'])
        described = '\n'.join(local_conf.describe(overrides))
        self.assertNotIn('not-a-secret', described)
        self.assertIn('ADMIN_PASSWORD', described)

    def test_destination_driver_replaces_the_failing_one(self):
        overrides = local_conf.this_machine(
            '127.0.0.1', {}, 'file:///x.raw', 'x', '/c.txt',
            destination_driver='fake.FakeDriver')
        _localrc, meta = self.render(base.SINGLE_NODE_JOB, 'controller',
                                     overrides=overrides)
        self.assertEqual('fake.FakeDriver', meta[
            ('post-config', '$NOVA_FAKE_CONF-2')].get('DEFAULT',
                                                      'compute_driver'))

    def test_destination_driver_needs_the_jobs_option(self):
        overrides = local_conf.this_machine(
            '127.0.0.1', {}, 'file:///x.raw', 'x', '/c.txt',
            destination_driver='fake.FakeDriver')
        self.assertRaises(KeyError, self.render, base.MULTINODE_JOB,
                          'controller', overrides=overrides)


class RenderTest(testtools.TestCase):
    """The role's rules, on variables made up here."""

    def test_a_variable_follows_those_it_names(self):
        text = local_conf.render({'devstack_localrc': {
            'A_PATH': '$Z_BASE/a', 'Z_BASE': '/z', 'B': '${A_PATH}/b'}},
            BASE_DIR)
        names = [line.split('=')[0] for line in text.splitlines()
                 if '=' in line]
        self.assertEqual(['Z_BASE', 'A_PATH', 'B'], names)

    def test_quoted_values_are_not_quoted_again(self):
        text = local_conf.render({'devstack_localrc': {
            'IMAGE_URLS': '"a,b"', 'X': 'y z'}}, BASE_DIR)
        self.assertIn('IMAGE_URLS="a,b"\n', text)
        self.assertIn('X="y z"\n', text)

    def test_a_cycle_is_refused(self):
        self.assertRaises(ValueError, local_conf.render, {
            'devstack_localrc': {'A': '$B', 'B': '$A'}}, BASE_DIR)

    def test_an_undefined_fact_is_an_error(self):
        self.assertRaises(jinja2.UndefinedError, local_conf.evaluate,
                          '{{ hostvars["nowhere"]["x"] }}', {'hostvars': {}})

    def test_group_vars_replace_the_jobs_top_level_variables(self):
        zuul = zuul_jobs.Zuul([])
        zuul.nodesets['two'] = {'nodes': [{'name': 'a'}, {'name': 'b'}],
                                'groups': [{'name': 'sub', 'nodes': ['b']}]}
        zuul.jobs['parent'] = {'name': 'parent', 'nodeset': 'two',
                               'vars': {'devstack_localrc': {'X': 1}}}
        zuul.jobs['child'] = {
            'name': 'child', 'parent': 'parent',
            'vars': {'devstack_localrc': {'Y': 2}},
            'group-vars': {'sub': {'devstack_localrc': {'Z': 3}}}}
        self.assertEqual({'X': 1, 'Y': 2},
                         zuul.node_vars('child', 'a')['devstack_localrc'])
        self.assertEqual({'Z': 3},
                         zuul.node_vars('child', 'b')['devstack_localrc'])


class PrintedLocalConfTest(testtools.TestCase):

    def test_print_local_conf_masks_the_passwords(self):
        # Skipped (failed in CI) without the upstream trees it renders.
        base.devstack_dir(self)
        base.tempest_zuul_dir(self)
        state = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MockPatchObject(runner, 'STATE_DIR', state))
        out = io.StringIO()
        self.useFixture(fixtures.MockPatch('sys.stdout', out))
        runner.main(['--print-local-conf'])
        printed = out.getvalue()
        self.assertIn('[[local|localrc]]', printed)
        for value in runner.Run(state).passwords().values():
            self.assertNotIn(value, printed)
