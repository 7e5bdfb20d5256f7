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

"""Where one test's seconds go in a ``tempest run``, for ``bench``.

Read from what tempest writes anyway, never from timers in the plugin:
its log (each line stamped with the time and the worker's pid: the
requests of ``setUpClass``, the dynamic credentials, the waits' "Waiting
for ..." lines, the requests of ``tearDownClass``), the run's subunit
stream (when the test itself began and ended), and nova's instance actions
(which actions and events nova ran for the server) and nova's own logs
(when its services worked on each action's request, in milliseconds:
the instance actions keep whole seconds, too coarse for the seconds
between the waits).
"""

import dataclasses
import datetime
import re

LOG_LINE = re.compile(
    r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) (\d+) \S+ \S+ \[[^\]]*\] (.*)$')
WAIT_LINE = re.compile(
    r'^Waiting for (?P<what>.+?): .* after (?P<elapsed>\d+(?:\.\d+)?) s$')
SERVER_ID = re.compile(r'server ([0-9a-f]{8}-[0-9a-f-]{27})')
SUBUNIT_TIME = re.compile(r'^time: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)Z$')
SUBUNIT_TEST = re.compile(r'^test: (\S+)')
SUBUNIT_END = re.compile(
    r'^(successful|success|failure|error|skip|xfail|uxsuccess): (\S+)')
CREDENTIALS = 'Acquired dynamic creds'
# oslo.log's context in nova's lines: "[global_request_id request_id user
# project ...]"; the request id is that of the API call the work serves,
# carried over RPC to the conductor, the scheduler and the computes.
NOVA_LOG_LINE = re.compile(
    r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \d+ \S+ \S+ '
    r'\[\S+ (req-[0-9a-f-]{36}) [^\]]*\] (.*)$')
# nova-api's request log line, written as the call returns.
API_CALL_TIME = re.compile(r' time: (\d+\.\d+)$')


@dataclasses.dataclass
class Line:
    when: float   # seconds since the epoch
    pid: int
    message: str  # with its continuation lines


@dataclasses.dataclass
class Wait:
    what: str
    start: float
    end: float

    @property
    def seconds(self):
        return self.end - self.start

    @property
    def server(self):
        found = SERVER_ID.search(self.what)
        return found.group(1) if found else None


@dataclasses.dataclass
class Span:
    """One instance action of nova, from its start to its last event.

    ``events``: each event's (name, seconds), in the order they began.
    """
    action: str
    start: float
    end: float
    events: list

    @property
    def seconds(self):
        return self.end - self.start


def local_time(text):
    """Epoch seconds of a naive local time, as tempest's log writes it."""
    return datetime.datetime.strptime(
        text, '%Y-%m-%d %H:%M:%S.%f').astimezone().timestamp()


def utc_time(text):
    """Epoch seconds of a naive UTC time, as nova and subunit write it."""
    text = text.rstrip('Z').replace('T', ' ')
    if '.' not in text:
        text += '.0'
    return datetime.datetime.strptime(text, '%Y-%m-%d %H:%M:%S.%f').replace(
        tzinfo=datetime.timezone.utc).timestamp()


def read_log(text, since=0.0):
    """tempest's log lines stamped at or after ``since``.

    A line without a stamp continues the one before it.
    """
    lines = []
    for raw in text.splitlines():
        found = LOG_LINE.match(raw)
        if found:
            lines.append(Line(local_time(found.group(1)),
                              int(found.group(2)), found.group(3)))
        elif lines:
            lines[-1].message += '\n' + raw
    return [line for line in lines if line.when >= since]


def read_subunit(text):
    """{test id: (start, end, outcome)} from a subunit (v1) stream."""
    now, started, tests = None, {}, {}
    for raw in text.splitlines():
        for pattern in (SUBUNIT_TIME, SUBUNIT_TEST, SUBUNIT_END):
            found = pattern.match(raw)
            if found:
                break
        else:
            continue
        if pattern is SUBUNIT_TIME:
            now = utc_time(found.group(1))
        elif pattern is SUBUNIT_TEST:
            started[found.group(1)] = now
        elif found.group(2) in started:
            tests[found.group(2)] = (started.pop(found.group(2)), now,
                                     found.group(1))
    return tests


def waits(lines):
    """Each wait of the plugin's waiters, from its log lines.

    A wait logs each state it sees with the seconds since it began; the
    same text waited for again starts counting anew.
    """
    found, open_waits = [], {}
    for line in lines:
        match = WAIT_LINE.match(line.message)
        if not match:
            continue
        key = (line.pid, match.group('what'))
        elapsed = float(match.group('elapsed'))
        wait = open_waits.get(key)
        if wait is None or line.when - elapsed > wait.end:
            wait = Wait(match.group('what'), line.when - elapsed, line.when)
            open_waits[key] = wait
            found.append(wait)
        wait.end = line.when
    return found


def nova_requests(texts, since=0.0):
    """{request id: (start, end)} of nova's work, from its services' logs.

    A request's work begins when nova-api received it (its request log
    line less the call's time) and ends at the last line any nova service
    logged for it. Lines stamped before ``since`` are left out.
    """
    requests = {}
    for text in texts:
        for raw in text.splitlines():
            found = NOVA_LOG_LINE.match(raw)
            if not found:
                continue
            when = local_time(found.group(1))
            if when < since:
                continue
            call = API_CALL_TIME.search(found.group(3))
            began = when - float(call.group(1)) if call else when
            first, last = requests.get(found.group(2), (began, when))
            requests[found.group(2)] = (min(first, began), max(last, when))
    return requests


def nova_spans(actions, requests):
    """Spans of nova's instance actions (API dicts with their events).

    Each is timed by its request in ``requests`` (nova_requests); its
    events keep nova's own whole seconds. ValueError for an action whose
    request left no line in nova's logs.
    """
    spans = []
    for action in actions:
        if action['request_id'] not in requests:
            raise ValueError(
                "nova's logs have no line of request %s (the server's %s): "
                "is their level above INFO?"
                % (action['request_id'], action['action']))
        start, end = requests[action['request_id']]
        spans.append(Span(
            action['action'], start, end,
            [(e['event'], utc_time(e['finish_time'])
              - utc_time(e['start_time']))
             for e in sorted(action.get('events') or [],
                             key=lambda e: e['start_time'] or '')
             if e.get('finish_time') and e.get('start_time')]))
    return spans


def span_of(wait, spans):
    """The nova action that the wait watched, or None.

    The one whose span overlaps the wait most (the later one of a tie);
    None where no action overlaps it.
    """
    def overlap(span):
        return min(wait.end, span.end) - max(wait.start, span.start)

    during = [s for s in spans if overlap(s) > 0]
    return max(during, key=lambda s: (overlap(s), s.start)) if during \
        else None


def covered(spans, start, end):
    """Seconds of [start, end] that at least one of ``spans`` covers."""
    total, reached = 0.0, start
    for span in sorted(spans, key=lambda s: s.start):
        begin, finish = max(span.start, reached), min(span.end, end)
        if finish > begin:
            total += finish - begin
            reached = finish
    return total


@dataclasses.dataclass
class Phases:
    """One test's phases in a run, in seconds; ``waits``: (wait, span)."""
    test_id: str
    outcome: str
    start: float          # the run's launch to the class's first request
    credentials: float    # to the class's last dynamic credentials
    class_setup: float    # to the test's start
    test: float           # the test, its cleanups included
    class_cleanup: float  # tearDownClass: its credentials deleted
    end: float            # to the run's exit
    waits: list
    nova_busy: float      # of the test, what nova's spans cover


def test_phases(test_id, launch, exit_, lines, tests, spans_of_server):
    """The phases of ``test_id``, a prefix of its subunit id.

    ValueError, saying what is missing, where they cannot be told.
    ``spans_of_server(server_id)`` gives nova's spans of a server.
    """
    matches = [t for t in tests if t.startswith(test_id)]
    if len(matches) != 1:
        raise ValueError('the run has %d tests whose id starts with %s (%s): '
                         'expected one' % (len(matches), test_id,
                                           ', '.join(sorted(tests))
                                           or 'none'))
    full_id = matches[0]
    test_start, test_end, outcome = tests[full_id]
    klass = full_id.split('[')[0].rsplit('.', 2)[1]
    tagged = [line for line in lines if '(%s:' % klass in line.message]
    if not tagged:
        raise ValueError('tempest\'s log has no request of %s: is its log '
                         'level below INFO?' % klass)
    pid = tagged[0].pid
    worker = [line for line in lines if line.pid == pid]
    setup = [line for line in worker
             if line.when <= test_start and '(%s:' % klass in line.message]
    credentials = [line for line in worker if line.when <= test_start
                   and CREDENTIALS in line.message]
    first = setup[0].when if setup else test_start
    creds_end = credentials[-1].when if credentials else first
    last = max(test_end, worker[-1].when)
    in_test = [w for w in waits(worker)
               if test_start <= w.start and w.end <= test_end]
    spans = {server: spans_of_server(server)
             for server in {w.server for w in in_test} - {None}}
    return Phases(
        full_id, outcome,
        start=first - launch,
        credentials=creds_end - first,
        class_setup=test_start - creds_end,
        test=test_end - test_start,
        class_cleanup=last - test_end,
        end=exit_ - last,
        waits=[(w, span_of(w, spans[w.server]) if w.server else None)
               for w in in_test],
        nova_busy=covered([span for found in spans.values()
                           for span in found], test_start, test_end))


def describe(phases):
    """(label, seconds) rows, the waits under the test."""
    rows = [
        ("tempest's start (processes, discovery, imports)", phases.start),
        ('credentials (dynamic users and projects)', phases.credentials),
        ('class setup (clients, hosts, providers)', phases.class_setup),
        ('the test (%s), its cleanups included' % phases.outcome,
         phases.test),
    ]
    waited = 0.0
    for wait, span in phases.waits:
        waited += wait.seconds
        rows.append(('  wait: %s' % short(wait.what), wait.seconds))
        if span:
            rows.append(('    nova %s: %s' % (span.action, ', '.join(
                '%s %.0f' % (name, seconds)
                for name, seconds in span.events) or 'no event'),
                span.seconds))
    rows.append(('  requests and checks between the waits',
                 phases.test - waited))
    rows.append(("  nova at work on the test's servers (its spans, merged)",
                 phases.nova_busy))
    rows.append(("  overhead above nova's spans (the test less the spans)",
                 phases.test - phases.nova_busy))
    rows.append(('class cleanup (credentials deleted)', phases.class_cleanup))
    rows.append(("tempest's end (results, exit)", phases.end))
    return rows


def short(what):
    """A wait's text without its uuids, which say nothing in a table."""
    return re.sub(r' [0-9a-f]{8}-[0-9a-f-]{27}', '', what)
