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

"""Readers shared by the tests of the devstack plugin, Zuul jobs and docs.

Each reader parses its file the way its real consumer does, as far as the
tests need: cloud_shape.ini with configparser, .zuul.yaml with PyYAML, a
local.conf with devstack's meta-section rules, doc code blocks by their
``:name:``. Only plugin_test_ids imports the plugin package (and so
tempest), when called.

The devstack plugin runs on devstack's own functions, and .zuul.yaml is
checked against tempest's and devstack's own jobs and roles: both trees
are unmodified upstream copies beside the clone (../shared), found by
upstream_tree().
"""

import configparser
import os
import re
import subprocess
import tempfile

import yaml

from localcloud.devstack_job import zuul_jobs

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPE_FILE = os.path.join(REPO_ROOT, 'resize_tempest_plugin',
                          'cloud_shape.ini')
ZUUL_FILE = os.path.join(REPO_ROOT, '.zuul.yaml')
PLUGIN_SH = os.path.join(REPO_ROOT, 'devstack', 'plugin.sh')
SETTINGS = os.path.join(REPO_ROOT, 'devstack', 'settings')
DOC_FILE = os.path.join(REPO_ROOT, 'doc', 'devstack.rst')
INISET_RECORDER = os.path.join(REPO_ROOT, 'tests', 'iniset_recorder.sh')

# Upstream trees kept beside the clone, in CI too.
SHARED_DIR = os.path.join(os.path.dirname(REPO_ROOT), 'shared')
SHARED_DEVSTACK = os.path.join(SHARED_DIR, 'devstack')
SHARED_TEMPEST_ZUUL = os.path.join(SHARED_DIR, 'tempest-zuul')

PLUGIN_NAME = 'resize-tempest-plugin'
BASE_JOB = 'resize-tempest-plugin-base'
MULTINODE_JOB = 'resize-tempest-plugin-multinode'
SINGLE_NODE_JOB = 'resize-tempest-plugin-single-node'


def upstream_tree(test, what, default, marker, env_var=None):
    """The directory of an upstream tree a test reads.

    env_var, when set, names it; otherwise default (a tree in ../shared).
    A directory without marker (a file every such tree has) is not the
    tree: a wrong env_var fails the test, and so does a missing default in
    CI (CI=true); elsewhere the test is skipped, with the reason.
    """
    explicit = os.environ.get(env_var) if env_var else None
    path = explicit or default
    if os.path.isfile(os.path.join(path, marker)):
        return path
    if explicit:
        test.fail('%s=%s is not %s (no %s in it): point %s at one, or unset '
                  'it to use %s.' % (env_var, explicit, what, marker,
                                     env_var, default))
    where = ' or set %s to one' % env_var if env_var else ''
    message = ('%s is not at %s (no %s there): put the upstream tree '
               'there%s.' % (what, default, marker, where))
    if os.environ.get('CI', '').lower() in ('true', '1', 'yes'):
        test.fail(message + ' CI must have it: without it these tests '
                  'would check nothing.')
    test.skipTest(message)


def devstack_dir(test):
    """devstack's tree: $DEVSTACK_DIR, else ../shared/devstack."""
    return upstream_tree(test, 'a devstack tree', SHARED_DEVSTACK,
                         'functions-common', env_var='DEVSTACK_DIR')


def tempest_zuul_dir(test):
    """tempest's zuul.d/, roles/ and playbooks/: ../shared/tempest-zuul."""
    return upstream_tree(test, "tempest's Zuul tree", SHARED_TEMPEST_ZUUL,
                         os.path.join('zuul.d', 'base.yaml'))


def load_shape(path=SHAPE_FILE):
    """cloud_shape.ini as a ConfigParser (option names kept as written)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    with open(path) as f:
        parser.read_file(f)
    return parser


def shape_tempest_options(shape):
    """{(group, option): value} for the tempest.conf options of the shape.

    Keys of cloud_shape.ini's [tempest] section written <group>.<option>
    are tempest.conf options; others (test_regex) are not.
    """
    options = {}
    for key, value in shape.items('tempest'):
        if '.' in key:
            group, option = key.split('.', 1)
            options[(group, option)] = value
    return options


def load_zuul(path=ZUUL_FILE):
    """(jobs by name, project stanza) from a Zuul config file."""
    with open(path) as f:
        entries = yaml.safe_load(f)
    jobs = {}
    project = None
    for entry in entries:
        if 'job' in entry:
            jobs[entry['job']['name']] = entry['job']
        elif 'project' in entry:
            project = entry['project']
    return jobs, project


def effective(jobs, name, attribute):
    """A job's attribute merged over its ancestors defined in this file."""
    chain = []
    while name in jobs:
        chain.append(jobs[name])
        name = jobs[name].get('parent')
    value = {}
    for job in reversed(chain):
        value = zuul_jobs.deep_merge(value, job.get(attribute) or {})
    return value


def all_compute_drivers(local_conf):
    """(phase, file, driver) for every compute_driver a local_conf sets."""
    found = []
    for phase, files in (local_conf or {}).items():
        for filename, sections in (files or {}).items():
            for section, options in (sections or {}).items():
                if section == 'DEFAULT' and 'compute_driver' in options:
                    found.append((phase, filename,
                                  options['compute_driver']))
    return found


def parse_ini_text(text):
    """Parse INI text as oslo.config would read it (names kept as written)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string(text)
    return parser


def ini_dict(parser):
    """{section: {option: value}} of a ConfigParser.

    DEFAULT is included when it has options, and not repeated into the
    other sections.
    """
    sections = {}
    if parser.defaults():
        sections['DEFAULT'] = dict(parser.defaults())
    for section in parser.sections():
        sections[section] = {k: v for k, v in parser.items(section)
                             if k not in parser.defaults()}
    return sections


_META_HEADER = re.compile(r'^\[\[(?P<phase>[^|\]]+)\|(?P<file>[^\]]*)\]\]\s*$')


def parse_local_conf(text):
    """Split a devstack local.conf into its meta-sections.

    Returns (localrc, meta) where localrc is {'vars': {NAME: value},
    'plugins': {name: url}, 'lines': [...]} for [[local|localrc]], and meta
    is {(phase, file): ConfigParser} for every other meta-section, with the
    file name as written (e.g. '$NOVA_FAKE_CONF-2'), like devstack's
    get_meta_section_files.
    """
    sections = {}
    current = None
    for line in text.splitlines():
        match = _META_HEADER.match(line)
        if match:
            current = (match.group('phase'), match.group('file'))
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    localrc = {'vars': {}, 'plugins': {}, 'lines': []}
    meta = {}
    for (phase, name), lines in sections.items():
        if (phase, name) == ('local', 'localrc'):
            for line in lines:
                stripped = line.strip()
                if not stripped or stripped.startswith('#'):
                    continue
                localrc['lines'].append(stripped)
                words = stripped.split()
                if words[0] == 'enable_plugin':
                    localrc['plugins'][words[1]] = words[2]
                elif re.match(r'^[A-Za-z_][A-Za-z0-9_]*=', stripped):
                    key, value = stripped.split('=', 1)
                    localrc['vars'][key] = value.strip('"\'')
        else:
            meta[(phase, name)] = parse_ini_text('\n'.join(lines))
    return localrc, meta


def doc_code_blocks(path=DOC_FILE):
    """{name: text} of every ``code-block`` in an rst file with a :name:.

    The text is the block's content with its indentation removed.
    """
    with open(path) as f:
        lines = f.read().splitlines()
    blocks = {}
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith('.. code-block::'):
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        i += 1
        name = None
        while i < len(lines) and lines[i].strip().startswith(':'):
            match = re.match(r'\s*:name:\s*(\S+)', lines[i])
            if match:
                name = match.group(1)
            i += 1
        content = []
        while i < len(lines):
            line = lines[i]
            if line.strip() and (len(line) - len(line.lstrip()) <= indent):
                break
            content.append(line)
            i += 1
        body = [line for line in content]
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        width = min((len(line) - len(line.lstrip())
                     for line in body if line.strip()), default=0)
        if name:
            blocks[name] = '\n'.join(line[width:] for line in body) + '\n'
    return blocks


def plugin_test_ids():
    """Ids of the plugin's tempest tests, found as tempest finds them.

    The plugin's unit tests find them the same way (scenario_test_ids).
    """
    from resize_tempest_plugin.tests import base as plugin_tests
    return plugin_tests.scenario_test_ids()


def selected(regex, ids):
    # stestr (tempest run --regex) keeps ids where re.search matches.
    pattern = re.compile(regex)
    return [i for i in ids if pattern.search(i)]


def devstack_functions(devstack_dir):
    """The bash line that loads devstack's functions, as stack.sh does."""
    return 'source %s' % _quote(os.path.join(devstack_dir, 'functions'))


def run_plugin(args, tempest_conf, devstack_dir,
               enabled_services='key,tempest', localrc=None,
               hostname='devstack-host', xtrace=False):
    """Source devstack/settings then devstack/plugin.sh ARGS in bash.

    On devstack's own functions (devstack_dir, a devstack tree), with
    errexit and nounset on, as stack.sh can run, and xtrace on if asked,
    each traced line marked "+<path>:<line>: ". Returns (CompletedProcess,
    calls): calls is the list of (function, args...) tuples that
    tests/iniset_recorder.sh logged. The last line of stdout is the xtrace
    setting after plugin.sh ("set -o xtrace" or "set +o xtrace").
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'calls.log')
        # devstack's functions-common is not nounset-safe: source the
        # functions first, as stack.sh does before NOUNSET matters.
        script = '\n'.join([
            'INISET_CALL_LOG=%s' % _quote(log),
            devstack_functions(devstack_dir),
            'source %s' % _quote(INISET_RECORDER),
            'set -o errexit -o nounset',
            'HOSTNAME=%s' % _quote(hostname),
            'TEMPEST_CONFIG=%s' % _quote(tempest_conf),
            'ENABLED_SERVICES=%s' % _quote(enabled_services),
        ] + ['%s=%s' % (k, _quote(v)) for k, v in (localrc or {}).items()] + [
            'source %s' % _quote(SETTINGS),
            "PS4='+${BASH_SOURCE[0]:-}:${LINENO}: '",
            'set %so xtrace' % ('-' if xtrace else '+'),
            'source %s %s' % (_quote(PLUGIN_SH),
                              ' '.join(_quote(a) for a in args)),
            'set +o | grep xtrace',
        ]) + '\n'
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
               'LC_ALL': 'C'}
        result = subprocess.run(['bash', '-c', script], env=env,
                                capture_output=True, text=True,
                                cwd=tmp, timeout=60)
        calls = []
        if os.path.exists(log):
            with open(log) as f:
                calls = [tuple(line.rstrip('\n').split('\t'))
                         for line in f if line.strip()]
    return result, calls


def source_settings(devstack_dir, preset=None, hostname='node-a'):
    """Source devstack/settings in bash; read its RESIZE_FAIL_* variables.

    preset: variables set before, as localrc would (VAR=${VAR:-default}).
    Returns (CompletedProcess, {name: value}).
    """
    names = ('RESIZE_FAIL_SOURCE_HOST', 'RESIZE_FAIL_DESTINATION_HOST',
             'RESIZE_FAIL_CLOUD_SHAPE')
    script = '\n'.join(
        [devstack_functions(devstack_dir), 'HOSTNAME=%s' % _quote(hostname)]
        + ['%s=%s' % (k, _quote(v)) for k, v in (preset or {}).items()]
        + ['source %s' % _quote(SETTINGS)]
        + ['printf "%%s\\0" "%s=$%s"' % (n, n) for n in names]) + '\n'
    result = subprocess.run(['bash', '-c', script], capture_output=True,
                            text=True, cwd='/', timeout=30)
    return result, dict(item.split('=', 1)
                        for item in result.stdout.split('\0') if item)


def _quote(value):
    return "'" + str(value).replace("'", "'\\''") + "'"
