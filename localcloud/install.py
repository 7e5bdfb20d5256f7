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

"""Install what the cloud needs: Debian's MariaDB and RabbitMQ, and a venv
with the pinned OpenStack services. Standard library only.

Venvs are made and filled by uv, a pinned wheel from the package index whose
binary is unpacked into the home (the system python is left alone); pip,
slower, takes over where uv cannot be had.
"""

import collections
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

from localcloud import layout
from localcloud import progress

# Debian's maintainer scripts start the services they install; a cloud that
# runs its own private instances wants the machine's services left alone.
POLICY_RC_D = '/usr/sbin/policy-rc.d'
# Where uv's binary lies in its wheel.
UV_IN_WHEEL = re.compile(r'^uv-[^/]+\.data/scripts/uv$')
VENV_MARK = '.localcloud-installed'


class InstallError(RuntimeError):
    pass


def _python_cannot_make_pip():
    """Debian's python3 has neither pip nor ensurepip until python3-venv."""
    return not any(importlib.util.find_spec(module)
                   for module in ('pip', 'ensurepip'))


def debian_packages_missing(wanted=None):
    """{package: what shows it missing} among ``wanted`` (default: all)."""
    servers = (layout.MARIADBD, layout.RABBITMQ_SERVER)
    missing = {package: path for package, path
               in zip(layout.DEBIAN_PACKAGES, servers)
               if not os.path.exists(path)}
    if _python_cannot_make_pip():
        missing[layout.DEBIAN_PYTHON_VENV] = '%s without pip or ensurepip' % (
            sys.executable)
    return {package: what for package, what in missing.items()
            if wanted is None or package in wanted}


def ensure_debian_packages(report, wanted=None):
    missing = debian_packages_missing(wanted)
    if not missing:
        return False
    if os.geteuid() != 0:
        raise InstallError(
            '%s not installed (%s) and installing them needs root: run this '
            'command as root or with sudo, or install them yourself.'
            % (' '.join(missing), ', '.join(missing.values())))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    added_policy = _deny_service_starts()
    try:
        _run_logged(['apt-get', 'update', '-q'], env, report,
                    'apt-get update')
        _run_logged(['apt-get', 'install', '-y', '-q',
                     '--no-install-recommends'] + list(missing), env, report,
                    'apt-get install')
    finally:
        if added_policy:
            os.unlink(POLICY_RC_D)
    return True


def _deny_service_starts():
    if os.path.exists(POLICY_RC_D):
        return False
    with open(POLICY_RC_D, 'w') as policy:
        policy.write('#!/bin/sh\n# localcloud: no service starts during '
                     'its apt-get install\nexit 101\n')
    os.chmod(POLICY_RC_D, 0o755)
    return True


def _run_logged(cmd, env, report, what, describe=None, hint=''):
    """Run ``cmd`` with a live progress line.

    ``describe`` turns an output line into the progress detail, or None to
    pass over the line. On failure, raise with the tail of the output and
    ``hint``.
    """
    describe = describe or (lambda line: line.strip()[:70])
    tail = collections.deque(maxlen=25)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        detail = describe(line)
        if detail is None:
            continue
        tail.append(line.rstrip())
        report.tick(detail)
    if proc.wait():
        raise InstallError('%s failed (exit %d). Its last lines:\n%s%s'
                           % (what, proc.returncode, '\n'.join(tail), hint))


def _pip_line(line):
    if 'is ignored: it is neither a file nor a directory' in line:
        return None  # noise from a pip.conf that lists local mirrors
    return line.strip()[:70]


def pinned_version(name):
    """The version constraints.txt pins ``name`` to."""
    wanted = re.sub(r'[-_.]+', '-', name).lower()
    with open(layout.CONSTRAINTS) as constraints:
        for line in constraints:
            project, _sep, version = line.partition('==')
            if re.sub(r'[-_.]+', '-', project.strip()).lower() == wanted:
                return version.split('#')[0].strip()
    raise InstallError('constraints.txt pins no version of %s: add one '
                       '(%s==VERSION).' % (name, name))


def uv_path(home):
    return os.path.join(home, 'uv-' + pinned_version('uv'), 'uv')


def ensure_uv(home, report):
    """The pinned uv's binary, unpacked into ``home`` once.

    pip (the python's own, or a bootstrap venv's) downloads the wheel; the
    binary is taken out of it. None, with the reason said, where uv cannot
    be had: pip installs instead.
    """
    path = uv_path(home)
    if os.access(path, os.X_OK):
        return path
    try:
        with tempfile.TemporaryDirectory(prefix='localcloud-uv-') as scratch:
            _run_logged(
                _pip_command(scratch, report)
                + ['download', '--no-deps', '--only-binary', ':all:',
                   '--disable-pip-version-check', '-c', layout.CONSTRAINTS,
                   '-d', scratch, 'uv'],
                None, report, 'pip download uv', describe=_pip_line)
            _unpack_uv(scratch, path)
    except InstallError as exc:
        progress.step('uv cannot be had here, so pip installs instead (it '
                      'takes longer): %s' % str(exc).splitlines()[0])
        return None
    return path


def _pip_command(scratch, report):
    """A pip to run: this python's own, or else a scratch venv's."""
    if importlib.util.find_spec('pip'):
        return [sys.executable, '-m', 'pip']
    venv = os.path.join(scratch, 'pip')
    _run_logged([sys.executable, '-m', 'venv', venv], None, report,
                'python3 -m venv (for a pip)')
    return [os.path.join(venv, 'bin', 'python3'), '-m', 'pip']


def _unpack_uv(directory, path):
    wheels = [name for name in os.listdir(directory)
              if name.endswith('.whl')]
    if len(wheels) != 1:
        raise InstallError('pip download uv gave %s in %s, not one wheel.'
                           % (wheels or 'nothing', directory))
    with zipfile.ZipFile(os.path.join(directory, wheels[0])) as wheel:
        members = [m for m in wheel.namelist() if UV_IN_WHEEL.match(m)]
        if not members:
            raise InstallError('%s holds no uv binary.' % wheels[0])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = path + '.partial'
        with wheel.open(members[0]) as source, open(partial, 'wb') as out:
            shutil.copyfileobj(source, out)
    os.chmod(partial, 0o755)
    os.replace(partial, path)


def _fingerprint(packages):
    digest = hashlib.sha256()
    with open(layout.CONSTRAINTS, 'rb') as constraints:
        digest.update(constraints.read())
    digest.update(' '.join(packages).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def venv_is_current(venv, packages):
    try:
        with open(os.path.join(venv, VENV_MARK)) as mark:
            return mark.read().strip() == _fingerprint(packages)
    except FileNotFoundError:
        return False


def ensure_venv_at(venv, packages, home, report):
    """Make ``venv`` with ``packages``, pinned by constraints.txt.

    Nothing happens when it was made from the same constraints, packages
    and python already. ``packages`` may hold pip options (``-e DIR``).
    Returns True if it installed.
    """
    if venv_is_current(venv, packages):
        return False
    if os.path.exists(venv):
        shutil.rmtree(venv)
    uv = ensure_uv(home, report)
    python = os.path.join(venv, 'bin', 'python3')
    if uv:
        _run_logged([uv, 'venv', '--quiet', '--no-python-downloads',
                     '--python', sys.executable, venv], None, report,
                    'uv venv %s' % venv)
        # Compiled now, in parallel: where PYTHONDONTWRITEBYTECODE is set
        # (tox, CI), the services would compile at every start (an empty
        # state's up: 184 s instead of 54 s).
        install = [uv, 'pip', 'install', '--no-progress', '--compile-bytecode',
                   '--python', python]
        describe = _pip_line  # a few summary lines: resolved, prepared...
    else:
        _run_logged([sys.executable, '-m', 'venv', venv], None, report,
                    'python3 -m venv %s' % venv)
        install = [python, '-m', 'pip', 'install', '--progress-bar', 'off',
                   '--disable-pip-version-check']
        describe = _collected_counter()
    _run_logged(
        install + ['-c', layout.CONSTRAINTS] + list(packages), None, report,
        'the install into %s' % venv, describe=describe,
        hint="\nFix what it says (the network to the package index, "
             "constraints.txt, the repository's setup.cfg), then run again.")
    with open(os.path.join(venv, VENV_MARK), 'w') as mark:
        mark.write(_fingerprint(packages))
    return True


def cloud_packages():
    """The cloud venv's packages, the plugin among them.

    The plugin is installed from the repository, so that tempest discovers
    it, with its report extra (resize-fail-report's JUnit XML and HTML).
    """
    return list(layout.PYTHON_PACKAGES) + ['-e',
                                           layout.REPO_ROOT + '[report]']


def ensure_venv(paths, report):
    """The cloud's venv (see :func:`ensure_venv_at`)."""
    return ensure_venv_at(paths.venv, cloud_packages(), paths.home, report)


def _collected_counter():
    """A describe for pip's output: how many packages it collected."""
    with open(layout.CONSTRAINTS) as constraints:
        total = sum(1 for line in constraints
                    if line.strip() and not line.startswith('#'))
    collected = []

    def describe(line):
        line = _pip_line(line)
        if line is None:
            return None
        if line.startswith('Collecting '):
            collected.append(line)
        return '%d/%d packages collected; %s' % (len(collected), total,
                                                 line[:50])
    return describe


def ensure_installed(paths, out=sys.stdout):
    """Both halves of the install, each timed; returns {step: seconds}."""
    timings = {}
    for step, action in (('debian packages', ensure_debian_packages),
                         ('python venv', lambda report: ensure_venv(paths,
                                                                    report))):
        start = time.monotonic()
        with progress.Spinner('installing ' + step, out) as report:
            did = action(report)
            report.done('installed' if did else 'already installed')
        timings[step] = time.monotonic() - start
    return timings
