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

"""Run the single-node devstack job of .zuul.yaml on this machine.

``python3 -m localcloud.tox -e devstack`` (as root) runs, each phase
timed and logged under the run's directory:

1. host: debootstrap and systemd-nspawn, from Debian's packages if absent;
2. tree: the cached bookworm tree (STATE_DIR/base) copied fresh to
   STATE_DIR/root, with devstack's user ``stack`` and pip's settings;
3. sources: DEST's checkouts (no git server here): the services and
   tempest from the PyPI sdists of the versions constraints.txt pins,
   devstack and requirements from ../shared, the plugin as a clone of
   this checkout (its committed HEAD), a tiny image;
4. local.conf: rendered from .zuul.yaml with this machine's overrides;
5. boot: the tree under systemd-nspawn, sharing the host's network;
6. stack: stack.sh as ``stack``;
7. tempest: the job's regex and concurrency, with the job's leak check
   (tempest cleanup's saved state before, its dry run after);
8. unstack: unstack.sh and clean.sh (devstack's logs, the journal,
   nova's configuration and tempest.conf kept in the run's directory);
9. stop: the container powered off; then no process of it is left and
   none of devstack's ports listens.

5 to 9 tear down even when a step fails; the failed step is named, with
the tail of its log. --destination-driver puts the second fake compute on
another driver: the run must then fail, each failure naming the missing
failing driver.
"""

import argparse
import datetime
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
import time

from localcloud.devstack_job import container as container_mod
from localcloud.devstack_job import local_conf
from localcloud.devstack_job import zuul_jobs
from localcloud import install
from localcloud import layout
from localcloud import progress
from localcloud import proof

JOB = 'resize-tempest-plugin-single-node'
NODE = 'controller'
PROJECT = 'resize-tempest-plugin'
STATE_DIR = os.environ.get('RESIZE_DEVSTACK_DIR', '/var/lib/resize-devstack')
SHARED_DIR = os.path.join(os.path.dirname(layout.REPO_ROOT), 'shared')
ZUUL_FILE = os.path.join(layout.REPO_ROOT, '.zuul.yaml')
MACHINE = 'resize-devstack'
DEST = '/opt/stack'
HOST_IP = layout.LOOPBACK
# DEST's checkouts made from PyPI sdists: {directory: distribution}.
SDISTS = {'keystone': 'keystone', 'glance': 'glance', 'nova': 'nova',
          'placement': 'openstack-placement', 'neutron': 'neutron',
          'tempest': 'tempest'}
# Trees copied from ../shared, made git repositories (pbr versions them
# from git, as they have no PKG-INFO).
SHARED_TREES = ('devstack', 'requirements')
# lib/tempest checks out TEMPEST_BRANCH (master) in its tree.
TEMPEST_BRANCH = 'master'
SDIST_SUFFIX = '.tar.gz'
IMAGE_NAME = 'resize-tiny'
IMAGE_SIZE = 1024 * 1024
PASSWORDS = ('ADMIN_PASSWORD', 'DATABASE_PASSWORD', 'RABBIT_PASSWORD',
             'SERVICE_PASSWORD')
# The ports devstack's services listen on here: none may listen after.
DEVSTACK_PORTS = (80, 443, 3306, 4369, 5672, 11211, 25672, 5000, 8774,
                  8775, 8778, 9292, 9696, 60999)
LOG_TAIL = 40
# What clean.sh would remove that shows how the cloud was configured:
# {directory in the run's etc/: path in the container}.
KEPT_CONFIGURATION = {'nova': '/etc/nova', 'tempest': DEST + '/tempest/etc'}
# A line of requirements' upper-constraints.txt: name===version[;marker].
UPPER_CONSTRAINT = re.compile(
    r'^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)===(?P<version>[^;\s]+)'
    r'(?P<rest>.*\n?)$', re.DOTALL)
# lib/tempest's os-test-images: it clones and builds them (downloads)
# when glance is on, with no variable to turn that off; the checkout in
# DEST is a stand-in whose "generate" writes an empty manifest (the
# family reads no image of it).
OS_TEST_IMAGES_TOX = """\
# resize-tempest-plugin's stand-in for os-test-images (no download).
[tox]
skipsdist = true

[testenv:generate]
skip_install = true
commands =
    python3 -c "import os; os.makedirs('images', exist_ok=True); \
open('images/manifest.yaml', 'w').write('images: []\\n')"
"""


# The container shares the host's network namespace, whose sysctls it must
# not change (and its /proc/sys is read-only): stack.sh and lib/nova set
# net.ipv4.ip_forward=1 "just in case", which fake computes with no guests
# and no network do not need. sudo finds this before /usr/sbin/sysctl
# (secure_path); any other use goes to the real one.
SYSCTL_SHIM = """\
#!/bin/sh
# resize-tempest-plugin's devstack run: see localcloud/devstack_job/runner.py.
if [ "$*" = "-w net.ipv4.ip_forward=1" ]; then
    echo "sysctl: net.ipv4.ip_forward left as the host has it (shared)" >&2
    exit 0
fi
exec /usr/sbin/sysctl "$@"
"""


# lib/nova's configure_nova restarts iscsid on every compute, for cinder's
# volumes (and NVMe-oF, its alternative, needs modprobe). This kernel has
# no iSCSI (no /sys/class/iscsi_transport, no modules), so iscsid exits at
# once and the restart fails; the family attaches no volume (no cinder).
# The unit stands in, started and doing nothing.
ISCSID_DROP_IN = """\
# resize-tempest-plugin's devstack run: see localcloud/devstack_job/runner.py.
[Service]
Type=oneshot
RemainAfterExit=yes
PIDFile=
ExecStartPre=
ExecStart=
ExecStart=/bin/echo "iscsid: no iSCSI in this kernel, not started"
"""


class StepFailed(Exception):
    pass


class Run:
    """One run: its directory, its phases' logs and timings."""

    def __init__(self, state_dir, destination_driver=None):
        self.state_dir = state_dir
        self.destination_driver = destination_driver
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y%m%dT%H%M%SZ')
        self.dir = os.path.join(state_dir, 'runs', stamp)
        # devstack's /opt/stack/logs, and their copy before clean.sh.
        self.logs = os.path.join(self.dir, 'logs')
        self.kept_logs = os.path.join(self.dir, 'devstack-logs')
        # The logs hold the passwords (stack.sh prints and traces them).
        os.makedirs(self.logs, mode=0o700, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.root = os.path.join(state_dir, 'root')
        self.base = os.path.join(state_dir, 'base')
        self.cache = os.path.join(state_dir, 'cache')
        self.timings = []
        self.failed = None
        self.container = None

    def log(self, phase):
        return os.path.join(self.dir, '%s.log' % phase)

    def in_root(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def phase(self, name, action):
        """Run one phase, timed; on failure, name it with its log's tail."""
        began = time.monotonic()
        progress.step('%s ... (log: %s)' % (name, self.log(name)))
        try:
            result = action(self.log(name))
        except Exception as exc:
            self.timings.append((name, time.monotonic() - began, 'failed'))
            if self.failed is None:
                self.failed = name
            progress.step('%s FAILED after %.0fs: %s' % (
                name, time.monotonic() - began, exc))
            print('--- the last %d lines of %s ---\n%s---' % (
                LOG_TAIL, self.log(name), masked(
                    tail(self.log(name), LOG_TAIL),
                    self.passwords().values())))
            return False
        self.timings.append((name, time.monotonic() - began, 'ok'))
        progress.step('%s: done in %.0fs%s' % (
            name, time.monotonic() - began,
            ' (%s)' % result if isinstance(result, str) else ''))
        return True

    # 1. host
    def host(self, log):
        if os.geteuid() != 0:
            raise StepFailed('needs root (debootstrap, systemd-nspawn)')
        missing = container_mod.missing_host_packages()
        if missing:
            env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
            container_mod.run_logged(
                container_mod.NICE + ['apt-get', 'install', '-y', '-q']
                + missing, log, env=env)
            return 'installed %s' % ' '.join(missing)
        return 'debootstrap and systemd-nspawn present'

    # 2. tree
    def tree(self, log):
        made = container_mod.ensure_base(self.base, log)
        container_mod.fresh_copy(self.base, self.root)
        self.configure_tree(log)
        return ('debootstrapped %s' if made else 'copied from %s') % self.base

    def configure_tree(self, log):
        def write(path, text, mode=0o644):
            path = self.in_root(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(text)
            os.chmod(path, mode)

        write('/etc/hostname', MACHINE + '\n')
        write('/etc/hosts', '127.0.0.1 localhost %s\n::1 localhost\n'
              % MACHINE)
        # The host's Debian sources (its mirror), not debootstrap's.
        sources = '/etc/apt/sources.list.d'
        copied = [name for name in os.listdir(sources)
                  if name.endswith(('.sources', '.list'))]
        for name in copied:
            shutil.copy(os.path.join(sources, name),
                        self.in_root(os.path.join(sources, name)))
        if copied and os.path.exists(self.in_root('/etc/apt/sources.list')):
            os.unlink(self.in_root('/etc/apt/sources.list'))
        # pip reaches PyPI through the host's CA bundle; its cache is
        # kept between runs.
        shutil.copy('/etc/ssl/certs/ca-certificates.crt',
                    self.in_root('/etc/ssl/certs/resize-devstack-host.crt'))
        write('/etc/pip.conf', '[global]\ncert = /etc/ssl/certs/'
              'resize-devstack-host.crt\ncache-dir = /var/cache/pip\n'
              'timeout = 180\n')
        # stack.sh sets LC_ALL=en_US.utf8.
        write('/etc/locale.gen', 'en_US.UTF-8 UTF-8\n')
        container_mod.run_logged(['chroot', self.root, 'locale-gen'], log)
        # No manual pages: apt's installs (man-db's index) are faster.
        write('/etc/dpkg/dpkg.cfg.d/resize-devstack-noman',
              'path-exclude=/usr/share/man/*\n')
        container_mod.run_logged(
            ['chroot', self.root, 'useradd', '--create-home', '--home-dir',
             DEST, '--shell', '/bin/bash', 'stack'], log)
        os.chmod(self.in_root(DEST), 0o755)
        write('/etc/sudoers.d/stack', 'stack ALL=(root) NOPASSWD:ALL\n',
              0o440)
        write('/usr/local/sbin/sysctl', SYSCTL_SHIM, 0o755)
        write('/etc/systemd/system/iscsid.service.d/resize-devstack.conf',
              ISCSID_DROP_IN)

    # 3. sources
    def sources(self, log):
        sdists = os.path.join(self.cache, 'sdists')
        os.makedirs(sdists, exist_ok=True)
        for directory, distribution in SDISTS.items():
            version = install.pinned_version(distribution)
            archive = self.sdist(sdists, distribution, version, log)
            target = self.in_root(os.path.join(DEST, directory))
            extract(archive, target)
        for tree in SHARED_TREES:
            target = self.in_root(os.path.join(DEST, tree))
            shutil.copytree(os.path.join(SHARED_DIR, tree), target,
                            ignore=shutil.ignore_patterns('.git'))
            # ../shared is read-only; stack.sh writes into devstack's tree
            # (.localrc.auto) and requirements' (.venv).
            container_mod.run_logged(['chmod', '-R', 'u+w', target], log)
            if tree == 'requirements':
                pin_upper_constraints(
                    os.path.join(target, 'upper-constraints.txt'),
                    project_pins(layout.CONSTRAINTS), log)
            git_commit(target, log)
        tempest = self.in_root(os.path.join(DEST, 'tempest'))
        # pbr versions a git tree from its tags: the sdist's version.
        git_commit(tempest, log, tag=install.pinned_version('tempest'))
        container_mod.run_logged(
            ['git', 'clone', '--quiet', layout.REPO_ROOT,
             self.in_root(os.path.join(DEST, PROJECT))], log)
        images = self.in_root(os.path.join(DEST, 'images'))
        os.makedirs(images)
        with open(os.path.join(images, IMAGE_NAME + '.raw'), 'wb') as f:
            f.truncate(IMAGE_SIZE)
        os_test_images = self.in_root(os.path.join(DEST, 'os-test-images'))
        os.makedirs(os_test_images)
        with open(os.path.join(os_test_images, 'tox.ini'), 'w') as f:
            f.write(OS_TEST_IMAGES_TOX)
        container_mod.run_logged(['chroot', self.root, 'chown', '-R',
                                  'stack:stack', DEST], log)
        return ', '.join(sorted(os.listdir(self.in_root(DEST))))

    def sdist(self, directory, distribution, version, log):
        """The sdist's path in directory, downloaded if it is not there."""
        found = find_sdist(directory, distribution, version)
        if found is None:
            container_mod.run_logged(
                container_mod.NICE + [
                    sys.executable, '-m', 'pip', 'download', '--no-deps',
                    '--no-binary', ':all:', '--dest', directory,
                    '%s==%s' % (distribution, version)], log)
            found = find_sdist(directory, distribution, version)
        if found is None:
            raise StepFailed('pip downloaded no sdist of %s %s into %s'
                             % (distribution, version, directory))
        return found

    # 4. local.conf
    def local_conf(self, log):
        text, overrides, variables = self.rendered()
        path = self.in_root(os.path.join(DEST, 'devstack', 'local.conf'))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        container_mod.run_logged(['chroot', self.root, 'chown', 'stack:stack',
                                  os.path.join(DEST, 'devstack',
                                               'local.conf')], log)
        with open(log, 'a') as f:
            f.write('The overrides of this machine over %s:\n' % JOB)
            f.write('\n'.join(local_conf.describe(overrides)) + '\n')
        self.regex = variables['tempest_test_regex']
        self.concurrency = variables['tempest_concurrency']
        return '%d overrides, listed in the log' % len(overrides)

    def rendered(self):
        """(local.conf text, overrides, the node's variables)."""
        zuul = zuul_jobs.Zuul.of_project(ZUUL_FILE, SHARED_DIR)
        nodes, groups = zuul.nodeset(JOB)
        variables = local_conf.evaluate(
            zuul.node_vars(JOB, NODE),
            facts(nodes, groups, NODE, MACHINE, HOST_IP, host_mtu()))
        overrides = local_conf.this_machine(
            HOST_IP, self.passwords(),
            'file://%s/images/%s.raw' % (DEST, IMAGE_NAME), IMAGE_NAME,
            '%s/requirements/upper-constraints.txt' % DEST,
            self.destination_driver)
        variables = local_conf.apply(variables, overrides)
        text = local_conf.render(variables, DEST,
                                 zuul.required_projects(JOB), PROJECT)
        return text, overrides, variables

    def passwords(self):
        """The passwords of local.conf: generated once, kept 0600."""
        path = os.path.join(self.state_dir, 'passwords.json')
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w') as f:
                json.dump({name: secrets.token_hex(16)
                           for name in PASSWORDS}, f)
        with open(path) as f:
            return json.load(f)

    # 5. boot
    def boot(self, log):
        cache = {}
        for name in ('apt', 'pip'):
            cache[name] = os.path.join(self.cache, name)
            os.makedirs(cache[name], exist_ok=True)
        binds = [(cache['apt'], '/var/cache/apt/archives'),
                 (cache['pip'], '/var/cache/pip'),
                 (self.logs, os.path.join(DEST, 'logs'))]
        self.container = container_mod.Container(self.root, MACHINE, binds,
                                                 log)
        return self.container.boot()

    def in_container(self, script, log):
        """Run a bash script as ``stack`` in the container, logged."""
        container_mod.run_logged(self.container.as_user(script), log)

    # 6. stack
    def stack(self, log):
        self.in_container('cd %s/devstack && ./stack.sh' % DEST, log)
        return 'stack.sh log: %s' % self.stack_log()

    def stack_log(self):
        # devstack's LOGFILE is a link to the run's dated log, by its path
        # inside the container.
        logs = (self.kept_logs if os.path.isdir(self.kept_logs)
                else self.logs)
        link = os.path.join(logs, 'devstacklog.txt')
        if os.path.islink(link):
            return os.path.join(logs, os.path.basename(os.readlink(link)))
        return link

    # 7. tempest
    def tempest(self, log):
        tempest = '%s/tempest/.tox/tempest/bin/tempest' % DEST
        self.in_container('cd %s/tempest && %s cleanup --init-saved-state'
                          % (DEST, tempest), log)
        begin = os.path.getsize(log)
        try:
            self.in_container('cd %s/tempest && %s run --regex %s '
                              '--concurrency %s' % (
                                  DEST, tempest, shlex.quote(self.regex),
                                  self.concurrency), log)
            passed = True
        except container_mod.ContainerError:
            passed = False
        with open(log, errors='replace') as f:
            f.seek(begin)
            output = f.read()
        self.in_container('cd %s/tempest && %s cleanup --dry-run'
                          % (DEST, tempest), log)
        leaked = leftovers(self.in_root(
            os.path.join(DEST, 'tempest', 'dry_run.json')))
        if leaked:
            raise StepFailed('the tests left %s behind (dry_run.json)'
                             % ', '.join(leaked))
        return self.verdict(passed, proof.failures(output))

    def verdict(self, passed, failed):
        if self.destination_driver is None:
            if not passed:
                raise StepFailed('tempest failed: %s' % (
                    ', '.join(failed) or 'no test failed: see the log'))
            return 'passed, nothing left behind'
        if passed:
            raise StepFailed('tempest passed with the destination on %s: '
                             'the family does not see the missing failing '
                             'driver' % self.destination_driver)
        silent = [t for t, text in failed.items()
                  if proof.MISSING_DRIVER not in text]
        if silent or not failed:
            raise StepFailed('tempest failed without naming "%s": %s' % (
                proof.MISSING_DRIVER, ', '.join(silent) or 'no test failed'))
        raise StepFailed('as it must with the destination on %s: %d failed, '
                         'each naming "%s"' % (self.destination_driver,
                                               len(failed),
                                               proof.MISSING_DRIVER))

    # 8. unstack
    def unstack(self, log):
        with open(os.path.join(self.dir, 'journal.txt'), 'w') as journal:
            subprocess.call(self.container.enter(
                ['journalctl', '--no-pager', '-o', 'short-precise']),
                stdout=journal, stderr=subprocess.STDOUT)
        try:
            self.in_container('cd %s/devstack && ./unstack.sh' % DEST, log)
        finally:
            # clean.sh removes devstack's logs and nova's configuration:
            # what the run showed (the computes' drivers, tempest.conf).
            shutil.copytree(self.logs, self.kept_logs, symlinks=True)
            for name, path in KEPT_CONFIGURATION.items():
                if os.path.exists(self.in_root(path)):
                    shutil.copytree(self.in_root(path),
                                    os.path.join(self.dir, 'etc', name))
        self.in_container('cd %s/devstack && ./clean.sh' % DEST, log)

    # 9. stop
    def stop(self, log):
        self.container.stop()
        left = container_mod.processes_in(self.root)
        listening = [port for port in DEVSTACK_PORTS
                     if port_listens(port)]
        if left or listening:
            raise StepFailed('left behind: processes %s, ports %s' % (
                left, listening))
        return 'no process left, none of devstack\'s ports listens'


def facts(nodes, groups, node, hostname, address, mtu):
    """What Ansible knows on a Zuul node, for the jobs' expressions.

    Every node of the nodeset gets this machine's name and address: only
    a single-node job runs here.
    """
    return {
        'hostvars': {name: {'nodepool': {'private_ipv4': address},
                            'ansible_nodename': hostname}
                     for name in nodes},
        'groups': groups,
        'inventory_hostname': node,
        # devstack's pre.yaml: the smallest MTU, less VXLAN and IPv6.
        'external_bridge_mtu': mtu - 30 - 40,
    }


def host_mtu():
    mtus = []
    for name in os.listdir('/sys/class/net'):
        if name == 'lo':
            continue
        with open('/sys/class/net/%s/mtu' % name) as f:
            mtus.append(int(f.read()))
    return min(mtus or [1500])


def extract(archive, target):
    """An sdist unpacked into target, without its top directory."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        top = members[0].name.split('/')[0]
        for member in members:
            member.name = member.name[len(top) + 1:]
        tar.extractall(target, [m for m in members if m.name],
                       filter='data')


def normalized(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def find_sdist(directory, distribution, version):
    """directory's <distribution>-<version>.tar.gz, however spelt."""
    wanted = normalized('%s-%s' % (distribution, version))
    for name in os.listdir(directory):
        if (name.endswith(SDIST_SUFFIX)
                and normalized(name[:-len(SDIST_SUFFIX)]) == wanted):
            return os.path.join(directory, name)
    return None


def project_pins(constraints):
    """{normalized name: version} of a pip constraints file (==)."""
    pins = {}
    with open(constraints) as f:
        for line in f:
            name, sep, version = line.split('#')[0].partition('==')
            if sep:
                pins[normalized(name.strip())] = version.strip()
    return pins


def pin_upper_constraints(path, pins, log):
    """upper-constraints.txt with constraints.txt's versions where both pin.

    The sdists in DEST are the releases constraints.txt pins, newer than
    the requirements snapshot in ../shared (nova 34.0.0 needs a newer
    keystoneauth1 than it pins): the versions the project's own cloud runs
    are a set that installs together.
    """
    changed = []
    lines = []
    with open(path) as f:
        for line in f:
            match = UPPER_CONSTRAINT.match(line)
            if match and normalized(match.group('name')) in pins:
                wanted = pins[normalized(match.group('name'))]
                if wanted != match.group('version'):
                    changed.append('%s %s -> %s' % (
                        match.group('name'), match.group('version'), wanted))
                    line = '%s===%s%s' % (match.group('name'), wanted,
                                          match.group('rest'))
            lines.append(line)
    with open(path, 'w') as f:
        f.writelines(lines)
    with open(log, 'a') as f:
        f.write('upper-constraints.txt: %d pins from constraints.txt:\n%s\n'
                % (len(changed), '\n'.join(changed)))


def git_commit(tree, log, tag=None):
    git = ['git', '-C', tree, '-c', 'user.name=resize-devstack',
           '-c', 'user.email=resize-devstack@localhost']
    container_mod.run_logged(git + ['init', '--quiet', '--initial-branch',
                                    TEMPEST_BRANCH], log)
    container_mod.run_logged(git + ['add', '--all', '--force'], log)
    container_mod.run_logged(git + ['commit', '--quiet', '-m',
                                    'unpacked for the devstack run'], log)
    if tag:
        # Annotated: pbr's "git describe --exact-match" skips the others.
        container_mod.run_logged(git + ['tag', '-a', '-m', tag, tag], log)


def leftovers(dry_run_file):
    """What tempest cleanup's dry run lists: '<kind> (<count>)' each."""
    with open(dry_run_file) as f:
        found = json.load(f)
    return ['%s (%d)' % (kind, len(items))
            for kind, items in sorted(_resource_lists(found)) if items]


def _resource_lists(value, kind=''):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _resource_lists(item, '%s/%s' % (kind, key)
                                       if kind else key)
    elif isinstance(value, list):
        yield kind, value


def tail(path, lines):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except FileNotFoundError:
        return '(no log)\n'


def masked(text, secrets):
    for secret in secrets:
        text = text.replace(secret, '********')
    return text


def port_listens(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST_IP, port)) == 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python3 -m localcloud.tox -e devstack --',
        description=__doc__.split('\n\n')[0])
    parser.add_argument('--destination-driver', metavar='DRIVER',
                        help='the second fake compute\'s compute_driver '
                        '(fake.FakeDriver: the run must fail, naming the '
                        'missing failing driver)')
    parser.add_argument('--print-local-conf', action='store_true',
                        help='print the rendered local.conf (passwords '
                        'masked) and stop')
    args = parser.parse_args(argv)
    run = Run(STATE_DIR, args.destination_driver)
    if args.print_local_conf:
        text, _overrides, _variables = run.rendered()
        print(masked(text, run.passwords().values()), end='')
        return 0
    progress.step('the devstack job %s, run in %s' % (JOB, run.dir))
    for name in ('host', 'tree', 'sources', 'local_conf', 'boot'):
        if not run.phase(name, getattr(run, name)):
            break
    else:
        if run.phase('stack', run.stack):
            run.phase('tempest', run.tempest)
        run.phase('unstack', run.unstack)
    if run.container is not None:
        run.phase('stop', run.stop)
    print('\nphase       seconds  result')
    for name, seconds, result in run.timings:
        print('%-10s %8.0f  %s' % (name, seconds, result))
    print('stack.sh log: %s' % run.stack_log())
    if run.failed:
        print('FAILED at %s' % run.failed)
        return 1
    return 0
