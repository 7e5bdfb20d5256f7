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

"""The command line's verbs, run inside the cloud's venv: up, run, status,
down, logs, bench, restart, prove.
"""

import os
import subprocess
import sys
import time

from localcloud import cloud as cloud_mod
from localcloud import errors
from localcloud import layout
from localcloud.lib import tempest as tempest_lib
from localcloud import nova_tree
from localcloud import overrides as overrides_mod
from localcloud import processes
from localcloud import progress
from localcloud import proof
from localcloud import provision
from localcloud import stack
from localcloud import state
from localcloud import supervision
from localcloud.tools import bench


# The verbs that say which nova to run; the others act on the cloud as
# its last up made it.
VERBS_THAT_SHAPE = ('up', 'run')


def main(args, paths):
    try:
        if args.verb in VERBS_THAT_SHAPE:
            cloud = make_cloud(paths, args.nova_conf, args.nova_source,
                               args.nova_patch)
        else:
            cloud = recorded_cloud(paths)
        return VERBS[args.verb](cloud, args)
    except (errors.CloudError, overrides_mod.OverrideError,
            supervision.SupervisionError) as exc:
        progress.step('error: %s' % exc)
        return 1


def make_cloud(paths, nova_conf=(), nova_source=None, nova_patches=()):
    """A cloud from command-line words; bad ones raise with a sentence."""
    return _cloud(paths, nova_conf, nova_tree.NovaChoice.from_args(
        nova_source, nova_patches))


def recorded_cloud(paths):
    """The cloud as its last ``up`` made it (nova, overrides).

    Its nova is taken as recorded, not checked again: ``down`` and
    ``status`` must work after a patch file or a tree has gone.
    """
    record = state.State(paths).load_record()
    return _cloud(paths, record.get('nova_conf') or (),
                  nova_tree.NovaChoice.from_record(record.get('nova') or {}))


def _cloud(paths, nova_conf, nova_choice):
    shape = layout.read_cloud_shape()[0]
    hosts = (shape['source_host'], shape['destination_host'])
    return cloud_mod.Cloud(
        paths, [overrides_mod.parse_nova_override(text, hosts)
                for text in nova_conf], nova_choice)


def _up(cloud, args):
    stack.up(cloud)
    return 0


def _run(cloud, args):
    # A cloud that was up before this run is left as it was found: with the
    # nova it ran, should this run ask for another.
    found = recorded_cloud(cloud.paths)
    brought_up_here = not found.is_up()
    output = ''
    try:
        stack.up(cloud)
        extra = (tempest_lib.pre_provisioned_args(cloud.paths)
                 if args.pre_provisioned_credentials else [])
        status, output = run_tempest(cloud, extra + args.tempest_args)
        report(cloud)
        left = cloud.leftovers()
        if left:
            progress.step('error: the tests left %d things behind in the '
                          'cloud:\n  %s' % (len(left), '\n  '.join(left)))
            if any(provision.ORPHANED in line for line in left):
                progress.step(provision.AUDIT_ADVICE)
            return status or 1
        progress.step('nothing was left behind: no server, test flavor, '
                      'image, custom trait, allocation, project, user, '
                      'host aggregate or compute service disabled or forced '
                      'down, and the canaries still isolated')
        return status
    finally:
        if not args.keep:
            if brought_up_here:
                stack.down(cloud)
            else:
                stack.up(found)
        # The last lines: each bug of the corpus, as the run saw it.
        for line in proof.guarded(output):
            progress.step(line)


def run_tempest(cloud, extra, prefix='', regex=None, selection=None):
    """``tempest run`` in the workspace: (rc, output).

    ``regex``: the tests, by default the shape's (the whole family);
    ``selection``: tempest's arguments that select them instead (see
    tempest_lib.selection_args). The output is shown as it goes, each line
    after ``prefix``.
    """
    extra = [a for a in extra if a != '--']
    cmd = [cloud.paths.bin('tempest'), 'run'] + (selection or [
        '--regex', regex or cloud.tempest_options['test_regex']]) + extra
    progress.step('$ %s  (in %s)' % (' '.join(cmd[1:]),
                                     cloud.paths.workspace))
    began = time.monotonic()
    output = []
    with subprocess.Popen(cmd, cwd=cloud.paths.workspace, text=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        for line in proc.stdout:
            sys.stdout.write(prefix + line)
            output.append(line)
    sys.stdout.flush()
    progress.step('tempest run exited %d after %.1fs'
                  % (proc.returncode, time.monotonic() - began))
    return proc.returncode, ''.join(output)


def report(cloud):
    """The plugin's report by bug of the last tempest run, with its files.

    ``stestr last --subunit`` in the workspace gives the run's stream;
    the plugin's resize-fail-report prints the table and makes the JUnit
    XML and the HTML from it. A report that cannot be made is said, and
    does not change the run's status.
    """
    stream, junit_xml, html = cloud.paths.report_files
    with open(stream, 'wb') as out:
        last = subprocess.run([cloud.paths.bin('stestr'), 'last',
                               '--subunit'], cwd=cloud.paths.workspace,
                              stdout=out, stderr=subprocess.PIPE, text=True)
    if last.returncode:
        progress.step('no report: stestr last --subunit in %s exited %d: %s'
                      % (cloud.paths.workspace, last.returncode,
                         last.stderr.strip()))
        return
    progress.step('the report by bug (resize-fail-report %s):' % stream)
    subprocess.run([cloud.paths.bin('resize-fail-report'), stream,
                    '--junit-xml', junit_xml, '--html', html])
    sys.stdout.flush()


def _require_up(cloud, verb):
    if not cloud.is_up():
        raise errors.CloudError(
            'the cloud in %s is not up: there is nothing to %s. Run: '
            'python3 -m localcloud up' % (cloud.paths.state, verb))


def _restart(cloud, args):
    _require_up(cloud, 'restart')
    stack.restart_nova(cloud, args.services)
    return 0


def _test(cloud, args):
    """``tempest run`` in the running cloud's workspace, as it prints it.

    With the workspace's pre-provisioned accounts unless told: no users
    and projects to make and delete around each test class. The tests come
    from the list saved by an earlier run of the same regex, while no test
    file has changed: tempest then lists nothing.
    """
    regex, extra = test_selection(args.selection)
    _require_up(cloud, 'test')
    accounts = ([] if args.dynamic_credentials
                else tempest_lib.pre_provisioned_args(cloud.paths))
    return run_tempest(cloud, accounts + extra, selection=(
        tempest_lib.selection_args(cloud.paths, regex)))[0]


def test_selection(words):
    """(regex, tempest's extra arguments) of ``test [REGEX] [-- ARGS]``."""
    if '--' in words:
        at = words.index('--')
        words, extra = words[:at], words[at + 1:]
    else:
        extra = []
    if len(words) > 1:
        raise errors.CloudError(
            'test takes one REGEX, then tempest\'s arguments after --; got '
            '%s. Example: python3 -m localcloud test canary -- '
            '--concurrency 1' % ' '.join(words))
    return (words[0] if words else layout.SCENARIO_TEST), extra


def _prove(cloud, args):
    def cloud_for(overrides, choice):
        return cloud_mod.Cloud(cloud.paths, overrides, choice)

    def run_case(case_cloud, extra, regex):
        # Set apart, so that no summary counts a failure the case expects.
        return run_tempest(case_cloud, extra, prefix=proof.OUTPUT_PREFIX,
                           regex=regex)

    return proof.run(cloud_for, run_case, cloud.shape, cloud,
                     args.tempest_args)


def _status(cloud, args):
    info = cloud.supervisor.all_info()
    if not info:
        progress.step('supervisord is not running: the cloud in %s is down'
                      % cloud.paths.state)
        return 3
    print('nova: %s' % stack.describe_nova(cloud))
    healthy = 0
    for service in cloud.services:
        state = info.get(service.name, {})
        running = state.get('statename') == 'RUNNING'
        ok, seen = (cloud.processes.health(service) if running
                    else (False, ''))
        healthy += ok
        print('%-22s %-8s pid %-7s port %-6s %s' % (
            service.name, state.get('statename', '?'),
            state.get('pid') or '-', service.port or '-',
            ('healthy: ' if ok else 'UNHEALTHY: ') + seen
            if running else 'not running'))
    return 0 if healthy == len(cloud.services) else 3


def _down(cloud, args):
    stack.down(cloud, purge=args.purge)
    return 0


def _logs(cloud, args):
    if not args.service:
        print('logs of the cloud in %s:' % cloud.paths.logs)
        for name in sorted(os.listdir(cloud.paths.logs)
                           if os.path.isdir(cloud.paths.logs) else []):
            print('  ' + os.path.join(cloud.paths.logs, name))
        return 0
    path = cloud.paths.log(args.service)
    if not os.path.exists(path):
        raise errors.CloudError('no log %s; services: %s' % (
            path, ', '.join(s.name for s in cloud.services)))
    sys.stdout.write(processes.tail(path, args.lines))
    return 0


def _bench(cloud, args):
    return bench.run(cloud, args)


VERBS = {'up': _up, 'run': _run, 'status': _status, 'down': _down,
         'logs': _logs, 'bench': _bench, 'restart': _restart,
         'test': _test, 'prove': _prove}
