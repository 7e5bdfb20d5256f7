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

"""``prove``: the scenario, live, on the cloud as shipped and on two clouds
that misbehave, each case restarting only what it changes.

A regression test is worth what it catches: the proof runs the tests as
shipped (they must pass), with the destination's nova-compute on a driver
whose resize works (they must fail, naming the missing failing driver), and
with nova's fix for bug 1825537 reverted (they must fail, naming the bug).
It prints a table and exits 0 only if every case went as expected.
"""

import dataclasses
import os
import re
import time

from localcloud import layout
from localcloud.lib import tempest as tempest_lib
from localcloud import nova_tree
from localcloud import overrides as overrides_mod
from localcloud import progress
from localcloud import stack

PATCHES = os.path.join(layout.REPO_ROOT, 'localcloud', 'patches')
MISSING_DRIVER = 'not running fake.FakeFinishMigrationFailDriver'
# The broken clouds run the resize and the cold migration that fail in
# finish_migration on the destination: the moves bug 1825537's fix covers.
# The first case runs the whole family; of the rest, the hard reboot fails
# at the same check as the resize (it adds time, not evidence), and no
# valid host, revert and confirm never reach the failing driver.
ON_THE_FAILING_DESTINATION = (
    r'resize_tempest_plugin\.scenario\.test_(resize_fail|migrate_fail)\.')
# Its test classes, each given a worker of its own: the tests mostly wait
# on nova, so side by side they take the time of the longest.
ON_THE_FAILING_DESTINATION_CLASSES = 2
# The regression corpus: each bug, the tests that its revert must make
# fail naming it, and their workers (None: tempest's default).
CORPUS = (
    ('1825537', ON_THE_FAILING_DESTINATION,
     ON_THE_FAILING_DESTINATION_CLASSES),
) + tuple(
    (bug, r'resize_tempest_plugin\.scenario\.regressions\.test_bug_%s\.'
     % bug, None)
    for bug in ('1750623', '1679750', '1713783', '1855927', '1750618',
                '1785339', '1718455'))
# The isolation test's verdict on a scheduler that lets an ordinary
# flavor reach the canaries (verdicts.NOT_ISOLATED).
NOT_ISOLATED = 'The cloud does not isolate its canary'
CANARY_TEST = r'resize_tempest_plugin\.scenario\.test_canary_isolation\.'
# Before each line of a case's tempest output: its failures are the
# proof's material, not failures of the run (.ci/run counts lines that
# start with " - Failed:").
OUTPUT_PREFIX = '  | '


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    nova_conf: tuple = ()       # --nova-conf arguments
    nova_patches: tuple = ()    # --nova-patch arguments
    must_name: str = None       # None: must pass; else must fail naming it
    regex: str = None           # the tests; None: the shape's, all of them
    workers: int = None         # tempest's concurrency; None: its default
    bug: str = None             # the nova bug whose revert this case runs
    pre_provisioned: bool = False  # accounts.yaml, not dynamic credentials

    def tempest_args(self, paths):
        return ((['--concurrency', str(self.workers)] if self.workers else [])
                + (tempest_lib.pre_provisioned_args(paths)
                   if self.pre_provisioned else []))

    @property
    def expected(self):
        return ('pass' if self.must_name is None
                else 'fail naming "%s"' % self.must_name)


def revert(bug):
    """The patch that puts nova bug ``bug`` back into nova 34.0.0."""
    return os.path.join(PATCHES, 'revert-bug-%s.diff' % bug)


def bug_case(bug, regex, workers):
    """With the bug's fix reverted, its tests fail, each naming it."""
    return Case('nova with %s' % os.path.basename(revert(bug)),
                nova_patches=(revert(bug),),
                must_name='This is nova bug %s' % bug, regex=regex,
                workers=workers, bug=bug)


def cases(shape):
    """The cases, from the cloud's shape and the corpus."""
    destination = shape['destination_host']
    return (
        Case('as shipped'),
        Case('pre-provisioned credentials (accounts.yaml)',
             pre_provisioned=True),
        Case('%s on %s' % (destination, shape['source_driver']),
             nova_conf=('%s:DEFAULT:compute_driver=%s'
                        % (destination, shape['source_driver']),),
             must_name=MISSING_DRIVER, regex=ON_THE_FAILING_DESTINATION,
             workers=ON_THE_FAILING_DESTINATION_CLASSES),
        Case('nova-scheduler without isolated aggregates',
             nova_conf=('scheduler:enable_isolated_aggregate_filtering='
                        'False',),
             must_name=NOT_ISOLATED, regex=CANARY_TEST),
    ) + tuple(bug_case(*entry) for entry in CORPUS)


def by_bug(rows):
    """One line per bug whose revert the proof ran, from its table rows."""
    return ['bug %s: %s (%s, %.1f s)' % (
        case.bug, 'caught by name' if matched else 'NOT CAUGHT', seen,
        seconds) for case, seen, seconds, matched in rows if case.bug]


def guarded(output):
    """One line per bug of the corpus: how its tests did in ``output``.

    For a run of the tests on one nova (``localcloud run``): a bug is
    guarded when its tests ran and passed.
    """
    results = [(match.group(1), match.group(2))
               for match in RESULT.finditer(output)]
    lines = []
    for bug, regex, _workers in CORPUS:
        ran = [(test, result) for test, result in results
               if re.search(regex, test)]
        failed = [short(test) for test, result in ran if result == 'FAILED']
        skipped = [test for test, result in ran if result == 'SKIPPED']
        if not ran:
            verdict = 'not run'
        elif failed:
            verdict = 'FAILED: %s' % ', '.join(failed)
        elif len(skipped) == len(ran):
            verdict = 'skipped'
        else:
            verdict = 'guarded (%d passed)' % (len(ran) - len(skipped))
        lines.append('bug %s: %s' % (bug, verdict))
    return lines


# A test's result line in ``tempest run``'s output (subunit-trace).
RESULT = re.compile(r'^\{\d+\} (\S+) \[[\d.]+s\] \.\.\. (ok|FAILED|SKIPPED)',
                    re.MULTILINE)


# A skipped test or class in ``tempest run``'s output: a class skipped in
# setUpClass has no time.
SKIPPED = re.compile(r'^\{\d+\} (.+?) (?:\[[\d.]+s\] )?\.\.\. SKIPPED',
                     re.MULTILINE)


def failures(output):
    """{test id: what tempest printed of its failure}, from the output."""
    found = {}
    results = list(RESULT.finditer(output))
    for result, following in zip(results, results[1:] + [None]):
        if result.group(2) == 'FAILED':
            end = following.start() if following else len(output)
            found[result.group(1)] = output[result.end():end]
    return found


def judge(case, returncode, output, leftovers):
    """(matched, what was seen) for one case's run.

    A case that must fail matches only if every failed test names its
    cause: a test failing for another reason (a timeout, a crash) is not
    the failure the case is about.
    """
    if leftovers:
        return False, 'left %d things behind: %s' % (
            len(leftovers), '; '.join(leftovers))
    failed = failures(output)
    if returncode == 0:
        skipped = [short(m.group(1).split(' ')[-1].strip('()'))
                   for m in SKIPPED.finditer(output)]
        if case.must_name is None and skipped:
            # A case that must pass passes only by running its tests: a
            # broken accounts file skips them all and exits 0.
            return False, 'passed with %d skipped: %s' % (
                len(skipped), ', '.join(skipped))
        return case.must_name is None, 'passed'
    if case.must_name is None:
        return False, 'failed (exit %d): %s' % (
            returncode, ', '.join(short(t) for t in failed) or 'no test ran')
    if not failed:
        return False, 'failed (exit %d) with no test failing' % returncode
    other = [short(t) for t, text in failed.items()
             if case.must_name not in text]
    if other:
        return False, '%s failed without naming "%s"' % (
            ', '.join(other), case.must_name)
    return True, '%d failed, each naming "%s"' % (len(failed),
                                                  case.must_name)


def short(test_id):
    """A test id without its module path."""
    return test_id.rsplit('.', 1)[-1]


def table(rows):
    """rows: (case, expected, seen, seconds, matched) -> aligned text."""
    header = ('case', 'expected', 'seen', 'seconds', '')
    cells = [header] + [(r[0], r[1], r[2], '%.1f' % r[3],
                         'ok' if r[4] else 'MISMATCH') for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    return '\n'.join(
        '  '.join(cell.ljust(widths[i]) if i < 4 else cell
                  for i, cell in enumerate(row)).rstrip()
        for row in cells)


def _leftovers(cloud):
    return cloud.leftovers()


@dataclasses.dataclass(frozen=True)
class CloudActions:
    """What the proof does to a cloud (the stack's own, unless tests say)."""
    up: object = stack.up
    down: object = stack.down
    leftovers: object = _leftovers


def run(make_cloud, run_tempest, shape, before, tempest_args=(),
        actions=CloudActions()):
    """Run every case on one cloud; 0 if each went as expected, else 1.

    ``make_cloud(nova_overrides, nova_choice)`` gives a cloud whose ``up``
    changes only what differs from the cloud that runs;
    ``run_tempest(cloud, args, regex)`` gives (exit code, output).
    ``before`` is the cloud as it was: left down if it was down, else
    brought back.
    """
    hosts = (shape['source_host'], shape['destination_host'])
    brought_up_here = not before.is_up()
    rows = []
    began = time.monotonic()
    try:
        for case in cases(shape):
            progress.step('prove: case "%s", expected: %s'
                          % (case.name, case.expected))
            case_began = time.monotonic()
            cloud = make_cloud(
                [overrides_mod.parse_nova_override(text, hosts)
                 for text in case.nova_conf],
                nova_tree.NovaChoice.from_args(patches=case.nova_patches))
            actions.up(cloud)
            # The case's own arguments first: the caller's win.
            returncode, output = run_tempest(
                cloud, case.tempest_args(cloud.paths) + list(tempest_args),
                case.regex)
            matched, seen = judge(case, returncode, output,
                                  actions.leftovers(cloud))
            rows.append((case, seen, time.monotonic() - case_began,
                         matched))
    finally:
        if brought_up_here:
            actions.down(before)
        else:
            progress.step('prove: back to the cloud as it was')
            actions.up(before)
    print(table([(case.name, case.expected, seen, seconds, matched)
                 for case, seen, seconds, matched in rows]))
    for line in by_bug(rows):
        progress.step('prove: %s' % line)
    matched = sum(row[3] for row in rows)
    progress.step('prove: %d of %d cases as expected in %.1fs'
                  % (matched, len(rows), time.monotonic() - began))
    return 0 if matched == len(rows) == len(cases(shape)) else 1
