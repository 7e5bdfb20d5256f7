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

"""Progress lines: steps and the spinner's start and outcome lines."""

import io
import re

from localcloud import progress
from localcloud.tests import base

STAMP = r'\[ *\d+\.\ds\] '


class _Terminal(io.StringIO):

    def isatty(self):
        return True


class SpinnerTest(base.TestCase):

    def lines(self, out):
        return out.getvalue().splitlines()

    def test_failure_on_a_pipe(self):
        out = io.StringIO()
        with self.assertRaisesRegex(RuntimeError, 'boom'):
            with progress.Spinner('installing things', out):
                raise RuntimeError('boom')
        first, last = self.lines(out)
        self.assertRegex(first, '^' + STAMP + r'installing things \.\.\.$')
        self.assertRegex(
            last, '^' + STAMP + r'installing things: failed in \d+\.\ds$')

    def test_outcome(self):
        out = io.StringIO()
        with progress.Spinner('a', out):
            pass
        with progress.Spinner('b', out) as report:
            report.done('already installed')
        self.assertRegex(self.lines(out)[1], r'a: done in ')
        self.assertRegex(self.lines(out)[3], r'b: already installed in ')

    def test_ticks_on_a_pipe_at_most_every_interval(self):
        out = io.StringIO()
        with progress.Spinner('slow', out, interval=3600) as report:
            report.tick('quiet')
        self.assertNotIn('quiet', out.getvalue())
        out = io.StringIO()
        with progress.Spinner('fast', out, interval=0) as report:
            report.tick('12/40 collected')
        self.assertRegex(self.lines(out)[1],
                         r'^  \.\.\. +\d+\.\ds 12/40 collected$')

    def test_heartbeat_moves_a_silent_step(self):
        out = _Terminal()
        with progress.Spinner('silent', out, heartbeat=0.01) as report:
            report.tick('installing')
            # Bounded: the heartbeat redraws without any further tick.
            self.assertTrue(base.wait_for(
                lambda: out.getvalue().count('installing') >= 3))

    def test_ticks_on_a_terminal_rewrite_one_line(self):
        out = _Terminal()
        with progress.Spinner('tty', out) as report:
            report.tick('x')
            report.tick('y')
        text = out.getvalue()
        self.assertEqual(2, text.count('\n'))
        self.assertEqual(3, text.count('\r\033[K'))
        self.assertTrue(re.search(STAMP + 'tty: done in', text))

    def test_step(self):
        out = io.StringIO()
        progress.step('hello', out)
        self.assertRegex(out.getvalue(), '^' + STAMP + 'hello\n$')
