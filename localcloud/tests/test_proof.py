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

from localcloud import nova_tree
from localcloud import proof
from localcloud.tests import base
from resize_tempest_plugin.tests import base as plugin_base

SHIPPED, NO_FAILING_DRIVER, BUG = proof.cases(base.SHAPE)


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


FAILS_ON_DRIVER = (1, tempest_output(('test_a', proof.MISSING_DRIVER)))
FAILS_ON_BUG = (1, tempest_output(('test_a', proof.BUG_1825537)))


class FakeCloud:
    """What the proof asked of it; no process is started."""

    def __init__(self, log, overrides, choice, up=True):
        self.log, self.overrides, self.choice = log, overrides, choice
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
        self.assertEqual(6, len(ids))
        self.assertEqual(['--concurrency', '2'], BUG.tempest_args)
        self.assertEqual([], SHIPPED.tempest_args)

    def test_the_cases_come_from_the_shape(self):
        self.assertEqual((), SHIPPED.nova_conf + SHIPPED.nova_patches)
        self.assertEqual(('%s:DEFAULT:compute_driver=%s' % (
            base.SHAPE['destination_host'], base.SHAPE['source_driver']),),
            NO_FAILING_DRIVER.nova_conf)
        self.assertTrue(os.path.isfile(BUG.nova_patches[0]))

    def test_judge(self):
        driver = tempest_output(('test_a', proof.MISSING_DRIVER),
                                ('test_b', None))
        bug = tempest_output(('test_a', proof.BUG_1825537),
                             ('test_c', proof.BUG_1825537))
        mixed = tempest_output(('test_a', proof.BUG_1825537),
                               ('test_c', 'Request timed out'))
        for case, rc, output, left, expected in (
                (SHIPPED, 0, '', [], (True, 'passed')),
                (SHIPPED, 1, bug, [],
                 (False, 'failed (exit 1): test_a, test_c')),
                (SHIPPED, 0, '', ['server x'],
                 (False, 'left 1 things behind: server x')),
                (BUG, 0, '', [], (False, 'passed')),
                (BUG, 1, bug, [],
                 (True, '2 failed, each naming "%s"' % proof.BUG_1825537)),
                (BUG, 1, mixed, [],
                 (False, 'test_c failed without naming "%s"'
                         % proof.BUG_1825537)),
                (BUG, 1, driver, [],
                 (False, 'test_a failed without naming "%s"'
                         % proof.BUG_1825537)),
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
        rc, log, out = self.run_proof([
            (0, ''), FAILS_ON_DRIVER, FAILS_ON_BUG])
        self.assertEqual(0, rc)
        self.assertEqual([
            ('up', (), ()), ('tempest',),
            ('up', NO_FAILING_DRIVER.nova_conf, ()), ('tempest',),
            ('up', (), BUG.nova_patches), ('tempest',),
            ('up', (), ())], log)
        self.assertIn('3 of 3 cases as expected', out)
        # The whole family as shipped; the broken clouds, the tests that
        # reach the failing destination.
        self.assertEqual([None, proof.ON_THE_FAILING_DESTINATION,
                          proof.ON_THE_FAILING_DESTINATION], self.regexes)
        self.assertEqual([[]] + [['--concurrency', '2']] * 2, self.args)
        self.assertNotIn('MISMATCH', out)

    def test_a_case_that_passes_where_it_must_fail_fails_the_proof(self):
        rc, _log, out = self.run_proof([
            (0, ''), FAILS_ON_DRIVER, (0, '')])
        self.assertEqual(1, rc)
        self.assertRegex(out, r'nova with revert-bug-1825537.diff\s+fail '
                              r'naming "This is nova bug 1825537"\s+passed'
                              r'\s+\d+\.\d\s+MISMATCH')

    def test_a_cloud_brought_up_here_goes_down_at_the_end(self):
        _rc, log, _out = self.run_proof([
            (0, ''), FAILS_ON_DRIVER, FAILS_ON_BUG],
            up=False)
        self.assertEqual(('down', (), ()), log[-1])
        self.assertNotIn(('up', (), ()), log[6:])

    def test_leftovers_fail_a_case_that_went_as_expected(self):
        rc, _log, out = self.run_proof([
            (0, ''), FAILS_ON_DRIVER, FAILS_ON_BUG],
            left=['flavor x'])
        self.assertEqual(1, rc)
        self.assertIn('left 1 things behind: flavor x', out)
