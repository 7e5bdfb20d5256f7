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

"""What this machine runs, as supervision, ``down``, the drills and bench
see it: its processes (read from /proc) and which loopback ports answer.
Standard library only.
"""

import os
import socket
import subprocess

from localcloud import layout


def pids():
    """The pid of every process /proc lists now."""
    return [int(entry) for entry in os.listdir('/proc') if entry.isdigit()]


def read(pid, name):
    """The bytes of /proc/PID/NAME; None once it is gone or not ours."""
    try:
        with open('/proc/%d/%s' % (pid, name), 'rb') as f:
            return f.read()
    except OSError:
        return None


def _stat(pid):
    """/proc/PID/stat's fields after the command's name (state, ppid...).

    The name, in parentheses, may hold spaces and parentheses itself.
    """
    stat = read(pid, 'stat')
    return stat.rsplit(b')', 1)[1].split() if stat else []


def is_zombie(pid):
    """Whether ``pid`` has exited and only waits for its parent to reap it.

    A pid that is gone counts too: either way it runs no more.
    """
    fields = _stat(pid)
    return not fields or fields[0] == b'Z'


def parent(pid):
    fields = _stat(pid)
    return int(fields[1]) if len(fields) > 1 else None


def cmdline(pid):
    """Its command line, arguments apart by NULs; None once it is gone."""
    found = read(pid, 'cmdline')
    return None if found is None else found.decode(errors='replace')


def descendants(root):
    """``root`` and every process below it."""
    children = {}
    for pid in pids():
        children.setdefault(parent(pid), []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def ancestors():
    """This process and its parents, whose command lines may name a cloud."""
    found, pid = set(), os.getpid()
    while pid and pid > 1 and pid not in found:
        found.add(pid)
        pid = parent(pid)
    return found


def port_open(port):
    """Whether something accepts connections on the loopback ``port``."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((layout.LOOPBACK, port)) == 0


def who_listens(port):
    try:
        return subprocess.run(['ss', '-Hltnp', 'sport = :%d' % port],
                              capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return '(ss is not installed: cannot tell which process)'
