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

""".zuul.yaml against the upstream jobs, nodesets and roles it relies on.

Read from the trees beside the clone (tests/base.py, upstream_tree):
tempest's zuul.d/, roles/ and playbooks/, and devstack's whole tree with
its .zuul.yaml. Every parent and nodeset must exist there; every variable
the jobs set must be read by a role or a playbook, every localrc variable
by devstack's shell or this plugin's devstack/settings; and the regex must
reach "tempest run" as tempest's run-tempest role passes it.
"""

import functools
import glob
import os
import re
import shlex

import jinja2
from tempest.cmd import run as tempest_run
import testtools
import yaml

from tests import base

# tempest's tox.ini is not among the shared trees. Its "all" environment,
# the one tempest_test_regex works with, runs "tempest run --regex
# {posargs}": what follows "--" on the tox command line.
TOX_ALL_ARGS = ['--regex']

# Files whose text reads variables: role tasks, modules and templates, and
# playbooks. A role's defaults and README only declare them.
READER_GLOBS = ('roles/*/tasks/**/*', 'roles/*/library/**/*',
                'roles/*/templates/**/*', 'playbooks/**/*')

# devstack's shell: where localrc variables and service names are read.
DEVSTACK_SHELL_GLOBS = ('stack.sh', 'stackrc', 'functions', 'functions-common',
                        'lib/**/*', 'inc/*')


@functools.lru_cache()
def read_texts(root, patterns, skip=re.compile(r'(^|/)test[^/]*\.py$')):
    """{relative path: text} of the files under root matching patterns.

    Read once per process: callers must not change the dict.
    """
    texts = {}
    for pattern in patterns:
        for path in glob.glob(os.path.join(root, pattern), recursive=True):
            rel = os.path.relpath(path, root)
            if os.path.isfile(path) and not skip.search(rel):
                with open(path, errors='replace') as f:
                    texts[rel] = f.read()
    return texts


def readers_of(name, texts):
    """The paths whose text names `name` as a whole word (- counts)."""
    word = re.compile(r'(?<![\w-])%s(?![\w-])' % re.escape(name))
    return sorted(path for path, text in texts.items() if word.search(text))


def strings_in(value):
    """Every string inside nested dicts and lists (keys excluded)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value


@functools.lru_cache()
def upstream_zuul(devstack, tempest_zuul):
    """(jobs, nodesets) by name, from devstack's and tempest's Zuul files."""
    jobs, nodesets = {}, {}
    for path in ([os.path.join(devstack, '.zuul.yaml')]
                 + sorted(glob.glob(os.path.join(tempest_zuul, 'zuul.d',
                                                 '*.yaml')))):
        with open(path) as f:
            for entry in yaml.safe_load(f):
                if 'job' in entry:
                    jobs[entry['job']['name']] = entry['job']
                elif 'nodeset' in entry:
                    nodesets[entry['nodeset']['name']] = entry['nodeset']
    return jobs, nodesets


class UpstreamZuulTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.devstack = base.devstack_dir(self)
        self.tempest_zuul = base.tempest_zuul_dir(self)
        self.jobs, _project = base.load_zuul()
        self.upstream_jobs, self.nodesets = upstream_zuul(self.devstack,
                                                          self.tempest_zuul)
        self.all_jobs = dict(self.upstream_jobs, **self.jobs)

    def nodeset(self, name):
        """(node names, {group: node names}) of a job's nodeset."""
        while name in self.all_jobs and 'nodeset' not in self.all_jobs[name]:
            name = self.all_jobs[name].get('parent')
        nodeset_name = self.all_jobs[name]['nodeset']
        self.assertIn(nodeset_name, self.nodesets,
                      "job %s: nodeset %s is not among devstack's"
                      % (name, nodeset_name))
        nodeset = self.nodesets[nodeset_name]
        return ({node['name'] for node in nodeset['nodes']},
                {group['name']: set(group['nodes'])
                 for group in nodeset.get('groups', [])})

    def concrete_jobs(self):
        return [n for n, job in self.jobs.items() if not job.get('abstract')]

    def test_parents_exist(self):
        for name, job in self.jobs.items():
            parent = job.get('parent')
            self.assertIn(parent, self.all_jobs,
                          'job %s: parent %s is neither in .zuul.yaml nor '
                          "among tempest's and devstack's jobs"
                          % (name, parent))
        self.assertEqual('devstack', self.upstream_jobs[
            self.jobs[base.BASE_JOB]['parent']].get('parent'),
            'the base job must descend from devstack, whose roles read '
            'the devstack_* variables')

    def test_nodesets_exist(self):
        for name in self.concrete_jobs():
            nodes, groups = self.nodeset(name)
            self.assertIn('controller', nodes, name)
            self.assertIn('controller', groups.get('tempest', ()),
                          '%s: tempest runs on the controller' % name)

    def test_group_vars_name_groups_of_the_nodeset(self):
        for name in self.concrete_jobs():
            _nodes, groups = self.nodeset(name)
            for group in base.effective(self.jobs, name, 'group-vars'):
                self.assertIn(group, groups,
                              '%s: group-vars for %r, which its nodeset '
                              'does not have (it has %s)'
                              % (name, group, sorted(groups)))

    def test_hostvars_name_nodes_and_the_destination_is_a_subnode(self):
        # The subnode group gets the failing driver (group-vars): the
        # destination host must be on one of its nodes, the source not.
        pattern = re.compile(r"hostvars\['([^']+)'\]")
        name = base.MULTINODE_JOB
        nodes, groups = self.nodeset(name)
        variables = base.effective(self.jobs, name, 'vars')
        for value in strings_in(variables):
            for node in pattern.findall(value):
                self.assertIn(node, nodes, '%s: %s' % (name, value))
        localrc = variables['devstack_localrc']
        source, = pattern.findall(localrc['RESIZE_FAIL_SOURCE_HOST'])
        destination, = pattern.findall(
            localrc['RESIZE_FAIL_DESTINATION_HOST'])
        self.assertIn(destination, groups['subnode'])
        self.assertNotIn(source, groups['subnode'])

    def test_every_variable_is_read_by_a_role_or_playbook(self):
        texts = {}
        for tree in (self.devstack, self.tempest_zuul):
            texts.update({os.path.join(tree, p): t for p, t in
                          read_texts(tree, READER_GLOBS).items()})
        names = set()
        for name in self.jobs:
            names.update(base.effective(self.jobs, name, 'vars'))
            for group_vars in base.effective(self.jobs, name,
                                             'group-vars').values():
                names.update(group_vars)
        unread = sorted(n for n in names if not readers_of(n, texts))
        self.assertEqual([], unread,
                         'variables the jobs set that no role or playbook '
                         'of devstack or tempest reads')

    def all_vars(self, key):
        """Every job's `key` variable: its vars and each group's."""
        for name in self.jobs:
            yield base.effective(self.jobs, name, 'vars').get(key, {})
            for group_vars in base.effective(self.jobs, name,
                                             'group-vars').values():
                yield group_vars.get(key, {})

    def test_localrc_variables_are_read_by_devstack_or_the_plugin(self):
        texts = dict(read_texts(self.devstack, DEVSTACK_SHELL_GLOBS))
        with open(base.SETTINGS) as f:
            texts['devstack/settings (this plugin)'] = f.read()
        unread = sorted({key for localrc in self.all_vars('devstack_localrc')
                         for key in localrc if not readers_of(key, texts)})
        self.assertEqual([], unread, 'devstack_localrc variables that '
                         "neither devstack nor devstack/settings reads")

    def test_services_are_devstacks(self):
        texts = read_texts(self.devstack, DEVSTACK_SHELL_GLOBS)
        unknown = sorted({key
                          for services in self.all_vars('devstack_services')
                          for key in services if not readers_of(key, texts)})
        self.assertEqual([], unknown, "services devstack's shell never names")

    def test_local_conf_phases_and_files_are_devstacks(self):
        texts = read_texts(self.devstack, DEVSTACK_SHELL_GLOBS)
        phases = set(re.findall(r'merge_config_group \S+ (\S+)',
                                texts['stack.sh']))
        shell = '\n'.join(texts.values())
        for local_conf in self.all_vars('devstack_local_conf'):
            for phase, files in local_conf.items():
                self.assertIn(phase, phases, 'stack.sh merges no %s' % phase)
                for filename in files:
                    match = re.match(r'^\$([A-Z_]+)(-\d+)?$', filename)
                    self.assertIsNotNone(match, filename)
                    variable, suffix = match.groups()
                    self.assertRegex(shell, r'(?m)^\s*%s=' % variable,
                                     'devstack never sets %s' % variable)
                    if suffix:
                        # lib/nova: compute i reads "${NOVA_FAKE_CONF}-${i}".
                        self.assertIn('"${%s}-${i}"' % variable, shell,
                                      '%s: devstack reads no numbered %s'
                                      % (filename, variable))

    def run_tempest_command(self, variables):
        """argv of run-tempest's "Run Tempest" task, as Ansible runs it."""
        role = os.path.join(self.tempest_zuul, 'roles', 'run-tempest')
        with open(os.path.join(role, 'defaults', 'main.yaml')) as f:
            context = yaml.safe_load(f)
        with open(os.path.join(role, 'tasks', 'main.yaml')) as f:
            task, = [t for t in yaml.safe_load(f)
                     if t.get('name') == 'Run Tempest']
        context.update(variables)
        # Ansible renders None as nothing and its quote filter is shlex's.
        env = jinja2.Environment(undefined=jinja2.StrictUndefined,
                                 finalize=lambda v: '' if v is None else v)
        env.filters['quote'] = shlex.quote
        line = env.from_string(task['command']).render(context)
        # Ansible drops a lone backslash outside quotes: a line continuation.
        line = re.sub(r'(^|\s)\\(?=\s|$)', r'\1', line)
        return shlex.split(line)

    def test_regex_reaches_tempest_run(self):
        variables = base.effective(self.all_jobs, base.BASE_JOB, 'vars')
        argv = self.run_tempest_command(variables)
        # The environment TOX_ALL_ARGS describes.
        self.assertEqual(['tox', '-e', 'all'], argv[:3])
        tox_posargs = argv[argv.index('--') + 1:]
        parser = tempest_run.TempestRun(None, None).get_parser('tempest run')
        args = parser.parse_args(TOX_ALL_ARGS + tox_posargs)
        self.assertEqual(variables['tempest_test_regex'], args.regex,
                         'tempest run %s' % ' '.join(tox_posargs))
        self.assertEqual(variables['tempest_concurrency'], args.concurrency)
        ids = base.plugin_test_ids()
        self.assertEqual(ids, base.selected(args.regex, ids))
