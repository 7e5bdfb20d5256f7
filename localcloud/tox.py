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
"""The project's tests with any python3: ``python3 -m localcloud.tox [ARGS]``.

tox runs from a venv of its own (``.localcloud/tox``), pinned by
constraints.txt and made by uv like the cloud's, with tox-uv so that tox's
environments are made by uv too. So the same command works with a python
that refuses installs (Debian's, PEP 668) as with a pyenv or venv python.
ARGS go to tox (``-e pep8,py3``, ...). Standard library only.
"""

import os
import sys

from localcloud import install
from localcloud import layout
from localcloud import progress

VENV = os.path.join(layout.DEFAULT_HOME, 'tox')


def packages():
    # tox-uv needs python 3.11 or later; older, tox makes its envs with pip.
    return ['tox', 'tox-uv'] if sys.version_info >= (3, 11) else ['tox']


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        with progress.Spinner('installing tox') as report:
            install.ensure_debian_packages(
                report, wanted=[layout.DEBIAN_PYTHON_VENV])
            report.done('installed' if install.ensure_venv_at(
                VENV, packages(), layout.DEFAULT_HOME, report)
                else 'already installed')
    except install.InstallError as exc:
        progress.step('install failed: %s' % exc)
        sys.exit(1)
    tox = os.path.join(VENV, 'bin', 'tox')
    os.execv(tox, [tox] + argv)


if __name__ == '__main__':
    main()
