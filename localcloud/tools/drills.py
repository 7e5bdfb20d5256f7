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

"""Fault drills and a soak against a live local cloud, driven from outside.

    python3 -m localcloud.tools.drills [--home H] [--state-dir S] NAME...

A drill brings the cloud up with the command line (``python3 -m localcloud
up``), starts ``tempest run --regex resize_fail`` in its workspace, and
breaks one service when tempest.log shows the scenario at the drill's point:
by its pid from ``status`` (never through supervisord), as a crash or an
operator would. Then it reports the run (exit, seconds, each exception's
first line: the verdict and any cleanup that failed), brings the cloud back
with ``up``, lists what the tests left behind, runs the scenario once more
(it must pass), takes the cloud ``down`` and checks that none of its
processes runs and none of its ports answers. A run that outlives its bound
(every wait of the test at ``compute.build_timeout``) is a hang: killed and
reported.

``soak`` runs the scenario RUNS times back to back on one cloud (the RSS
of the cloud's processes after each run, and what each left behind), then
CONCURRENT runs at once, each from a copy of the workspace.

Every NAME is run in turn; the exit status is 1 if any drill's run hung,
``up`` failed to bring the cloud back, the check run or a soak run failed,
something was left behind by a soak run, or anything of the cloud remained
after ``down``.
"""

import argparse
import collections
import configparser
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from localcloud import layout
from localcloud import machine

# Where the scenario is, from the plugin's waiter lines in tempest.log.
RESIZING = re.compile(r'Waiting for the resize of server \S+ to reach '
                      r'error: ')
# The migration in error: the test waits for the server's ERROR, then reads
# placement.
CHECKING = re.compile(r'Waiting for the resize of server \S+ to reach '
                      r'error: error ')
# How many build_timeouts a run may take before it counts as a hang: the
# test waits at most five times (boot, migration, ERROR, deletion, the
# allocations), and its cleanup once more for the server.
WAITS_PER_RUN = 6
# Each exception's first line in tempest's output: the verdict, and every
# cleanup that failed.
EXCEPTION_LINE = re.compile(
    r'^\s*((?:[\w.]+\.)?\w*(?:Error|Exception|Failure|Timeout|Failed)\w*'
    r': .*)$')

Drill = collections.namedtuple('Drill', 'what service when sig restart')


def destination_compute():
    return 'nova-compute-' + layout.read_cloud_shape()[0]['destination_host']


DRILLS = {
    'compute-killed': Drill(
        'the destination nova-compute killed (SIGKILL) while the resize runs',
        destination_compute(), RESIZING, signal.SIGKILL, restart=False),
    'rabbitmq-restarted': Drill(
        'RabbitMQ stopped (SIGTERM) while the resize runs and started again '
        'at once by up', 'rabbitmq', RESIZING, signal.SIGTERM, restart=True),
    'placement-down': Drill(
        'placement stopped (SIGTERM) once the migration is in error, before '
        'the test checks the allocations', 'placement', CHECKING,
        signal.SIGTERM, restart=False),
    'mariadb-killed': Drill(
        'MariaDB killed (SIGKILL) between two runs', 'mariadb', None,
        signal.SIGKILL, restart=False),
}


class Harness:
    """One cloud, driven through its command line and its workspace."""

    def __init__(self, home, state_dir, regex):
        self.paths = layout.Layout.from_args(home, state_dir)
        self.location = ['--home', self.paths.home,
                         '--state-dir', self.paths.state]
        self.regex = regex
        self.failures = []

    def say(self, text):
        print('[drills] ' + text, flush=True)

    def check(self, ok, text):
        """Report ``text``; a false ``ok`` fails the whole command."""
        self.say(('ok: ' if ok else 'FAILED: ') + text)
        if not ok:
            self.failures.append(text)

    def cli(self, *argv, timeout=900):
        """``python3 -m localcloud VERB`` on this cloud: (exit, output, s)."""
        began = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, '-m', 'localcloud'] + list(argv[:1])
                + self.location + list(argv[1:]), cwd=layout.REPO_ROOT,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            output = exc.output or ''
            if isinstance(output, bytes):
                output = output.decode(errors='replace')
            return -1, '%s\n(killed after %d s)' % (output, timeout), (
                time.monotonic() - began)
        return proc.returncode, proc.stdout, time.monotonic() - began

    def up(self):
        rc, out, seconds = self.cli('up')
        self.check(rc == 0, 'up: exit %d after %.1f s%s' % (
            rc, seconds, '' if rc == 0 else '\n' + _tail(out, 15)))
        return rc == 0

    def pids(self):
        """{service: pid} of the running services, from ``status``."""
        _rc, out, _seconds = self.cli('status', timeout=120)
        return {m.group(1): int(m.group(2)) for m in re.finditer(
            r'^(\S+)\s+RUNNING\s+pid (\d+)', out, re.M)}

    def build_timeout(self):
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(self.paths.tempest_conf)
        return conf.getint('compute', 'build_timeout', fallback=300)

    def run_bound(self):
        """Seconds after which a run counts as hung."""
        return WAITS_PER_RUN * self.build_timeout() + 60

    def start_tempest(self, workspace=None, name='run'):
        """``tempest run --regex ...`` in the background, output to a file."""
        workspace = workspace or self.paths.workspace
        out = open(os.path.join(workspace, 'drill-%s.log' % name), 'w+')
        proc = subprocess.Popen(
            [self.paths.bin('tempest'), 'run', '--regex', self.regex],
            cwd=workspace, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        proc.began, proc.out = time.monotonic(), out
        return proc

    def finish_tempest(self, proc):
        """Wait within the bound; (exit or None if it hung, s, output)."""
        try:
            rc = proc.wait(timeout=max(0.1, self.run_bound() - (
                time.monotonic() - proc.began)))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
        seconds = time.monotonic() - proc.began
        proc.out.seek(0)
        output = proc.out.read()
        proc.out.close()
        return rc, seconds, output

    def report_run(self, label, rc, seconds, output):
        if rc is None:
            self.check(False, '%s: HUNG, killed after %.1f s'
                       % (label, seconds))
            return
        self.say('%s: tempest run exit %d after %.1f s (build_timeout %d '
                 's), %s' % (label, rc, seconds, self.build_timeout(),
                             _outcome(output)))
        for line in exception_lines(output)[:8]:
            self.say('    ' + line)

    def wait_in_log(self, pattern, since, proc, timeout):
        """Poll tempest.log past offset ``since`` for ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with open(self.paths.log('tempest'), errors='replace') as log:
                    log.seek(since)
                    if pattern.search(log.read()):
                        return True
            except FileNotFoundError:
                pass
            time.sleep(0.2)
        return False

    def log_size(self):
        try:
            return os.path.getsize(self.paths.log('tempest'))
        except FileNotFoundError:
            return 0

    def kill(self, service, sig, pids):
        """Signal ``service`` by its pid in ``pids`` (from :meth:`pids`)."""
        pid = pids.get(service)
        if pid is None:
            self.check(False, '%s is not running: nothing to break' % service)
            return False
        # The service's whole process group where supervisord gave it one.
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
        self.say('%s (pid %d): %s' % (service, pid, signal.Signals(sig).name))
        return True

    def wait_gone(self, pid, timeout=60):
        from localcloud import supervision
        began = time.monotonic()
        while (supervision.pid_alive(pid)
               and time.monotonic() - began < timeout):
            time.sleep(0.2)
        self.say('pid %d %s after %.1f s' % (
            pid, 'still runs' if supervision.pid_alive(pid) else 'gone',
            time.monotonic() - began))

    def leftovers(self):
        """What the tests left in the cloud, read through its APIs."""
        from localcloud import cloud
        try:
            return cloud.Cloud(self.paths).leftovers()
        except Exception as exc:  # noqa: any API failure is reported
            return ['(could not list them: %s)' % ' '.join(str(exc).split())]

    def check_run(self):
        rc, seconds, output = self.finish_tempest(
            self.start_tempest(name='check'))
        self.report_run('check run after up', rc, seconds, output)
        self.check(rc == 0, 'the check run after up passed')

    def down_and_nothing_left(self):
        rc, out, seconds = self.cli('down')
        self.check(rc == 0, 'down: exit %d after %.1f s%s' % (
            rc, seconds, '' if rc == 0 else '\n' + _tail(out, 10)))
        remains = cloud_processes(self.paths) + [
            '%s answers on port %d' % (name, port)
            for name, port in sorted(layout.PORTS.items())
            if machine.port_open(port)]
        self.check(not remains, 'after down, of the cloud: %s'
                   % ('; '.join(remains) or 'nothing runs, no port answers'))

    def aftermath(self, before):
        """Bring the cloud back, say what was left, check, take it down.

        ``before``: what was left in the cloud before the drill, not counted.
        """
        if self.up():
            left = [item for item in self.leftovers() if item not in before]
            self.say('left behind by the drill, after up: %s'
                     % ('; '.join(left) if left else 'nothing'))
            self.check_run()
        self.down_and_nothing_left()


def exception_lines(output, width=300):
    found = []
    for line in output.splitlines():
        match = EXCEPTION_LINE.match(line)
        if match and match.group(1)[:width] not in found:
            found.append(match.group(1)[:width])
    return found


def _outcome(output):
    totals = re.findall(r' - (Passed|Failed|Skipped): (\d+)', output)
    return ', '.join('%s %s' % (n, what.lower()) for what, n in totals
                     if n != '0') or 'no test result'


def _tail(text, lines):
    return '\n'.join(text.splitlines()[-lines:])


def cloud_processes(paths):
    """Processes whose command line or environment names the state dir."""
    marker = paths.state.encode()
    mine = machine.ancestors()
    found = []
    for pid in machine.pids():
        if pid in mine:
            continue
        cmdline = machine.read(pid, 'cmdline')
        environ = machine.read(pid, 'environ')
        if cmdline is None or environ is None:
            continue  # gone, or not ours to read
        if marker in cmdline or marker in environ:
            found.append('pid %d %s' % (pid, cmdline.replace(
                b'\0', b' ').decode(errors='replace')[:80]))
    return found


def run_drill(harness, name):
    drill = DRILLS[name]
    harness.say('=== %s: %s' % (name, drill.what))
    if not harness.up():
        return
    before = harness.leftovers()
    if drill.when is None:
        # Between two runs: one that passes, the fault, one more.
        rc, seconds, output = harness.finish_tempest(
            harness.start_tempest(name='before'))
        harness.report_run('run before the fault', rc, seconds, output)
        harness.kill(drill.service, drill.sig, harness.pids())
        rc, seconds, output = harness.finish_tempest(
            harness.start_tempest(name='after'))
        harness.report_run('run after the fault', rc, seconds, output)
    else:
        # Read before the run: status takes seconds, the window may not.
        pids = harness.pids()
        since = harness.log_size()
        proc = harness.start_tempest(name=name)
        if harness.wait_in_log(drill.when, since, proc,
                               timeout=2 * harness.build_timeout()):
            harness.say('%.1f s into the run: %s' % (
                time.monotonic() - proc.began, drill.when.pattern))
            if (harness.kill(drill.service, drill.sig, pids)
                    and drill.restart):
                # up starts only what is not running: wait for the exit.
                harness.wait_gone(pids[drill.service])
                harness.up()
        else:
            harness.check(False, 'the run never reached %r'
                          % drill.when.pattern)
        harness.report_run('the run', *harness.finish_tempest(proc))
    harness.aftermath(before)


def rss_mib(paths):
    """RSS of supervisord and every process below it, in MiB."""
    from localcloud import supervision
    from localcloud.tools import bench
    pid = supervision.read_pid(paths.supervisor_pidfile)
    return bench.process_memory(pid)[0] if pid else 0.0


def soak(harness, runs, concurrent):
    harness.say('=== soak: %d runs back to back, then %d at once'
                % (runs, concurrent))
    if not harness.up():
        return
    before = harness.leftovers()
    if before:
        harness.say('in the cloud before the soak, not counted: %s'
                    % '; '.join(before))
    rss = [rss_mib(harness.paths)]
    harness.say('RSS of the cloud before the first run: %.1f MiB' % rss[0])
    passed = 0
    for number in range(1, runs + 1):
        rc, seconds, output = harness.finish_tempest(
            harness.start_tempest(name='soak'))
        left = [item for item in harness.leftovers() if item not in before]
        rss.append(rss_mib(harness.paths))
        passed += rc == 0
        harness.check(rc == 0 and not left,
                      'run %d/%d: exit %s after %.1f s, %s; RSS %.1f MiB '
                      '(%+.1f); left behind: %s'
                      % (number, runs, rc, seconds, _outcome(output),
                         rss[-1], rss[-1] - rss[-2],
                         '; '.join(left) or 'nothing'))
    if runs:
        harness.say('%d/%d passed; RSS %.1f -> %.1f MiB, %+.1f MiB per run '
                    '(first to last), %+.1f MiB per run over the last half'
                    % (passed, runs, rss[0], rss[-1],
                       (rss[-1] - rss[1]) / max(1, runs - 1),
                       (rss[-1] - rss[runs // 2]) / max(1, runs - runs // 2)))
    procs = []
    for number in range(1, concurrent + 1):
        # Each run its own stestr repository; the same tempest.conf.
        workspace = harness.paths.path('soak-workspace-%d' % number)
        shutil.rmtree(workspace, ignore_errors=True)
        os.makedirs(workspace)
        shutil.copytree(os.path.join(harness.paths.workspace, 'etc'),
                        os.path.join(workspace, 'etc'))
        shutil.copy(os.path.join(harness.paths.workspace, '.stestr.conf'),
                    workspace)
        procs.append(harness.start_tempest(workspace, name='concurrent'))
    results = [harness.finish_tempest(proc) for proc in procs]
    for number, (rc, seconds, output) in enumerate(results, 1):
        harness.check(rc == 0, 'concurrent run %d/%d: exit %s after %.1f s, '
                      '%s' % (number, concurrent, rc, seconds,
                              _outcome(output)))
        if rc:
            for line in exception_lines(output):
                harness.say('    ' + line)
    if concurrent:
        left = [item for item in harness.leftovers() if item not in before]
        harness.check(not left, 'after the concurrent runs, left behind: %s'
                      % ('; '.join(left) or 'nothing'))
        harness.say('RSS of the cloud after them: %.1f MiB'
                    % rss_mib(harness.paths))
    harness.down_and_nothing_left()


def build_parser():
    parser = argparse.ArgumentParser(
        prog='python3 -m localcloud.tools.drills',
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--home', default=None)
    parser.add_argument('--state-dir', default=None)
    parser.add_argument('--regex', default='resize_fail',
                        help='the tests to run (default resize_fail)')
    parser.add_argument('--runs', type=int, default=20,
                        help='soak: runs back to back (default 20)')
    parser.add_argument('--concurrent', type=int, default=4,
                        help='soak: runs at once (default 4)')
    parser.add_argument('names', nargs='+', metavar='NAME',
                        choices=sorted(DRILLS) + ['all', 'soak'],
                        help='%s; all (every drill); soak'
                        % ', '.join(sorted(DRILLS)))
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    harness = Harness(args.home, args.state_dir, args.regex)
    venv = harness.paths.venv
    if os.path.realpath(sys.prefix) != os.path.realpath(venv):
        if not os.path.exists(harness.paths.venv_python):
            harness.say('no venv in %s: run python3 -m localcloud up first'
                        % harness.paths.home)
            return 1
        # The cloud's venv reads its APIs and its processes' memory (the
        # lazy imports of the cloud's modules below).
        os.execve(harness.paths.venv_python,
                  [harness.paths.venv_python, '-m', 'localcloud.tools.drills']
                  + argv, dict(os.environ, PYTHONPATH=layout.REPO_ROOT))
    for name in args.names:
        if name == 'soak':
            soak(harness, args.runs, args.concurrent)
        else:
            for drill in sorted(DRILLS) if name == 'all' else [name]:
                run_drill(harness, drill)
    harness.say('%d check(s) failed%s' % (len(harness.failures), ''.join(
        '\n  ' + failure.splitlines()[0] for failure in harness.failures)))
    return 1 if harness.failures else 0


if __name__ == '__main__':
    sys.exit(main())
