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

"""Zuul jobs as Zuul sees them: a job's variables merged down its parents.

Only what the devstack roles read: vars, group-vars, required-projects
and the nodeset. Zuul merges a job's vars (and each group's group-vars)
over its parent's, dicts key by key; Ansible then gives a node the
group's value of a top-level variable instead of the job's (no deep
merge), which is why devstack's subnode group-vars repeat the passwords.
"""

import copy
import os

import yaml

# Where devstack's and tempest's Zuul files are, relative to the upstream
# trees (../shared beside the clone).
DEVSTACK_ZUUL = os.path.join('devstack', '.zuul.yaml')
TEMPEST_ZUUL_DIR = os.path.join('tempest-zuul', 'zuul.d')


class Zuul:
    """Jobs and nodesets by name, from several Zuul config files."""

    def __init__(self, paths):
        self.jobs = {}
        self.nodesets = {}
        for path in paths:
            with open(path) as f:
                for entry in yaml.safe_load(f) or []:
                    if 'job' in entry:
                        self.jobs[entry['job']['name']] = entry['job']
                    elif 'nodeset' in entry:
                        self.nodesets[entry['nodeset']['name']] = (
                            entry['nodeset'])

    @classmethod
    def of_project(cls, zuul_file, shared_dir):
        """The project's .zuul.yaml over devstack's and tempest's jobs."""
        tempest_dir = os.path.join(shared_dir, TEMPEST_ZUUL_DIR)
        upstream = [os.path.join(shared_dir, DEVSTACK_ZUUL)] + sorted(
            os.path.join(tempest_dir, name)
            for name in os.listdir(tempest_dir) if name.endswith('.yaml'))
        return cls(upstream + [zuul_file])

    def chain(self, name):
        """The job and its ancestors known here, the oldest first."""
        jobs = []
        while name in self.jobs:
            jobs.append(self.jobs[name])
            name = self.jobs[name].get('parent')
        if not jobs:
            raise KeyError('no Zuul job named %s' % name)
        return list(reversed(jobs))

    def merged(self, name, attribute):
        """A dict attribute (vars, group-vars) merged down the chain."""
        value = {}
        for job in self.chain(name):
            value = deep_merge(value, job.get(attribute) or {})
        return value

    def required_projects(self, name):
        """Short names of every required project along the chain."""
        names = []
        for job in self.chain(name):
            for project in job.get('required-projects') or []:
                if isinstance(project, dict):
                    project = project['name']
                short = project.rstrip('/').split('/')[-1]
                if short not in names:
                    names.append(short)
        return names

    def nodeset(self, name):
        """(node names, {group: node names}) of the job's nodeset."""
        for job in reversed(self.chain(name)):
            if 'nodeset' in job:
                nodeset = self.nodesets[job['nodeset']]
                return ([node['name'] for node in nodeset['nodes']],
                        {group['name']: list(group['nodes'])
                         for group in nodeset.get('groups', [])})
        raise KeyError('job %s has no nodeset' % name)

    def node_vars(self, name, node):
        """The variables a node of the job sees (group-vars win)."""
        variables = self.merged(name, 'vars')
        _nodes, groups = self.nodeset(name)
        group_vars = self.merged(name, 'group-vars')
        for group, members in groups.items():
            if node in members:
                variables.update(copy.deepcopy(group_vars.get(group, {})))
        return variables


def deep_merge(parent, child):
    """Zuul's merge of job variables along inheritance: dicts merge."""
    merged = copy.deepcopy(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
