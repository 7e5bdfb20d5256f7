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

"""cloud_shape.ini against everything that describes the same cloud.

resize_tempest_plugin/cloud_shape.ini is the one definition of the cloud the
scenario needs. These tests parse it with configparser and check that the
devstack plugin, the Zuul jobs, the local.conf and the staging recipe in
doc/devstack.rst, and the local cloud say the same: drivers, tempest
options, test regex.
"""

import ast
import glob
import os
import re
import subprocess

import fixtures
import testtools

from tests import base

# cloud_shape.ini's [compute] and [tempest] keys this project relies on.
COMPUTE_KEYS = ('source_host', 'source_driver', 'destination_host',
                'destination_driver', 'expected_fault')


class ShapeFileTest(testtools.TestCase):
    """The file itself, read as configparser and as devstack's iniget."""

    def setUp(self):
        super().setUp()
        self.shape = base.load_shape()

    def test_has_the_contracted_keys(self):
        for key in COMPUTE_KEYS:
            self.assertTrue(self.shape.get('compute', key), key)
        self.assertTrue(self.shape.get('tempest', 'test_regex'))
        self.assertEqual(
            {('compute', 'min_compute_nodes'),
             ('compute', 'max_microversion'),
             ('compute-feature-enabled', 'resize'),
             ('compute-feature-enabled', 'cold_migration'),
             ('compute-feature-enabled', 'live_migration'),
             ('placement', 'max_microversion'),
             ('resize_fail', 'disruptive_tests')},
            set(base.shape_tempest_options(self.shape)))

    def test_devstacks_iniget_reads_it_like_configparser(self):
        # A multi-line value, an inline comment or a repeated key would be
        # read differently by the two: keep the file simple enough for both.
        read = self.iniget_all(base.devstack_dir(self))
        for (section, key), value in read.items():
            self.assertEqual(self.shape.get(section, key), value,
                             'iniget and configparser disagree on [%s] %s'
                             % (section, key))

    def iniget_all(self, devstack_dir):
        """Every value of the shape as devstack's iniget reads it."""
        keys = [(s, k) for s in self.shape.sections()
                for k in self.shape.options(s)]
        script = '\n'.join(
            [base.devstack_functions(devstack_dir)]
            + ['printf "%%s\\0" "$(iniget %s %s %s)"'
               % (base._quote(base.SHAPE_FILE), base._quote(s), base._quote(k))
               for s, k in keys]) + '\n'
        result = subprocess.run(['bash', '-c', script], capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(0, result.returncode, result.stderr)
        values = result.stdout.split('\0')[:-1]
        return dict(zip(keys, values))

    def test_local_cloud_reads_the_same_file(self):
        from localcloud import layout
        self.assertEqual(os.path.realpath(base.SHAPE_FILE),
                         os.path.realpath(layout.CLOUD_SHAPE))
        # Every value changed in a copy: the local cloud must follow it,
        # which a reader with values of its own would not.
        changed = base.load_shape()
        for section in changed.sections():
            for key, value in changed.items(section):
                changed.set(section, key, value + '-changed')
        copy = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'cloud_shape.ini')
        with open(copy, 'w') as f:
            changed.write(f)
        self.useFixture(fixtures.MockPatchObject(layout, 'CLOUD_SHAPE', copy))
        compute, tempest = layout.read_cloud_shape()
        self.assertEqual(dict(changed.items('compute')), compute)
        self.assertEqual(dict(changed.items('tempest')), tempest)


class DevstackAgreesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.shape = base.load_shape()

    def code_lines(self, path):
        with open(path) as f:
            return [line for line in f
                    if line.strip() and not line.lstrip().startswith('#')]

    def test_shell_repeats_no_value_of_the_shape(self):
        # Values live in cloud_shape.ini; shell code (comments aside) only
        # names them. Not checked: short generic values ('2', 'True') and
        # test_regex, which is also the name of the plugin's option group.
        code = ''.join(self.code_lines(base.PLUGIN_SH)
                       + self.code_lines(base.SETTINGS))
        repeated = ['[%s] %s = %s' % (section, key, value)
                    for section in self.shape.sections()
                    for key, value in self.shape.items(section)
                    if len(value) > 4 and key != 'test_regex'
                    and value in code]
        self.assertEqual([], repeated,
                         'values of cloud_shape.ini repeated in devstack/')

    def test_single_node_defaults_match_the_failing_compute_index(self):
        # The single-node job and local.conf fail compute i via
        # $NOVA_FAKE_CONF-i; the settings' destination default must be
        # devstack's name for that same compute, ${HOSTNAME}i.
        jobs, _project = base.load_zuul()
        local_conf = base.effective(jobs, base.SINGLE_NODE_JOB,
                                    'vars')['devstack_local_conf']
        (phase, filename, driver), = base.all_compute_drivers(local_conf)
        index = re.match(r'^\$NOVA_FAKE_CONF-(\d+)$', filename).group(1)
        result, values = base.source_settings(base.devstack_dir(self),
                                              hostname='node-a')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('node-a' + index,
                         values['RESIZE_FAIL_DESTINATION_HOST'])
        self.assertNotEqual(values['RESIZE_FAIL_SOURCE_HOST'],
                            values['RESIZE_FAIL_DESTINATION_HOST'])


class ZuulAgreesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.shape = base.load_shape()
        self.jobs, _project = base.load_zuul()

    def test_regex(self):
        regex = base.effective(self.jobs, base.BASE_JOB,
                               'vars')['tempest_test_regex']
        self.assertEqual(self.shape.get('tempest', 'test_regex'), regex)

    def test_drivers(self):
        failing = self.shape.get('compute', 'destination_driver')
        source = self.shape.get('compute', 'source_driver')
        subnode = base.effective(self.jobs, base.MULTINODE_JOB,
                                 'group-vars')['subnode']
        configured = {
            'multinode subnode': base.all_compute_drivers(
                subnode['devstack_local_conf']),
            'multinode controller': base.all_compute_drivers(
                base.effective(self.jobs, base.MULTINODE_JOB, 'vars')
                .get('devstack_local_conf')),
            'single node': base.all_compute_drivers(
                base.effective(self.jobs, base.SINGLE_NODE_JOB, 'vars')
                .get('devstack_local_conf')),
        }
        self.assertIn(failing,
                      [d for _p, _f, d in configured['multinode subnode']])
        self.assertIn(failing,
                      [d for _p, _f, d in configured['single node']])
        # Anything else a job configures is the shape's source driver; by
        # default the source keeps devstack's own fake driver.
        for where, drivers in configured.items():
            for _phase, filename, driver in drivers:
                if driver != failing:
                    self.assertEqual(source, driver,
                                     '%s: %s' % (where, filename))

    def test_tempest_options_set_by_jobs(self):
        options = base.shape_tempest_options(self.shape)
        for name in self.jobs:
            local_conf = base.effective(self.jobs, name, 'vars').get(
                'devstack_local_conf', {})
            tempest = local_conf.get('test-config', {}).get(
                '$TEMPEST_CONFIG', {})
            for group, values in tempest.items():
                for option, value in values.items():
                    if (group, option) in options:
                        self.assertEqual(options[(group, option)],
                                         str(value),
                                         '%s sets [%s] %s'
                                         % (name, group, option))


def normalize(value):
    """localrc values as devstack's trueorfalse and bash see them."""
    text = str(value)
    return text.lower() if text.lower() in ('true', 'false') else text


class DocAgreesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.shape = base.load_shape()
        self.blocks = base.doc_code_blocks()
        self.jobs, _project = base.load_zuul()

    def local_conf(self):
        self.assertIn('single-node-local-conf', self.blocks)
        return base.parse_local_conf(self.blocks['single-node-local-conf'])

    def test_local_conf_shapes_the_single_node_job_cloud(self):
        localrc, meta = self.local_conf()
        job = base.effective(self.jobs, base.SINGLE_NODE_JOB, 'vars')
        base_localrc = job['devstack_localrc']
        for key in ('VIRT_DRIVER', 'NUMBER_FAKE_NOVA_COMPUTE',
                    'NOVA_ALLOW_MOVE_TO_SAME_HOST'):
            self.assertEqual(normalize(base_localrc[key]),
                             normalize(localrc['vars'].get(key)), key)
        post_config = {key: base.ini_dict(parser)
                       for key, parser in meta.items()
                       if key[0] == 'post-config'}
        job_post_config = {
            ('post-config', filename): {
                section: {k: str(v) for k, v in options.items()}
                for section, options in sections.items()}
            for filename, sections in
            job['devstack_local_conf']['post-config'].items()}
        self.assertEqual(job_post_config, post_config)

    def test_local_conf_fails_the_second_compute_only(self):
        _localrc, meta = self.local_conf()
        failing = self.shape.get('compute', 'destination_driver')
        drivers = {filename: parser.defaults().get('compute_driver')
                   for (phase, filename), parser in meta.items()
                   if parser.defaults().get('compute_driver')}
        self.assertEqual({'$NOVA_FAKE_CONF-2': failing}, drivers)

    def test_local_conf_enables_both_plugins(self):
        localrc, _meta = self.local_conf()
        devstack_plugins = base.effective(self.jobs, base.BASE_JOB,
                                          'vars')['devstack_plugins']
        self.assertEqual(devstack_plugins, localrc['plugins'])
        self.assertEqual('/opt/stack/' + base.PLUGIN_NAME,
                         localrc['vars'].get('TEMPEST_PLUGINS'))

    def test_commands_use_the_regex(self):
        regex = self.shape.get('tempest', 'test_regex')
        self.assertIn('-- %s ' % regex,
                      self.blocks['single-node-tempest-run'])
        self.assertIn('--regex %s\n' % regex,
                      self.blocks['staging-tempest-run'])

    def test_staging_recipe_drivers(self):
        source = base.parse_ini_text(self.blocks['staging-source-nova-conf'])
        dest = base.parse_ini_text(
            self.blocks['staging-destination-nova-conf'])
        self.assertEqual(self.shape.get('compute', 'source_driver'),
                         source.defaults()['compute_driver'])
        self.assertEqual(self.shape.get('compute', 'destination_driver'),
                         dest.defaults()['compute_driver'])
        self.assertNotEqual(source.defaults()['host'],
                            dest.defaults()['host'])
        self.assertNotEqual(source.defaults()['state_path'],
                            dest.defaults()['state_path'])

    def test_staging_tempest_conf(self):
        conf = base.parse_ini_text(self.blocks['staging-tempest-conf'])
        for (group, option), value in base.shape_tempest_options(
                self.shape).items():
            self.assertEqual(value, conf.get(group, option),
                             '[%s] %s' % (group, option))
        source = base.parse_ini_text(self.blocks['staging-source-nova-conf'])
        dest = base.parse_ini_text(
            self.blocks['staging-destination-nova-conf'])
        self.assertEqual(source.defaults()['host'],
                         conf.get('resize_fail', 'source_host'))
        self.assertEqual(dest.defaults()['host'],
                         conf.get('resize_fail', 'destination_host'))


class ShapeGivesEveryFeatureTest(testtools.TestCase):
    """What a test class needs enabled, the shape turns on.

    devstack's configure_tempest writes compute-feature-enabled options
    from its own defaults (live_migration False unless
    LIVE_MIGRATION_AVAILABLE): the devstack run here skipped the corpus's
    two live-migration tests until the shape (and so the plugin) set it.
    """

    def test_every_feature_of_a_test_class_is_true_in_the_shape(self):
        options = base.shape_tempest_options(base.load_shape())
        needed = scenario_features()
        self.assertIn('live_migration', needed)
        for feature in needed:
            self.assertEqual(
                'True', options.get(('compute-feature-enabled', feature)),
                'a test class needs compute-feature-enabled.%s: '
                'cloud_shape.ini [tempest] must set it True' % feature)


def scenario_features():
    """Every name in a scenario class's ``features`` (read, not imported)."""
    scenario = os.path.join(base.REPO_ROOT, 'resize_tempest_plugin',
                            'scenario')
    found = set()
    for path in glob.glob(os.path.join(scenario, '**', '*.py'),
                          recursive=True):
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Assign)
                    and any(getattr(t, 'id', None) == 'features'
                            for t in node.targets)
                    and isinstance(node.value, ast.Tuple)):
                found.update(e.value for e in node.value.elts
                             if isinstance(e, ast.Constant))
    return found
