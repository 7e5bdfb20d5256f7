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

"""devstack/settings and devstack/plugin.sh, run in bash as devstack would.

Each test sources devstack's functions, devstack/settings and then
devstack/plugin.sh with a mode and phase, against a scratch tempest.conf:
devstack's own iniset, iniget, is_service_enabled and die, from
../shared/devstack or $DEVSTACK_DIR (tests/base.py, devstack_dir).
"""

import os
import re

import fixtures
import testtools

from tests import base

# What devstack's configure_tempest has already written when the plugin's
# test-config phase runs (a few representative options).
SEED = """[DEFAULT]
log_file = tempest.log

[compute]
image_ref = 11111111-2222-3333-4444-555555555555
flavor_ref = 42

[compute-feature-enabled]
resize = True
shelve = False
"""

SEED_OPTIONS = {
    ('DEFAULT', 'log_file'): 'tempest.log',
    ('compute', 'image_ref'): '11111111-2222-3333-4444-555555555555',
    ('compute', 'flavor_ref'): '42',
    ('compute-feature-enabled', 'shelve'): 'False',
}

# Every phase devstack calls a plugin in, other than stack test-config. The
# unstack and clean calls pass no phase: run_plugins sources
# "plugin.sh $mode $phase" with $phase empty and unquoted.
OTHER_PHASES = [
    ('stack', 'pre-install'),
    ('stack', 'install'),
    ('stack', 'post-config'),
    ('stack', 'extra'),
    ('unstack',),
    ('clean',),
]


def read_options(path):
    """{(section, option): value} of an INI file, DEFAULT included."""
    with open(path) as f:
        sections = base.ini_dict(base.parse_ini_text(f.read()))
    return {(section, option): value
            for section, options in sections.items()
            for option, value in options.items()}


class DevstackPluginTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.devstack_dir = base.devstack_dir(self)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.conf = os.path.join(self.tmp, 'tempest.conf')
        with open(self.conf, 'w') as f:
            f.write(SEED)
        self.shape = base.load_shape()

    def run_plugin(self, *args, **kwargs):
        return base.run_plugin(list(args), self.conf, self.devstack_dir,
                               **kwargs)

    def expected_writes(self, source='devstack-host1',
                        destination='devstack-host2'):
        expected = {('resize_fail', 'source_host'): source,
                    ('resize_fail', 'destination_host'): destination}
        expected.update(base.shape_tempest_options(self.shape))
        return expected

    def inisets(self, calls):
        return [c[1:] for c in calls if c[0] == 'iniset']

    def assertRanCleanly(self, result):
        self.assertEqual(
            0, result.returncode,
            'plugin.sh failed (exit %d); stderr:\n%s'
            % (result.returncode, result.stderr[-3000:]))
        # A command that does not exist fails an "if" without stopping it.
        self.assertNotIn('command not found', result.stderr)

    def assertNothingWritten(self, result, calls):
        self.assertEqual([], self.inisets(calls),
                         'expected no iniset call; stderr:\n%s'
                         % result.stderr[-2000:])
        with open(self.conf) as f:
            self.assertEqual(SEED, f.read(), 'tempest.conf was changed')

    def test_test_config_writes_every_value(self):
        result, calls = self.run_plugin('stack', 'test-config')
        self.assertRanCleanly(result)
        expected = self.expected_writes()

        written = {(section, option): value
                   for _file, section, option, value in self.inisets(calls)}
        self.assertEqual(expected, written,
                         'plugin.sh wrote other options or values than the '
                         'scenario needs')
        self.assertEqual(len(expected), len(self.inisets(calls)),
                         'plugin.sh wrote an option more than once: %s'
                         % self.inisets(calls))
        self.assertEqual({self.conf},
                         {c[0] for c in self.inisets(calls)},
                         'plugin.sh wrote to a file other than '
                         '$TEMPEST_CONFIG')

        after = read_options(self.conf)
        for key, value in expected.items():
            self.assertEqual(value, after.get(key),
                             'tempest.conf [%s] %s' % key)
        for key, value in SEED_OPTIONS.items():
            self.assertEqual(value, after.get(key),
                             'plugin.sh changed [%s] %s, which devstack '
                             'wrote' % key)
        self.assertEqual(set(SEED_OPTIONS) | set(expected)
                         | {('compute-feature-enabled', 'resize')},
                         set(after), 'unexpected options in tempest.conf')

    def xtrace_off_line(self):
        with open(base.PLUGIN_SH) as f:
            for number, line in enumerate(f, 1):
                if line.strip() == 'set +o xtrace':
                    return number
        self.fail('devstack/plugin.sh has no "set +o xtrace" line: like '
                  "devstack's own libraries, it must save the caller's "
                  'xtrace setting, turn xtrace off and restore it at the end')

    def test_xtrace_off_inside_and_restored_after(self):
        off_at = self.xtrace_off_line()
        for xtrace in (True, False):
            result, _calls = self.run_plugin('stack', 'test-config',
                                             xtrace=xtrace)
            self.assertRanCleanly(result)
            traced = re.findall(r'^\++%s:(\d+): (.*)$'
                                % re.escape(base.PLUGIN_SH),
                                result.stderr, re.MULTILINE)
            self.assertEqual(
                [], [t for t in traced if int(t[0]) > off_at],
                'plugin.sh (caller xtrace %s) traced lines after its "set '
                '+o xtrace" on line %d' % ('on' if xtrace else 'off', off_at))
            self.assertEqual(
                'set %so xtrace' % ('-' if xtrace else '+'),
                result.stdout.splitlines()[-1],
                "plugin.sh did not restore the caller's xtrace setting")

    def test_test_config_takes_hosts_from_localrc(self):
        result, calls = self.run_plugin(
            'stack', 'test-config',
            localrc={'RESIZE_FAIL_SOURCE_HOST': 'ctl-node1',
                     'RESIZE_FAIL_DESTINATION_HOST': 'compute-node1'})
        self.assertRanCleanly(result)
        after = read_options(self.conf)
        self.assertEqual('ctl-node1', after[('resize_fail', 'source_host')])
        self.assertEqual('compute-node1',
                         after[('resize_fail', 'destination_host')])

    def test_tempest_values_come_from_cloud_shape(self):
        # A shape with other values: plugin.sh must follow the file, which
        # proves the values are not repeated in shell.
        shape = os.path.join(self.tmp, 'cloud_shape.ini')
        with open(base.SHAPE_FILE) as f:
            text = f.read()
        text = text.replace('compute.min_compute_nodes = 2',
                            'compute.min_compute_nodes = 7')
        text = text.replace('compute-feature-enabled.resize = True',
                            'compute-feature-enabled.resize = Maybe')
        self.assertIn('= 7', text)
        self.assertIn('= Maybe', text)
        with open(shape, 'w') as f:
            f.write(text)
        result, _calls = self.run_plugin(
            'stack', 'test-config',
            localrc={'RESIZE_FAIL_CLOUD_SHAPE': shape})
        self.assertRanCleanly(result)
        after = read_options(self.conf)
        self.assertEqual('7', after[('compute', 'min_compute_nodes')])
        self.assertEqual('Maybe',
                         after[('compute-feature-enabled', 'resize')])

    def test_canaries_isolate_both_computes(self):
        nova_conf = os.path.join(self.tmp, 'nova.conf')
        localrc = {'RESIZE_FAIL_CANARIES': 'True', 'NOVA_CONF': nova_conf}
        trait = self.shape.get('compute', 'canary_trait')
        aggregate = self.shape.get('compute', 'canary_aggregate')
        services = 'key,n-sch,tempest'
        result, calls = self.run_plugin('stack', 'post-config',
                                        localrc=localrc,
                                        enabled_services=services)
        self.assertRanCleanly(result)
        self.assertEqual([(nova_conf, 'scheduler',
                           'enable_isolated_aggregate_filtering', 'True')],
                         self.inisets(calls))
        result, calls = self.run_plugin('stack', 'test-config',
                                        localrc=localrc,
                                        enabled_services=services)
        self.assertRanCleanly(result)
        admin = ('--os-cloud', 'devstack-admin')
        placement = ('openstack',) + admin + ('--os-placement-api-version',
                                              '1.6')
        commands = [c for c in calls if c[0] == 'openstack']
        self.assertEqual(placement + ('trait', 'create', trait), commands[0])
        for host in ('devstack-host1', 'devstack-host2'):
            # The provider's own traits kept beside the canary's.
            self.assertIn(placement + (
                'resource', 'provider', 'trait', 'set', 'rp-' + host,
                '--trait', trait, '--trait', 'COMPUTE_NODE'),
                commands)
            self.assertIn(('openstack',) + admin + (
                'aggregate', 'add', 'host', aggregate, host),
                commands)
        self.assertIn(('openstack',) + admin + (
            'aggregate', 'create', aggregate, '--property',
            'trait:%s=required' % trait), commands)
        self.assertEqual(trait, read_options(self.conf)[
            ('resize_fail', 'canary_trait')])

    def test_without_canaries_nothing_is_isolated(self):
        result, calls = self.run_plugin('stack', 'test-config')
        self.assertRanCleanly(result)
        self.assertEqual([], [c for c in calls if c[0] == 'openstack'])
        self.assertNotIn(('resize_fail', 'canary_trait'),
                         read_options(self.conf))

    def test_other_phases_write_nothing(self):
        for args in OTHER_PHASES:
            result, calls = self.run_plugin(*args)
            self.assertRanCleanly(result)
            self.assertNothingWritten(result, calls)

    def test_tempest_disabled_writes_nothing(self):
        result, calls = self.run_plugin(
            'stack', 'test-config',
            enabled_services='key,n-api,n-cpu,n-cond,n-sch,placement-api')
        self.assertRanCleanly(result)
        self.assertNothingWritten(result, calls)

    def test_same_host_twice_stops_stack(self):
        result, calls = self.run_plugin(
            'stack', 'test-config',
            localrc={'RESIZE_FAIL_SOURCE_HOST': 'node1',
                     'RESIZE_FAIL_DESTINATION_HOST': 'node1'})
        self.assertNotEqual(0, result.returncode)
        self.assertIn('must name two different', result.stderr)
        self.assertNothingWritten(result, calls)

    def test_unreadable_cloud_shape_stops_stack(self):
        missing = os.path.join(self.tmp, 'no-such-shape.ini')
        result, calls = self.run_plugin(
            'stack', 'test-config',
            localrc={'RESIZE_FAIL_CLOUD_SHAPE': missing})
        self.assertNotEqual(0, result.returncode)
        self.assertIn(missing, result.stderr)
        self.assertNothingWritten(result, calls)

    def test_cloud_shape_without_a_value_stops_stack(self):
        shape = os.path.join(self.tmp, 'cloud_shape.ini')
        with open(base.SHAPE_FILE) as f:
            lines = [line for line in f
                     if not line.startswith('compute.min_compute_nodes')]
        with open(shape, 'w') as f:
            f.writelines(lines)
        result, _calls = self.run_plugin(
            'stack', 'test-config',
            localrc={'RESIZE_FAIL_CLOUD_SHAPE': shape})
        self.assertNotEqual(0, result.returncode)
        self.assertIn('compute.min_compute_nodes', result.stderr)


class SettingsTest(testtools.TestCase):
    """Defaults of devstack/settings, as VAR=${VAR:-default}."""

    def source_settings(self, *args, **kwargs):
        return base.source_settings(base.devstack_dir(self), *args, **kwargs)

    def test_defaults_are_devstacks_fake_compute_names(self):
        # lib/nova start_nova_compute names fake compute i ${HOSTNAME}i.
        result, values = self.source_settings()
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('node-a1', values['RESIZE_FAIL_SOURCE_HOST'])
        self.assertEqual('node-a2', values['RESIZE_FAIL_DESTINATION_HOST'])

    def test_cloud_shape_path_is_the_plugins_own(self):
        result, values = self.source_settings()
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(os.path.realpath(base.SHAPE_FILE),
                         os.path.realpath(values['RESIZE_FAIL_CLOUD_SHAPE']))

    def test_localrc_values_win(self):
        result, values = self.source_settings({
            'RESIZE_FAIL_SOURCE_HOST': 'src',
            'RESIZE_FAIL_DESTINATION_HOST': 'dst',
            'RESIZE_FAIL_CLOUD_SHAPE': '/etc/shape.ini'})
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('src', values['RESIZE_FAIL_SOURCE_HOST'])
        self.assertEqual('dst', values['RESIZE_FAIL_DESTINATION_HOST'])
        self.assertEqual('/etc/shape.ini', values['RESIZE_FAIL_CLOUD_SHAPE'])
