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

"""Progress a person can follow: one line per step with its elapsed time,
and a live status line during long steps. Standard library only.
"""

import sys
import threading
import time

_START = time.monotonic()


def step(message, out=None):
    """Print one step line stamped with the time since the command began."""
    out = out or sys.stdout
    out.write('[%6.1fs] %s\n' % (time.monotonic() - _START, message))
    out.flush()


class Spinner:
    """A status line for a long step.

    Rewritten in place on a terminal; elsewhere (CI logs) printed at most
    every ``interval`` seconds. A heartbeat keeps it moving while the step
    itself prints nothing (pip, while it installs).
    """

    FRAMES = '|/-\\'

    def __init__(self, title, out=None, interval=10.0, heartbeat=1.0):
        self.title = title
        self.out = out or sys.stdout
        self.interval = interval
        self.heartbeat = heartbeat
        self.tty = self.out.isatty()
        self.started = time.monotonic()
        self.last_print = self.started
        self.frame = 0
        self.result = None
        self.detail = ''
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self):
        step(self.title + ' ...', self.out)
        self._heartbeat.start()
        return self

    def _beat(self):
        while not self._stopped.wait(self.heartbeat):
            self.tick(self.detail)

    def tick(self, detail=''):
        with self._lock:
            self.detail = detail
            self._draw()

    def _draw(self):
        detail = self.detail
        now = time.monotonic()
        if self.tty:
            self.frame = (self.frame + 1) % len(self.FRAMES)
            self.out.write('\r\033[K  %s %5.1fs %s' % (
                self.FRAMES[self.frame], now - self.started, detail))
            self.out.flush()
        elif now - self.last_print >= self.interval:
            self.last_print = now
            self.out.write('  ... %5.1fs %s\n' % (now - self.started, detail))
            self.out.flush()

    def done(self, result):
        self.result = result

    def __exit__(self, exc_type, exc, tb):
        self._stopped.set()
        self._heartbeat.join()
        if self.tty:
            self.out.write('\r\033[K')
        outcome = 'failed' if exc_type else (self.result or 'done')
        step('%s: %s in %.1fs' % (self.title, outcome,
                                  time.monotonic() - self.started), self.out)
        return False
