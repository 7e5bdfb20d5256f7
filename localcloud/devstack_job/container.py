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

"""A Debian tree booted with systemd-nspawn, sharing the host's network.

devstack runs every service as a systemd unit; this machine's PID 1 is not
systemd. So the tree (debootstrap, kept as a cache) is copied fresh for
each run and booted with ``systemd-nspawn -b``, and commands run in it
through nsenter: with no systemd on the host there is no machinectl and
no system bus (hence --register=no --keep-unit). Everything heavy runs at
the lowest CPU and I/O priority (NICE): the container's systemd, and so
every service it starts, inherits it.

The container is stopped from inside (systemctl poweroff, then
SIGRTMIN+4 to its systemd), never with SIGKILL: the host's PID 1 reaps no
orphans, and a killed nspawn would leave its systemd a zombie.
"""

import os
import shutil
import signal
import subprocess
import time

NICE = ['nice', '-n', '19', 'ionice', '-c3']
DEBIAN_SUITE = 'bookworm'
DEBIAN_MIRROR = 'http://deb.debian.org/debian'
# What stack.sh needs before its own install_prereqs: systemd to boot,
# sudo and git for its user, python3 for its tools.
BASE_PACKAGES = ('systemd', 'systemd-sysv', 'dbus', 'sudo', 'git',
                 'ca-certificates', 'lsb-release', 'iproute2', 'procps',
                 'python3', 'locales')
HOST_PACKAGES = {'debootstrap': 'debootstrap',
                 'systemd-nspawn': 'systemd-container'}
# nspawn keeps its mount propagation directory here and requires a tmpfs.
NSPAWN_RUN = '/run/systemd/nspawn'
BOOT_TIMEOUT = 300
STOP_TIMEOUT = 300
# The login environment of devstack's user inside the container.
USER_ENV = ['HOME=/opt/stack', 'USER=stack', 'LOGNAME=stack',
            'SHELL=/bin/bash', 'LANG=C.UTF-8',
            'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:'
            '/sbin:/bin']


class ContainerError(Exception):
    pass


def debootstrap_command(target):
    return NICE + ['debootstrap', '--variant=minbase',
                   '--include=' + ','.join(BASE_PACKAGES), DEBIAN_SUITE,
                   target, DEBIAN_MIRROR]


def missing_host_packages():
    return sorted({package for tool, package in HOST_PACKAGES.items()
                   if not shutil.which(tool)})


def ensure_base(base, log):
    """The cached debootstrap tree at base, made if absent or outdated.

    Its marker holds the command that made it: another package list makes
    it again.
    """
    marker = os.path.join(base, '.resize-devstack-base')
    wanted = ' '.join(debootstrap_command(base))
    if os.path.exists(marker):
        with open(marker) as f:
            if f.read() == wanted:
                return False
    partial = base + '.partial'
    for stale in (partial, base):
        remove_tree(stale)
    run_logged(debootstrap_command(partial), log)
    with open(os.path.join(partial, '.resize-devstack-base'), 'w') as f:
        f.write(wanted)
    os.rename(partial, base)
    return True


def run_logged(command, log, **kwargs):
    """Run command with its output appended to log; raise if it fails."""
    with open(log, 'a') as out:
        out.write('$ %s\n' % ' '.join(command))
        out.flush()
        code = subprocess.call(command, stdout=out, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, **kwargs)
    if code:
        name = command[len(NICE)] if command[:len(NICE)] == NICE else (
            command[0])
        raise ContainerError('%s exited %d' % (name, code))


def mounts_under(path):
    path = os.path.realpath(path)
    with open('/proc/self/mounts') as f:
        points = [line.split()[1] for line in f]
    return [p for p in points if p == path or p.startswith(path + '/')]


def processes_in(root):
    """Host pids of the processes whose root directory is root."""
    root = os.path.realpath(root)
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                if os.readlink('/proc/%s/root' % entry) == root:
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def remove_tree(path):
    """Remove a container tree, refusing one in use."""
    if not os.path.lexists(path):
        return
    busy = mounts_under(path) or processes_in(path)
    if busy:
        raise ContainerError('%s is in use (%s): stop its container first'
                             % (path, busy))
    subprocess.check_call(['rm', '-rf', '--one-file-system', path])


def fresh_copy(base, root):
    remove_tree(root)
    subprocess.check_call(NICE + ['cp', '-a', '--reflink=auto', base, root])


class Container:
    """One boot of the tree at root, named name, with binds."""

    def __init__(self, root, name, binds, console_log):
        self.root = root
        self.name = name
        self.binds = binds
        self.console_log = console_log
        self.nspawn = None
        self.leader = None
        self.mounted_run = False

    def boot(self):
        if not os.path.ismount(NSPAWN_RUN):
            os.makedirs(NSPAWN_RUN, exist_ok=True)
            subprocess.check_call(['mount', '-t', 'tmpfs', 'tmpfs',
                                   NSPAWN_RUN])
            self.mounted_run = True
        command = NICE + ['systemd-nspawn', '-D', self.root,
                          '--machine=' + self.name, '--register=no',
                          '--keep-unit', '-b', '--console=pipe']
        command += ['--bind=%s:%s' % pair for pair in self.binds]
        with open(self.console_log, 'a') as out:
            self.nspawn = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + BOOT_TIMEOUT
        while self.leader is None:
            self._check_alive()
            self.leader = self._find_leader()
            if time.monotonic() > deadline:
                raise ContainerError('no systemd in the container after '
                                     '%ds' % BOOT_TIMEOUT)
            time.sleep(0.5)
        while True:
            state = subprocess.run(
                self.enter(['systemctl', 'is-system-running', '--wait']),
                capture_output=True, text=True).stdout.strip()
            # degraded: a unit failed, the system is up all the same
            # (a container has units that cannot start).
            if state in ('running', 'degraded'):
                return state
            self._check_alive()
            if time.monotonic() > deadline:
                raise ContainerError('the container did not boot in %ds '
                                     '(state %s)' % (BOOT_TIMEOUT, state))
            time.sleep(1)

    def _check_alive(self):
        if self.nspawn.poll() is not None:
            raise ContainerError('systemd-nspawn exited %d: see %s' % (
                self.nspawn.returncode, self.console_log))

    def _find_leader(self):
        """The container's systemd: the nspawn process's child."""
        for pid in _descendants(self.nspawn.pid):
            try:
                with open('/proc/%d/comm' % pid) as f:
                    if f.read().strip() == 'systemd':
                        return pid
            except OSError:
                continue
        return None

    def enter(self, command):
        return ['nsenter', '--target', str(self.leader), '--all'] + command

    def as_user(self, script):
        """The command that runs a bash script as devstack's user."""
        return NICE + self.enter(['env', '-i'] + USER_ENV + [
            'runuser', '-u', 'stack', '--', 'bash', '-c', script])

    def stop(self):
        """Power the container off from inside and wait for nspawn."""
        if self.nspawn is None or self.nspawn.poll() is not None:
            return self._unmount()
        if self.leader:
            subprocess.call(self.enter(['systemctl', 'poweroff']),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
        for nudge in (None, self._sigrtmin4, self._sigterm_nspawn):
            if nudge:
                nudge()
            try:
                self.nspawn.wait(STOP_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            raise ContainerError('the container did not stop: nspawn %d '
                                 'still runs' % self.nspawn.pid)
        self._unmount()

    def _sigrtmin4(self):
        # systemd's "poweroff" signal.
        if self.leader:
            os.kill(self.leader, signal.SIGRTMIN + 4)

    def _sigterm_nspawn(self):
        # nspawn turns SIGTERM into a poweroff of the container.
        self.nspawn.terminate()

    def _unmount(self):
        if self.mounted_run:
            subprocess.call(['umount', NSPAWN_RUN])
            self.mounted_run = False


def _descendants(pid):
    children = []
    try:
        for task in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, task)) as f:
                children += [int(c) for c in f.read().split()]
    except OSError:
        return []
    found = list(children)
    for child in children:
        found += _descendants(child)
    return found
