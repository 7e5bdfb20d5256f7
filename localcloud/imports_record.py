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

"""Which of nova's modules a service imported, and since when.

Each nova service, started by :mod:`localcloud.nova_one_process` or
:mod:`localcloud.wsgi`, writes to the file that ``$LOCALCLOUD_IMPORTS``
names its start time, then each nova module as it is first imported (an
audit hook on "import", which also sees the lazy imports after the start).
``restart`` compares those modules' files with the start time: a service
none of whose modules changed keeps running.
"""

import os
import sys
import time

VARIABLE = 'LOCALCLOUD_IMPORTS'
PACKAGE = 'nova'


def start(environ=os.environ):
    """Record this process's nova imports, when the variable names a file."""
    path = environ.get(VARIABLE)
    if not path:
        return
    # Line-buffered: each name is in the file once imported, whenever the
    # process is stopped.
    record = open(path, 'w', buffering=1)
    record.write('%.3f\n' % time.time())
    seen = set()

    def hook(event, args):
        if event != 'import':
            return
        name = args[0]
        if name not in seen and (name == PACKAGE
                                 or name.startswith(PACKAGE + '.')):
            seen.add(name)
            record.write(name + '\n')
    sys.addaudithook(hook)


def read(path):
    """(start time, [module names]) from a record; None if there is none."""
    try:
        with open(path) as f:
            lines = f.read().split()
    except OSError:
        return None
    if not lines:
        return None
    return float(lines[0]), lines[1:]


def module_file(tree, name):
    """The file of module ``name`` in ``tree`` (a directory holding nova/).

    None for a module that is not a file there (a namespace, a C module).
    """
    base = os.path.join(tree, *name.split('.'))
    for path in (base + '.py', os.path.join(base, '__init__.py')):
        if os.path.isfile(path):
            return path
    return None


def changed_since_start(path, tree):
    """The files of a service's modules changed since it started.

    ``path``: its record; ``tree``: where it imports nova from. None when
    the service left no record (started before records, or never).
    """
    record = read(path)
    if record is None:
        return None
    started, names = record
    changed = []
    for name in names:
        module = module_file(tree, name)
        if module and os.stat(module).st_mtime > started:
            changed.append(module)
    return changed
