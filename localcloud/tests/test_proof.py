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

"""The proof's judgement and its run over a cloud (injected)."""

import os
import re
import types

from localcloud import nova_tree
from localcloud import proof
from localcloud.tests import base
from resize_tempest_plugin.tests import base as plugin_base

(SHIPPED, PRE_PROVISIONED, NO_FAILING_DRIVER, NOT_ISOLATED, BUG,
 *OTHER_BUGS) = proof.cases(base.SHAPE)
BUG_CASES = [BUG] + OTHER_BUGS
BUG_1825537 = 'This is nova bug 1825537'


def tempest_output(*tests):
    """What tempest run prints of (test, failure or None for ok), in turn."""
    lines = []
    for worker, (test, failure) in enumerate(tests):
        test_id = 'resize_tempest_plugin.scenario.m.C.%s' % test
        lines.append('{%d} %s [1.5s] ... %s' % (
            worker % 2, test_id, 'FAILED' if failure else 'ok'))
        if failure:
            lines += ['', 'Captured traceback:', '~~~~~~~~~~~~~~~~~~~',
                      '    AssertionError: %s: details' % failure,
                      '{', '  "evidence": "json"', '}', '']
    lines += ['======', 'Totals', '======']
    return '\n'.join(lines) + '\n'


# What tempest prints of a class skipped in setUpClass (no admin account).
SKIPPED_CLASS = ('{0} setUpClass (resize_tempest_plugin.scenario.'
                 'test_resize_fail.ResizeFailOnDestinationTest) ... SKIPPED: '
                 'No admin credentials\n')
FAILS_ON_DRIVER = (1, tempest_output(('test_a', proof.MISSING_DRIVER)))


def fails_naming(case):
    return (1, tempest_output(('test_a', case.must_name)))


# What tempest answers in each case when every case goes as expected.
AS_EXPECTED = ([(0, ''), (0, ''), FAILS_ON_DRIVER, fails_naming(NOT_ISOLATED)]
               + [fails_naming(case) for case in BUG_CASES])
ACCOUNTS_CONF = '/state/workspace/etc/tempest-accounts.conf'


class FakeCloud:
    """What the proof asked of it; no process is started."""

    def __init__(self, log, overrides, choice, up=True):
        self.log, self.overrides, self.choice = log, overrides, choice
        self.paths = types.SimpleNamespace(accounts_tempest_conf=ACCOUNTS_CONF)
        self.up_before = up

    def is_up(self):
        return self.up_before


def recorded(log, action):
    def act(cloud):
        log.append((action, tuple(map(str, cloud.overrides)),
                    cloud.choice.patches))
    return act


class ProofTest(base.TestCase):

    def test_the_broken_clouds_run_the_tests_that_reach_them(self):
        ids = [i.split('[')[0] for i in plugin_base.scenario_test_ids()]
        chosen = [i for i in ids
                  if re.search(proof.ON_THE_FAILING_DESTINATION, i)]
        self.assertEqual(
            ['test_cold_migrate_fail_on_destination_keeps_allocations',
             'test_resize_fail_on_destination_keeps_new_flavor_allocations'],
            sorted(i.rsplit('.', 1)[1] for i in chosen))
        self.assertEqual(proof.ON_THE_FAILING_DESTINATION_CLASSES,
                         len({i.rsplit('.', 1)[0] for i in chosen}))
        # Each bug's case runs its own tests, and every test of the corpus
        # is some bug's.
        for case in OTHER_BUGS:
            mine = [i for i in ids if re.search(case.regex, i)]
            self.assertEqual(['test_bug_%s' % case.bug],
                             sorted({i.split('.')[3] for i in mine}),
                             case.name)
        corpus = [i for i in ids if '.regressions.' in i]
        self.assertEqual(len(OTHER_BUGS), len(corpus))
        paths = FakeCloud([], (), None).paths
        self.assertEqual(['--concurrency', '2'], BUG.tempest_args(paths))
        self.assertEqual([], SHIPPED.tempest_args(paths))
        self.assertEqual(['--config-file', ACCOUNTS_CONF],
                         PRE_PROVISIONED.tempest_args(paths))
        self.assertEqual(proof.CANARY_TEST, NOT_ISOLATED.regex)
        self.assertEqual(1, len([i for i in ids
                                 if re.search(NOT_ISOLATED.regex, i)]))

    def test_the_cases_come_from_the_shape(self):
        self.assertEqual((), SHIPPED.nova_conf + SHIPPED.nova_patches)
        self.assertEqual(('%s:DEFAULT:compute_driver=%s' % (
            base.SHAPE['destination_host'], base.SHAPE['source_driver']),),
            NO_FAILING_DRIVER.nova_conf)
        for case in BUG_CASES:
            self.assertTrue(os.path.isfile(case.nova_patches[0]), case.name)
            self.assertEqual('This is nova bug %s' % case.bug,
                             case.must_name)

    def test_judge(self):
        driver = tempest_output(('test_a', proof.MISSING_DRIVER),
                                ('test_b', None))
        bug = tempest_output(('test_a', BUG_1825537),
                             ('test_c', BUG_1825537))
        mixed = tempest_output(('test_a', BUG_1825537),
                               ('test_c', 'Request timed out'))
        for case, rc, output, left, expected in (
                (SHIPPED, 0, '', [], (True, 'passed')),
                (PRE_PROVISIONED, 0, SKIPPED_CLASS, [],
                 (False,
                  'passed with 1 skipped: ResizeFailOnDestinationTest')),
                (SHIPPED, 0, tempest_output(('test_a', None))
                 + '{1} resize_tempest_plugin.scenario.m.C.test_b [0.0s] '
                   '... SKIPPED: canary_trait is not set\n', [],
                 (False, 'passed with 1 skipped: test_b')),
                (SHIPPED, 1, bug, [],
                 (False, 'failed (exit 1): test_a, test_c')),
                (SHIPPED, 0, '', ['server x'],
                 (False, 'left 1 things behind: server x')),
                (BUG, 0, '', [], (False, 'passed')),
                (BUG, 1, bug, [],
                 (True, '2 failed, each naming "%s"' % BUG_1825537)),
                (BUG, 1, mixed, [],
                 (False, 'test_c failed without naming "%s"'
                         % BUG_1825537)),
                (BUG, 1, driver, [],
                 (False, 'test_a failed without naming "%s"'
                         % BUG_1825537)),
                (BUG, 1, 'ImportError', [],
                 (False, 'failed (exit 1) with no test failing')),
                (NO_FAILING_DRIVER, 1, driver, [],
                 (True, '1 failed, each naming "%s"'
                        % proof.MISSING_DRIVER))):
            self.assertEqual(expected, proof.judge(case, rc, output, left),
                             (case.name, rc, output))

    def run_proof(self, outputs, up=True, left=()):
        log = []
        self.regexes, self.args = [], []
        results = iter(outputs)

        def make_cloud(overrides, choice):
            return FakeCloud(log, overrides, choice, up=up)

        def run_tempest(cloud, args, regex):
            log.append(('tempest',))
            self.regexes.append(regex)
            self.args.append(args)
            return next(results)

        actions = proof.CloudActions(
            up=recorded(log, 'up'), down=recorded(log, 'down'),
            leftovers=lambda cloud: list(left))
        out = self.capture()
        rc = proof.run(make_cloud, run_tempest, base.SHAPE,
                       make_cloud((), nova_tree.NovaChoice()),
                       actions=actions)
        return rc, log, out.getvalue()

    def test_every_case_as_expected_passes_the_proof(self):
        rc, log, out = self.run_proof(AS_EXPECTED)
        self.assertEqual(0, rc)
        self.assertEqual(
            [('up', (), ()), ('tempest',), ('up', (), ()), ('tempest',),
             ('up', NO_FAILING_DRIVER.nova_conf, ()), ('tempest',),
             ('up', NOT_ISOLATED.nova_conf, ()), ('tempest',)]
            + [step for case in BUG_CASES
               for step in (('up', (), case.nova_patches), ('tempest',))]
            + [('up', (), ())], log)
        self.assertIn('%d of %d cases as expected' % (
            len(AS_EXPECTED), len(AS_EXPECTED)), out)
        # The whole family as shipped; the broken clouds, the tests that
        # reach the failing destination or their bug's.
        self.assertEqual([None, None, proof.ON_THE_FAILING_DESTINATION,
                          proof.CANARY_TEST]
                         + [case.regex for case in BUG_CASES], self.regexes)
        self.assertEqual([[], ['--config-file', ACCOUNTS_CONF],
                          ['--concurrency', '2'], [], ['--concurrency', '2']]
                         + [[]] * len(OTHER_BUGS), self.args)
        self.assertNotIn('MISMATCH', out)
        # The last lines: each bug, caught by name.
        for case in BUG_CASES:
            self.assertIn('prove: bug %s: caught by name' % case.bug, out)

    def test_a_case_that_passes_where_it_must_fail_fails_the_proof(self):
        rc, _log, out = self.run_proof(AS_EXPECTED[:-1] + [(0, '')])
        self.assertEqual(1, rc)
        last = OTHER_BUGS[-1]
        self.assertRegex(out, r'nova with revert-bug-%s.diff\s+fail '
                              r'naming "This is nova bug %s"\s+passed'
                              r'\s+\d+\.\d\s+MISMATCH' % (last.bug, last.bug))
        self.assertIn('bug %s: NOT CAUGHT (passed' % last.bug, out)

    def test_a_cloud_brought_up_here_goes_down_at_the_end(self):
        _rc, log, _out = self.run_proof(AS_EXPECTED, up=False)
        self.assertEqual(('down', (), ()), log[-1])
        # As shipped, then with pre-provisioned credentials; not back up.
        self.assertEqual(2, log.count(('up', (), ())))

    def test_leftovers_fail_a_case_that_went_as_expected(self):
        rc, _log, out = self.run_proof(AS_EXPECTED, left=['flavor x'])
        self.assertEqual(1, rc)
        self.assertIn('left 1 things behind: flavor x', out)


class GuardedTest(base.TestCase):
    """``localcloud run``'s last lines: each bug of the corpus."""

    def test_each_bug_from_its_tests(self):
        def result(module, test, outcome):
            return ('{0} resize_tempest_plugin.scenario.%s.C.%s [1.0s] '
                    '... %s' % (module, test, outcome))
        output = '\n'.join([
            result('test_resize_fail', 'test_x', 'ok'),
            result('test_migrate_fail', 'test_y', 'FAILED'),
            result('regressions.test_bug_1750623', 'test_z', 'ok'),
            result('regressions.test_bug_1679750', 'test_w', 'SKIPPED'),
        ])
        lines = proof.guarded(output)
        self.assertEqual(len(proof.CORPUS), len(lines))
        self.assertIn('bug 1825537: FAILED: test_y', lines)
        self.assertIn('bug 1750623: guarded (1 passed)', lines)
        self.assertIn('bug 1679750: skipped', lines)
        self.assertIn('bug 1718455: not run', lines)
