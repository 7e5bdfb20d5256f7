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

"""The command line, up to its hand-over to the venv (which is mocked)."""

import os

import fixtures

from localcloud import cli
from localcloud import errors
from localcloud import install
from localcloud import layout
from localcloud.tests import base
from localcloud import verbs


def parse(*argv):
    return cli.build_parser().parse_args(list(argv))


class ParserTest(base.TestCase):

    def test_run_keeps_the_extra_tempest_args(self):
        args = parse('run', '--keep', '--', '--concurrency', '2')
        self.assertEqual('run', args.verb)
        self.assertTrue(args.keep)
        self.assertEqual(['--concurrency', '2'],
                         [a for a in args.tempest_args if a != '--'])

    def test_run_with_pre_provisioned_credentials(self):
        self.assertTrue(parse('run', '--pre-provisioned-credentials')
                        .pre_provisioned_credentials)
        self.assertFalse(parse('run').pre_provisioned_credentials)

    def test_test_takes_a_regex_then_tempest_args(self):
        for argv, expected in (
                ((), (layout.SCENARIO_TEST, [])),
                (('canary',), ('canary', [])),
                (('--', '--concurrency', '1'),
                 (layout.SCENARIO_TEST, ['--concurrency', '1'])),
                (('canary', '--', '-c', '1'), ('canary', ['-c', '1']))):
            args = parse('test', *argv)
            self.assertEqual(expected, verbs.test_selection(args.selection),
                             argv)
        self.assertTrue(parse('test', '--dynamic-credentials')
                        .dynamic_credentials)
        error = self.assertRaises(errors.CloudError, verbs.test_selection,
                                  ['a', 'b'])
        self.assertIn('test takes one REGEX', str(error))

    def test_restart_names_services_or_none(self):
        self.assertEqual([], parse('restart').services)
        self.assertEqual(['nova-compute-host2'],
                         parse('restart', 'nova-compute-host2').services)

    def test_run_without_keep(self):
        args = parse('run')
        self.assertFalse(args.keep)
        self.assertEqual([], args.tempest_args)

    def test_nova_conf_is_repeatable(self):
        wanted = ['DEFAULT:debug=true', 'host2:DEFAULT:compute_driver=a.B']
        for verb in ('up', 'run'):
            args = parse(verb, '--nova-conf', wanted[0],
                         '--nova-conf', wanted[1])
            self.assertEqual(wanted, args.nova_conf)
        self.assertEqual([], parse('up').nova_conf)

    def test_home_state_dir_and_verb_options(self):
        args = parse('--home', '/h', '--state-dir', '/s', 'logs', 'keystone',
                     '-n', '5')
        self.assertEqual(('/h', '/s', 'keystone', 5),
                         (args.home, args.state_dir, args.service,
                          args.lines))
        self.assertTrue(parse('down', '--purge').purge)

    def test_home_and_state_dir_after_any_verb(self):
        for verb in ('up', 'run', 'status', 'down', 'logs', 'bench'):
            for argv in ((verb, '--home', '/h', '--state-dir', '/s'),
                         ('--home', '/h', verb, '--state-dir', '/s'),
                         ('--home', '/x', '--state-dir', '/y', verb,
                          '--home', '/h', '--state-dir', '/s')):
                args = parse(*argv)
                self.assertEqual((verb, '/h', '/s'),
                                 (args.verb, args.home, args.state_dir),
                                 argv)
            self.assertEqual((None, None), (parse(verb).home,
                                            parse(verb).state_dir))

    def test_run_options_after_the_verb_are_not_tempests(self):
        args = parse('run', '--state-dir', '/s', '--keep', '--',
                     '--state-dir', 'x')
        self.assertEqual('/s', args.state_dir)
        self.assertTrue(args.keep)
        self.assertEqual(['--state-dir', 'x'],
                         [a for a in args.tempest_args if a != '--'])

    def test_unknown_or_missing_verb_fails(self):
        err = self.capture('stderr')
        for argv in (['frobnicate'], []):
            error = self.assertRaises(SystemExit, parse, *argv)
            self.assertEqual(2, error.code)
        self.assertIn("invalid choice: 'frobnicate'", err.getvalue())


class MainTest(base.TestCase):
    """Without a venv at --home, nothing is installed or executed."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.out = self.capture()
        self.execve = self.useFixture(fixtures.MockPatch(
            'os.execve', side_effect=AssertionError('execve called'))).mock
        self.ensure = self.useFixture(fixtures.MockPatchObject(
            install, 'ensure_installed',
            side_effect=AssertionError('install called'))).mock

    def main(self, *argv):
        return cli.main(['--home', self.paths.home] + list(argv))

    def exit_code(self, *argv):
        return self.assertRaises(SystemExit, self.main, *argv).code

    def test_status_without_a_venv(self):
        self.assertEqual(1, self.exit_code('status'))
        self.assertIn('no cloud here: %s has no venv' % self.paths.home,
                      self.out.getvalue())
        self.assertFalse(os.path.exists(self.paths.state))

    def test_down_and_logs_without_a_venv(self):
        self.assertEqual(0, self.exit_code('down', '--purge'))
        self.assertEqual(1, self.exit_code('logs'))
        self.assertEqual(2, self.out.getvalue().count('no cloud here'))

    def test_home_after_the_verb_is_the_one_used(self):
        self.assertEqual(1, self.assertRaises(
            SystemExit, cli.main, ['status', '--home', self.paths.home]).code)
        self.assertIn('no cloud here: %s has no venv' % self.paths.home,
                      self.out.getvalue())

    def test_install_failure_is_exit_1(self):
        self.ensure.side_effect = install.InstallError('needs root')
        self.assertEqual(1, self.exit_code('up'))
        self.assertIn('install failed: needs root', self.out.getvalue())
        self.execve.assert_not_called()

    def test_hands_over_to_the_venv(self):
        os.makedirs(os.path.dirname(self.paths.venv_python))
        open(self.paths.venv_python, 'w').close()
        self.execve.side_effect = None
        self.main('status')
        python, argv, env = self.execve.call_args[0]
        self.assertEqual(self.paths.venv_python, python)
        self.assertEqual([python, '-m', 'localcloud', '--home',
                          self.paths.home, 'status'], argv)
        self.assertEqual(layout.REPO_ROOT, env['PYTHONPATH'])
        self.ensure.assert_not_called()
