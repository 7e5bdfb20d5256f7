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

from resize_tempest_plugin.tests import base
from resize_tempest_plugin import waiters


class FakeClock(object):
    """time.monotonic and time.sleep on a clock that only sleep moves."""

    def __init__(self):
        self.now = 0.0
        self.pauses = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


class TestWaitFor(base.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = FakeClock()

    def _wait(self, states, timeout=10, interval=2, **kwargs):
        states = list(states)

        def fetch():
            return states.pop(0) if len(states) > 1 else states[0]
        return waiters.wait_for(
            fetch, lambda state: state, lambda state: state == 'error',
            'migration m-1 to reach error', timeout=timeout,
            interval=interval, clock=self.clock, sleep=self.clock.sleep,
            **kwargs)

    def test_returns_the_object_in_the_expected_state(self):
        self.assertEqual('error', self._wait(['pre-migrating', 'migrating',
                                              'error']))

    def test_polls_fast_first_then_at_the_configured_interval(self):
        # 40 quarter seconds make the fast window; then 0.5, 1, 2, 2.
        self._wait(['migrating'] * 44 + ['error'], timeout=60)
        self.assertEqual([0.25] * 40 + [0.5, 1, 2, 2], self.clock.pauses)

    def test_interval_shorter_than_the_first_pause(self):
        self._wait(['migrating'] * 3 + ['error'], interval=0.1)
        self.assertEqual([0.1, 0.1, 0.1], self.clock.pauses)

    def test_logs_each_transition_once(self):
        with self.assertLogs(waiters.LOG.logger, 'INFO') as logs:
            self._wait(['migrating', 'migrating', 'post-migrating', 'error'])
        self.assertEqual(3, len(logs.output))
        self.assertIn('migrating after 0.0 s', logs.output[0])
        self.assertIn('post-migrating', logs.output[1])

    def test_failed_state_stops_at_once_with_evidence(self):
        exc = self.assertRaises(
            waiters.UnexpectedState, self._wait,
            ['migrating', 'finished', 'confirmed'],
            is_failed=lambda state: state == 'finished',
            evidence=lambda: 'EVIDENCE: server VERIFY_RESIZE on host2')
        self.assertEqual('finished', exc.last)
        self.assertIn('stopped in state finished', str(exc))
        self.assertIn('migrating', str(exc))
        self.assertIn('EVIDENCE: server VERIFY_RESIZE', str(exc))
        self.assertIsInstance(exc, AssertionError)

    def test_timeout_carries_states_and_evidence(self):
        exc = self.assertRaises(
            waiters.WaitTimeout, self._wait, ['migrating'], timeout=5,
            evidence=lambda: 'EVIDENCE: allocations')
        self.assertEqual('migrating', exc.last)
        self.assertIn('not reached within 5 s', str(exc))
        self.assertIn('EVIDENCE: allocations', str(exc))
        self.assertGreaterEqual(self.clock.now, 5)
        self.assertLess(self.clock.now, 5 + 2 + 1)

    def test_evidence_that_fails_is_reported_not_raised(self):
        def broken():
            raise RuntimeError('placement is down')
        exc = self.assertRaises(waiters.WaitTimeout, self._wait,
                                ['migrating'], timeout=1, evidence=broken)
        self.assertIn('Evidence could not be gathered', str(exc))
        self.assertIn('placement is down', str(exc))

    def test_none_is_an_object_like_any_other(self):
        result = waiters.wait_for(
            lambda: None, lambda obj: 'gone' if obj is None else 'there',
            lambda obj: obj is None, 'server to be deleted', timeout=1,
            interval=1, clock=self.clock, sleep=self.clock.sleep)
        self.assertIsNone(result)
