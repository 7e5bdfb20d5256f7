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

"""The command line. Standard library only until it hands over to the venv.

    python3 -m localcloud up|run|status|down|logs|bench [options]

``up``, ``run`` and ``bench`` install what is missing first; then every verb
runs inside the cloud's venv (:mod:`localcloud.verbs`).
"""

import argparse
import os
import sys

from localcloud import install
from localcloud import layout
from localcloud import progress

VERBS_THAT_INSTALL = ('up', 'run', 'prove', 'bench')


def add_location_options(parser, default):
    parser.add_argument(
        '--home', default=default,
        help='where the venv and the default state directory live '
             '(default: %s)' % layout.DEFAULT_HOME)
    parser.add_argument(
        '--state-dir', default=default,
        help='configuration, databases, logs, pids, secrets and the tempest '
             'workspace (default: HOME/state)')


def build_parser():
    parser = argparse.ArgumentParser(
        prog='python3 -m localcloud',
        description='A live OpenStack on this machine (keystone, placement, '
                    'glance, neutron, nova with two fake computes) for '
                    'running resize_tempest_plugin. Everything listens on '
                    '127.0.0.1.')
    add_location_options(parser, default=None)
    verbs = parser.add_subparsers(dest='verb', required=True, metavar='VERB')

    def add_shape_options(sub):
        sub.add_argument(
            '--nova-conf', action='append', default=[],
            metavar='[HOST:]SECTION:OPTION=VALUE',
            help="set a nova option for every nova service, or for one "
                 "compute host only (devstack's post-config), e.g. "
                 "host2:DEFAULT:compute_driver=fake.FakeDriver; repeatable")
        sub.add_argument(
            '--nova-source', metavar='DIR',
            help="run nova's services from this nova tree (a git checkout "
                 'or an unpacked sdist), imported in place: an edit there '
                 'is live after "restart"; every other package stays the '
                 "venv's")
        sub.add_argument(
            '--nova-patch', action='append', default=[], metavar='FILE',
            help='apply this unified diff (git diff, git format-patch) to '
                 "the nova that runs, in an overlay in the state directory "
                 "(the venv's nova is untouched); repeatable, in order")

    up = verbs.add_parser(
        'up', help='install if needed, start every service, wait until '
                   'healthy, write the tempest workspace and clouds.yaml')
    add_shape_options(up)

    run = verbs.add_parser(
        'run', help="up, then the plugin's tests (tempest run --regex "
                    "cloud_shape.ini's test_regex) in the workspace, the "
                    'leak check, then down (unless --keep); exits with '
                    "tempest's status")
    add_shape_options(run)
    run.add_argument('--keep', action='store_true',
                     help='leave the cloud up after the run, as the run '
                          'made it (without it, a cloud that was up is '
                          'brought back as it was, and one that was down '
                          'goes down)')
    run.add_argument('--pre-provisioned-credentials', action='store_true',
                     help='run with tempest-accounts.conf: the accounts in '
                          'accounts.yaml (a member and an admin per worker) '
                          'instead of users made per test class, as an '
                          'operator runs tempest (doc/operator.rst)')
    run.add_argument('tempest_args', nargs=argparse.REMAINDER,
                     help='extra arguments for tempest run (after --)')

    prove = verbs.add_parser(
        'prove', help='run the tests on one cloud as shipped (must pass), '
                      'with the destination on fake.FakeDriver (must fail, '
                      'naming the missing failing driver) and with nova\'s '
                      'fix for bug 1825537 reverted (must fail, naming the '
                      'bug), restarting only what each case changes; '
                      'prints a table; exits 0 if each went as expected')
    prove.add_argument('tempest_args', nargs=argparse.REMAINDER,
                       help='extra arguments for tempest run (after --)')

    restart = verbs.add_parser(
        'restart', help="restart the nova services (api, conductor, "
                        'scheduler, computes) that run a module of nova '
                        'changed since their start, or those named, with '
                        'the nova chosen at up, rebuilt: a --nova-source '
                        'edit becomes live, --nova-patch is applied again')
    restart.add_argument('services', nargs='*', metavar='SERVICE',
                         help='a nova service to restart whatever changed '
                              '(nova-api, nova-conductor, nova-scheduler, '
                              'nova-compute-HOST)')

    test = verbs.add_parser(
        'test', help="tempest run in the running cloud's workspace, its "
                     'output as tempest prints it: the bug 1825537 scenario '
                     'unless REGEX says; the edit-restart-test loop')
    test.add_argument('--dynamic-credentials', action='store_true',
                      help="users made per test class, as tempest's "
                           'default, instead of the accounts.yaml of the '
                           'workspace (about 2 s more a class)')
    test.add_argument('selection', nargs=argparse.REMAINDER,
                      metavar='[REGEX] [-- TEMPEST_ARGS]',
                      help='the tests (default: %s), then extra arguments '
                           'for tempest run after --' % layout.SCENARIO_TEST)

    verbs.add_parser('status', help='which nova runs; each service: pid, '
                                    'port, health')

    down = verbs.add_parser(
        'down', help='stop every process this cloud started')
    down.add_argument('--purge', action='store_true',
                      help='also remove the state directory (the venv stays)')

    logs = verbs.add_parser('logs', help='where the logs are, or the tail '
                                         'of one service')
    logs.add_argument('service', nargs='?')
    logs.add_argument('-n', '--lines', type=int, default=40)

    bench = verbs.add_parser(
        'bench', help='measure install (cold and warm), up, per-service '
                      'start, the scenario and RSS; prints figures')
    bench.add_argument('--cold-install', action='store_true',
                       help='also time a cold venv install into a scratch '
                            'home (about a minute)')
    bench.add_argument('--nova-test', action='store_true',
                       help="also time nova's own in-process test of the "
                            'same bug (test_bug_1825537) from the venv')
    # Accepted after the verb too (where they win); SUPPRESS keeps a verb
    # from resetting what was given before it.
    for sub in verbs.choices.values():
        add_location_options(sub, default=argparse.SUPPRESS)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    paths = layout.Layout.from_args(args.home, args.state_dir)
    if os.path.realpath(sys.prefix) == os.path.realpath(paths.venv):
        from localcloud import verbs  # needs the venv's packages
        sys.exit(verbs.main(args, paths))
    if args.verb in VERBS_THAT_INSTALL:
        try:
            install.ensure_installed(paths)
        except install.InstallError as exc:
            progress.step('install failed: %s' % exc)
            sys.exit(1)
    elif not os.path.exists(paths.venv_python):
        progress.step('no cloud here: %s has no venv yet, so nothing was '
                      'started from it. Run: python3 -m localcloud up'
                      % paths.home)
        sys.exit(0 if args.verb == 'down' else 1)
    env = dict(os.environ, PYTHONPATH=layout.REPO_ROOT)
    os.execve(paths.venv_python,
              [paths.venv_python, '-m', 'localcloud'] + argv, env)
