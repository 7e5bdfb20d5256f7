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
down, logs, bench.
"""

import os
import subprocess
import sys
import time

from localcloud import bench
from localcloud import cloud as cloud_mod
from localcloud import errors
from localcloud import layout
from localcloud import overrides as overrides_mod
from localcloud import processes
from localcloud import progress
from localcloud import provision
from localcloud import stack
from localcloud import supervision


def main(args, paths):
    try:
        shape = layout.read_cloud_shape()[0]
        hosts = (shape['source_host'], shape['destination_host'])
        nova_overrides = [overrides_mod.parse_nova_override(text, hosts)
                          for text in getattr(args, 'nova_conf', [])]
        cloud = cloud_mod.Cloud(paths, nova_overrides)
        return VERBS[args.verb](cloud, args)
    except (errors.CloudError, overrides_mod.OverrideError,
            supervision.SupervisionError) as exc:
        progress.step('error: %s' % exc)
        return 1


def _up(cloud, args):
    stack.up(cloud)
    return 0


def _run(cloud, args):
    # A cloud that was up before this run is left as it was found.
    brought_up_here = not cloud.is_up()
    try:
        stack.up(cloud)
        status = run_tempest(cloud, args.tempest_args)
        left = provision.leftovers(cloud.conn)
        if left:
            progress.step('error: the tests left %d things behind in the '
                          'cloud:\n  %s' % (len(left), '\n  '.join(left)))
            return status or 1
        progress.step('nothing was left behind: no server, test flavor, '
                      'custom trait, allocation, project or user')
        return status
    finally:
        if brought_up_here and not args.keep:
            stack.down(cloud)


def run_tempest(cloud, extra):
    extra = [a for a in extra if a != '--']
    cmd = [cloud.paths.bin('tempest'), 'run', '--regex',
           cloud.tempest_options['test_regex']] + extra
    progress.step('$ %s  (in %s)' % (' '.join(cmd[1:]),
                                     cloud.paths.workspace))
    began = time.monotonic()
    rc = subprocess.call(cmd, cwd=cloud.paths.workspace)
    progress.step('tempest run exited %d after %.1fs'
                  % (rc, time.monotonic() - began))
    return rc


def _status(cloud, args):
    info = cloud.supervisor.all_info()
    if not info:
        progress.step('supervisord is not running: the cloud in %s is down'
                      % cloud.paths.state)
        return 3
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
         'logs': _logs, 'bench': _bench}
