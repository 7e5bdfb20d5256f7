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

"""Helpers shared by the local cloud's unit tests.

Nothing here starts a cloud: every Layout lives in a temporary directory,
never in the repository's .localcloud.
"""

import io
import itertools
import os
import time

import fixtures
import testtools

from localcloud import configs
from localcloud import layout
from localcloud import services

# The hosts of resize_tempest_plugin/cloud_shape.ini, as the cloud reads them.
SHAPE, TEMPEST_OPTIONS = layout.read_cloud_shape()
HOSTS = (SHAPE['source_host'], SHAPE['destination_host'])
COMPUTE_HOSTS = ((SHAPE['source_host'], SHAPE['source_driver']),
                 (SHAPE['destination_host'], SHAPE['destination_driver']))

# One distinct, recognizable value per secret the cloud generates.
ACCOUNTS = tuple(name for name, _role in configs.TEST_ACCOUNTS)
SECRET_NAMES = (('database', 'rabbitmq', 'admin') + configs.SERVICE_USERS
                + ACCOUNTS)
SECRETS = {name: 'secret-of-%s-Xq7' % name for name in SECRET_NAMES}

# Parts supervisord's shlex split must give back as they are.
AWKWARD = services.Service('awkward', (
    '/bin/echo', "it's", 'a (b)', 'x"y', '{127,0,0,1}',
    "localcloud.wsgi:application('m.x')", 'two  spaces', 'plain'))


def mode(path):
    return os.stat(path).st_mode & 0o777


def wait_for(predicate, timeout=5.0, interval=0.01):
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class TestCase(testtools.TestCase):

    def make_layout(self):
        """A Layout whose home is a fresh temporary directory."""
        home = self.useFixture(fixtures.TempDir()).path
        return layout.Layout.from_args(home)

    def make_state_dirs(self, paths):
        for directory in (paths.etc, paths.logs, paths.run):
            os.makedirs(directory, exist_ok=True)

    def capture(self, stream='stdout'):
        """Replace sys.stdout (or stderr) for the test; returns the buffer."""
        out = io.StringIO()
        self.useFixture(fixtures.MockPatch('sys.' + stream, out))
        return out


class FakeSupervisor:
    """supervisord as the cloud sees it: a program runs once started.

    Every call is logged in ``events``. Its pids exist on no machine (above
    Linux's highest pid_max), so nothing real is ever signalled.
    """

    FIRST_PID = 5000000

    def __init__(self, events, seconds_per_start=0.0):
        self.events = events
        self.seconds_per_start = seconds_per_start
        self.pid = None
        self.programs = {}  # name: (statename, pid)
        self.pids = itertools.count(self.FIRST_PID + 1)

    def start_daemon(self):
        if self.pid:
            return False
        self.pid = self.FIRST_PID
        return True

    def reload(self):
        self.events.append(('reload', 'supervisord'))

    def start(self, name):
        self.events.append(('begin', 'start ' + name))
        time.sleep(self.seconds_per_start)
        pid = next(self.pids)
        self.programs[name] = ('RUNNING', pid)
        self.events.append(('end', 'start ' + name))
        return pid

    def stop(self, name):
        if self.programs.get(name, ('STOPPED',))[0] == 'RUNNING':
            self.events.append(('stop', name))
            self.programs[name] = ('STOPPED', 0)

    def stop_many(self, names):
        for name in names:
            self.stop(name)

    def all_info(self):
        if not self.pid:
            return {}
        return {name: {'name': name, 'statename': state, 'pid': pid}
                for name, (state, pid) in self.programs.items()}

    def shutdown(self, timeout=60, tiers=None):
        for tier in tiers:
            for name in tier:
                self.stop(name)
        self.pid = None
        return []

    def strays(self):
        return []
