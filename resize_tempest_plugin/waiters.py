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

"""One small waiter, in the manner of tempest.common.waiters.

openstacksdk's waiters only say "transitioned to failure state" and default
to 120 s. This one takes its timeout and interval from tempest's
configuration (compute.build_timeout, compute.build_interval), logs every
transition it sees, stops early on a state that can no longer change into
the expected one, and puts the evidence in its error.
"""

import time

from oslo_log import log as logging
from tempest.lib import exceptions as lib_exc

LOG = logging.getLogger(__name__)

#: The pause between two polls for the first FAST_WINDOW seconds of a wait,
#: within which a healthy cloud ends most steps: the wait then ends within
#: a quarter second of nova, not up to a whole build_interval after it.
#: After the window the pause doubles up to the configured interval, so
#: that a slow cloud is not polled four times a second for minutes.
FIRST_INTERVAL = 0.25
FAST_WINDOW = 10


class WaitTimeout(lib_exc.TimeoutException):
    """The expected state was not reached within the timeout.

    ``last`` is the last object fetched (None if none was).
    """

    def __init__(self, details, last=None):
        super().__init__(details)
        self.last = last


class UnexpectedState(AssertionError):
    """A state was reached from which the expected one cannot follow.

    ``last`` is the object in that state.
    """

    def __init__(self, details, last=None):
        super().__init__(details)
        self.last = last


def wait_for(fetch, describe, is_done, what, timeout, interval,
             is_failed=None, evidence=None,
             clock=time.monotonic, sleep=time.sleep):
    """Poll ``fetch()`` until ``is_done`` holds for what it returns.

    :param fetch: returns the current object (None is a valid object, for
        example "the server is gone").
    :param describe: object -> short text of its state; a change of that
        text is a transition, logged at INFO.
    :param is_done: object -> True when the wait is over.
    :param what: what is waited for, for messages ("migration 1234 to
        reach error").
    :param timeout: seconds (compute.build_timeout).
    :param interval: the longest pause between polls (compute.build_interval).
    :param is_failed: object -> True when the object is in a state from
        which ``is_done`` can no longer hold: raise UnexpectedState at once.
    :param evidence: () -> text appended to any error (server, migration,
        events, allocations...).
    :returns: the object for which ``is_done`` held.
    :raises UnexpectedState: on a failed state.
    :raises WaitTimeout: when the timeout passes first.
    """
    start = clock()
    pause = min(FIRST_INTERVAL, interval)
    seen = []
    last = None
    while True:
        last = fetch()
        state = describe(last)
        if not seen or seen[-1][1] != state:
            elapsed = clock() - start
            seen.append((elapsed, state))
            LOG.info('Waiting for %s: %s after %.1f s', what, state, elapsed)
        if is_done(last):
            return last
        if is_failed is not None and is_failed(last):
            raise UnexpectedState(
                _message('%s: stopped in state %s, from which it cannot '
                         'get there' % (what, state), seen, evidence),
                last)
        if clock() - start >= timeout:
            raise WaitTimeout(
                _message('%s: not reached within %s s (compute.build_timeout)'
                         '; last state %s' % (what, timeout, state),
                         seen, evidence),
                last)
        sleep(pause)
        if clock() - start >= FAST_WINDOW:
            pause = min(pause * 2, interval)


def _message(headline, seen, evidence):
    lines = [headline, 'States seen:']
    lines.extend('  %6.1f s  %s' % (elapsed, state)
                 for elapsed, state in seen)
    if evidence is not None:
        lines.append(_safe_evidence(evidence))
    return '\n'.join(lines)


def _safe_evidence(evidence):
    """The evidence text, or why it could not be gathered."""
    try:
        return evidence()
    except Exception as exc:
        return 'Evidence could not be gathered: %r' % exc
