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
"""

import collections
import hashlib
import os
import shutil
import subprocess
import sys
import time

from localcloud import layout
from localcloud import progress

# Debian's maintainer scripts start the services they install; a cloud that
# runs its own private instances wants the machine's services left alone.
POLICY_RC_D = '/usr/sbin/policy-rc.d'


class InstallError(RuntimeError):
    pass


def debian_packages_missing():
    return [path for path in (layout.MARIADBD, layout.RABBITMQ_SERVER)
            if not os.path.exists(path)]


def ensure_debian_packages(report):
    if not debian_packages_missing():
        return False
    if os.geteuid() != 0:
        raise InstallError(
            'MariaDB and RabbitMQ are not installed (%s missing) and '
            'installing them needs root: run this command as root or with '
            'sudo, or install %s yourself.'
            % (', '.join(debian_packages_missing()),
               ' '.join(layout.DEBIAN_PACKAGES)))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    added_policy = _deny_service_starts()
    try:
        _run_logged(['apt-get', 'update', '-q'], env, report,
                    'apt-get update')
        _run_logged(['apt-get', 'install', '-y', '-q',
                     '--no-install-recommends']
                    + list(layout.DEBIAN_PACKAGES), env, report,
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


def _venv_fingerprint():
    digest = hashlib.sha256()
    with open(layout.CONSTRAINTS, 'rb') as constraints:
        digest.update(constraints.read())
    digest.update(' '.join(layout.PYTHON_PACKAGES).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def venv_is_current(paths):
    try:
        with open(os.path.join(paths.venv, '.localcloud-installed')) as mark:
            return mark.read().strip() == _venv_fingerprint()
    except FileNotFoundError:
        return False


def ensure_venv(paths, report):
    """Create the venv and install the pinned packages into it.

    Nothing happens when the venv was built from the same constraints
    already. Returns True if it installed.
    """
    if venv_is_current(paths):
        return False
    if os.path.exists(paths.venv):
        shutil.rmtree(paths.venv)
    subprocess.run([sys.executable, '-m', 'venv', paths.venv], check=True)
    pip = [paths.venv_python, '-m', 'pip', 'install', '--progress-bar',
           'off', '--disable-pip-version-check', '-c', layout.CONSTRAINTS]
    total = _count_constraints()
    collected = []

    def describe(line):
        if 'is ignored: it is neither a file nor a directory' in line:
            return None  # noise from a pip.conf that lists local mirrors
        if line.startswith('Collecting '):
            collected.append(line)
        return '%d/%d packages collected; %s' % (len(collected), total,
                                                 line.strip()[:50])

    _run_logged(
        pip + list(layout.PYTHON_PACKAGES) + ['-e', layout.REPO_ROOT], None,
        report, 'pip install into %s' % paths.venv, describe=describe,
        hint="\nFix what it says (the network to PyPI, constraints.txt, "
             "the repository's setup.cfg), then run again.")
    with open(os.path.join(paths.venv, '.localcloud-installed'), 'w') as mark:
        mark.write(_venv_fingerprint())
    return True


def _count_constraints():
    with open(layout.CONSTRAINTS) as constraints:
        return sum(1 for line in constraints
                   if line.strip() and not line.startswith('#'))


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
