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

"""``python3 -m localcloud bench``: figures, not a test.

From one run: the install (warm: the check that finds the venv current;
cold: a scratch venv), ``up`` from the installed venv and an empty state
directory (twice: with an empty database cache of the bench's own, then
restored from it), each service's start, the bug 1825537 scenario alone beside
nova's own in-process test of the same bug (with where the scenario's
seconds go: :mod:`localcloud.tools.phases`), the whole family of tests, and the
memory of the cloud's processes. It brings up a cloud of its own in a
scratch state directory and tears it down, so it needs the cloud's ports
free.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

from localcloud import cloud as cloud_mod
from localcloud import errors
from localcloud import install
from localcloud import layout
from localcloud.lib import tempest
from localcloud import machine
from localcloud import nova_tree
from localcloud import progress
from localcloud import stack
from localcloud.tools import phases

NOVA_TEST = 'nova.tests.functional.regressions.test_bug_1825537'
# What nova's functional tests import beyond nova itself (pinned in
# constraints.txt like everything else).
NOVA_TEST_PACKAGES = ('oslotest', 'requests-mock', 'wsgi_intercept')
# The bug 1825537 scenario alone: the black-box twin of NOVA_TEST.
BUG_TEST = layout.SCENARIO_TEST
# Nova's instance actions of a deleted server, with their events.
ACTIONS_MICROVERSION = '2.84'
STESTR_RESULT = re.compile(r'\[(\d+\.\d+)s\] \.\.\. (ok|FAILED|SKIPPED)')


def timed(action):
    began = time.monotonic()
    result = action()
    return time.monotonic() - began, result


def run_stestr_like(cmd, cwd, env=None):
    """Run a command that reports like stestr, timed.

    Returns (exit status, wall seconds, the tests' own seconds, outcomes).
    """
    wall, proc = timed(lambda: subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True))
    found = STESTR_RESULT.findall(proc.stdout)
    if proc.returncode:
        progress.step('%s exited %d; its output ends with:\n%s'
                      % (' '.join(cmd[:3]), proc.returncode,
                         errors.tail_text(proc.stdout + proc.stderr, 25)))
    return (proc.returncode, wall, sum(float(s) for s, _ in found),
            [outcome for _, outcome in found])


def process_memory(root_pid):
    """(RSS, PSS, process count) of ``root_pid`` and every process below it.

    RSS and PSS in MiB. RSS counts pages shared between a parent and its
    forked workers once in each; PSS divides them among their sharers.
    """
    pids = machine.descendants(root_pid)
    rss = pss = 0
    for pid in pids:
        rss += _kib(pid, 'status', 'VmRSS:')
        pss += _kib(pid, 'smaps_rollup', 'Pss:')
    return rss / 1024.0, pss / 1024.0, len(pids)


def _kib(pid, name, key):
    for line in (machine.read(pid, name) or b'').decode().splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def scenario_phases(cloud, launch, wall):
    """Where the bug scenario's seconds went: (label, seconds) rows.

    Of the run launched at ``launch`` (epoch seconds) that lasted
    ``wall``; one row that says why, where they cannot be told.
    """
    try:
        lines = phases.read_log(read_text(cloud.paths.log('tempest')),
                                since=launch)
        tests = phases.read_subunit(read_text(
            last_stream(cloud.paths.workspace)))
        requests = phases.nova_requests(
            [read_text(cloud.paths.log(service.name))
             for service in cloud.services
             if service.name.startswith('nova-')], since=launch)
        found = phases.test_phases(
            BUG_TEST + '.', launch, launch + wall, lines, tests,
            lambda server: phases.nova_spans(
                instance_actions(cloud.conn, server), requests))
    except (OSError, ValueError) as exc:
        return [('phases cannot be told: %s' % exc, 0.0)]
    return phases.describe(found)


def read_text(path):
    with open(path, errors='replace') as f:
        return f.read()


def last_stream(workspace):
    """The subunit stream of the last ``tempest run`` in ``workspace``."""
    repository = os.path.join(workspace, '.stestr')
    with open(os.path.join(repository, 'next-stream')) as f:
        return os.path.join(repository, str(int(f.read()) - 1))


def instance_actions(conn, server):
    """nova's instance actions of ``server``, deleted or not, with events."""
    def get(url, key):
        return conn.compute.get(
            url, microversion=ACTIONS_MICROVERSION).json()[key]

    url = '/servers/%s/os-instance-actions' % server
    return [get('%s/%s' % (url, action['request_id']), 'instanceAction')
            for action in get(url, 'instanceActions')]


def prepare_nova_test(paths):
    """Make nova's functional tests runnable from the installed nova.

    They want their test packages and, beside the nova package, the
    api-paste.ini of a source tree.
    """
    subprocess.run([paths.venv_python, '-m', 'pip', 'install', '-q',
                    '--disable-pip-version-check', '-c', layout.CONSTRAINTS]
                   + list(NOVA_TEST_PACKAGES), check=True,
                   capture_output=True)
    site = subprocess.run(
        [paths.venv_python, '-c', 'import nova, os; '
         'print(os.path.dirname(os.path.dirname(nova.__file__)))'],
        check=True, capture_output=True, text=True).stdout.strip()
    paste = os.path.join(site, 'etc', 'nova', 'api-paste.ini')
    if not os.path.exists(paste):
        os.makedirs(os.path.dirname(paste), exist_ok=True)
        os.symlink(os.path.join(paths.venv, 'etc', 'nova', 'api-paste.ini'),
                   paste)
    return site


def nova_source_copy(venv):
    """A --nova-source tree copied from the venv's nova, in a scratch dir.

    The package with its modification times (so that only an edit is
    newer than a service's start), and its metadata as the tree's
    PKG-INFO, which names it nova.
    """
    site = nova_tree.venv_site_packages(venv)
    tree = tempfile.mkdtemp(prefix='localcloud-bench-nova-source-')
    shutil.copytree(os.path.join(site, 'nova'), os.path.join(tree, 'nova'),
                    symlinks=True)
    (dist_info,) = [name for name in os.listdir(site) if
                    name.startswith('nova-') and name.endswith('.dist-info')]
    shutil.copy2(os.path.join(site, dist_info, 'METADATA'),
                 os.path.join(tree, 'PKG-INFO'))
    return tree


def edit_to_verdict(bench, figure, tree):
    """Edit nova/compute/manager.py, restart, run the scenario: timed.

    ``tree``: a copy of nova that the bench cloud then runs (until it is
    torn down). The edit writes the file's own text back, which changes
    nothing but its modification time, as a developer's save does. The
    scenario runs as ``localcloud test`` runs it. Returns the scenario's
    exit status.
    """
    sourced = cloud_mod.Cloud(
        bench.paths, nova_choice=nova_tree.NovaChoice.from_args(
            source=tree))
    stack.up(sourced)  # every nova service, from the copy
    # As after the developer's first "localcloud test": its list saved.
    tempest.selection_args(bench.paths, BUG_TEST)
    manager = os.path.join(tree, 'nova', 'compute', 'manager.py')
    began = time.monotonic()
    with open(manager) as f:
        text = f.read()
    with open(manager, 'w') as f:
        f.write(text)
    restart, names = timed(lambda: stack.restart_nova(sourced))
    launch = time.time()
    rc, wall, own, outcomes = run_stestr_like(
        [bench.paths.bin('tempest'), 'run']
        + tempest.selection_args(bench.paths, BUG_TEST)
        + tempest.pre_provisioned_args(bench.paths),
        bench.paths.workspace)
    figure('edit to verdict: nova/compute/manager.py saved, restart, '
           'the scenario (%s)' % ','.join(outcomes or ['no result']),
           time.monotonic() - began)
    figure('  restart (%s)' % ', '.join(names), restart)
    for name in names:
        figure('    start of %s, to its fresh report' % name,
               sourced.processes.start_times[name])
    figure('  localcloud test: tempest run of the scenario (its saved list, '
           'pre-provisioned accounts)', wall)
    figure('    the test itself', own)
    for label, seconds in scenario_phases(sourced, launch, wall):
        figure('      ' + label, seconds)
    return rc


def run(cloud, args):
    paths = cloud.paths
    busy = [s.name for s in cloud.services if s.port
            and machine.port_open(s.port)]
    if busy:
        raise errors.CloudError(
            'bench brings up a cloud of its own on the same ports, and %s '
            'answer there: run "python3 -m localcloud down" first'
            % ', '.join(busy))
    figures = []

    def figure(name, value, unit='s'):
        figures.append((name, value, unit))
        progress.step('bench: %s: %.1f %s' % (name, value, unit))

    figure('install, warm (venv current)',
           timed(lambda: install.ensure_installed(paths))[0])
    if args.cold_install:
        scratch = tempfile.mkdtemp(prefix='localcloud-bench-home-')
        try:
            with progress.Spinner('cold venv install') as report:
                figure('install, cold venv (caches as found)', timed(
                    lambda: install.ensure_venv(
                        layout.Layout.from_args(scratch), report))[0])
        finally:
            shutil.rmtree(scratch)

    state = tempfile.mkdtemp(prefix='localcloud-bench-state-')
    os.rmdir(state)  # up starts from an empty state directory
    # A database cache of the bench's own, empty at first: the first up
    # runs every sync and fills it, the second restores from it.
    cache = tempfile.mkdtemp(prefix='localcloud-bench-db-cache-')
    bench_paths = layout.Layout(home=paths.home, state=state,
                                database_cache=cache)
    bench = cloud_mod.Cloud(bench_paths)
    source = None
    try:
        figure('up from an empty state directory, cold database cache '
               '(every sync runs)', timed(lambda: stack.up(bench))[0])
        stack.down(bench, purge=True)
        # A cloud of its own: the purged one's secrets are gone.
        bench = cloud_mod.Cloud(bench_paths)
        figure('up from an empty state directory, warm database cache '
               '(restored)', timed(lambda: stack.up(bench))[0])
        for name, seconds in sorted(bench.processes.start_times.items(),
                                    key=lambda item: -item[1]):
            figure('  start of %s' % name, seconds)
        rss, pss, count = process_memory(bench.supervisor.pid)
        figure('RSS of the cloud (%d processes)' % count, rss, 'MiB')
        figure('PSS of the cloud (%d processes)' % count, pss, 'MiB')
        launch = time.time()
        rc, wall, own, outcomes = run_stestr_like(
            [paths.bin('tempest'), 'run', '--regex', BUG_TEST],
            bench.paths.workspace)
        figure('bug 1825537 scenario: tempest run, wall (%s)'
               % ','.join(outcomes or ['no result']), wall)
        figure('bug 1825537 scenario: the test itself', own)
        for label, seconds in scenario_phases(bench, launch, wall):
            figure('  ' + label, seconds)
        rss_after, pss_after, count = process_memory(bench.supervisor.pid)
        figure('RSS of the cloud after the scenario', rss_after, 'MiB')
        if args.nova_test:
            site = prepare_nova_test(paths)
            work = tempfile.mkdtemp(prefix='localcloud-bench-nova-')
            try:
                _rc, nova_wall, nova_own, nova_outcomes = run_stestr_like(
                    [paths.venv_python, '-m', 'stestr', '--test-path',
                     os.path.join(site, 'nova', 'tests', 'functional',
                                  'regressions'),
                     '--top-dir', site, 'run', '--no-discover', NOVA_TEST],
                    work)
            finally:
                shutil.rmtree(work)
            figure("nova's in-process test_bug_1825537: stestr, wall (%s)"
                   % ','.join(nova_outcomes or ['no result']), nova_wall)
            figure("nova's in-process test_bug_1825537: the test itself",
                   nova_own)
            if outcomes == ['ok'] and nova_outcomes == ['ok']:
                figure('ratio black-box / in-process, the test itself',
                       own / nova_own, 'x')
                figure('ratio black-box / in-process, tempest run / stestr '
                       'wall', wall / nova_wall, 'x')
            else:
                progress.step('bench: no ratio: a failed test\'s seconds '
                              'say nothing of a passing one\'s')
        family_rc, family_wall, family_own, family_outcomes = (
            run_stestr_like([paths.bin('tempest'), 'run', '--regex',
                             bench.tempest_options['test_regex']],
                            bench.paths.workspace))
        rc = rc or family_rc
        figure('the family (%s): tempest run, wall (%d tests: %s)' % (
            bench.tempest_options['test_regex'], len(family_outcomes),
            ','.join(sorted(set(family_outcomes)) or ['no result'])),
            family_wall)
        figure('the family: the tests themselves, added up', family_own)
        rss_after, pss_after, count = process_memory(bench.supervisor.pid)
        figure('RSS of the cloud after the family', rss_after, 'MiB')
        # Last: the cloud then runs a copy of nova, removed after down.
        source = nova_source_copy(paths.venv)
        rc = edit_to_verdict(bench, figure, source) or rc
    finally:
        stack.down(bench, purge=True)
        shutil.rmtree(cache)
        if source:
            shutil.rmtree(source)
    print('\nlocalcloud bench')
    for name, value, unit in figures:
        print('  %-72s %8.1f %s' % (name, value, unit))
    return rc
