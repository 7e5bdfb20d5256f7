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

"""Where a test's seconds go, read from tempest's log, subunit and nova."""

from localcloud.tests import base
from localcloud.tools import phases

SERVER = '5e1f9c3a-0d4b-4a8e-9f61-2b7c8d9e0f1a'
CLASS = 'ResizeFailOnDestinationTest'
TEST_ID = ('resize_tempest_plugin.scenario.test_resize_fail.%s.'
           'test_resize_fail_on_destination[compute,id-1]' % CLASS)
REQUEST = ('tempest.lib.common.rest_client [req-1 req-1 ] Request (%s:%s): '
           '201 POST http://127.0.0.1:25000/v3/users 0.1s')
WAITERS = 'resize_tempest_plugin.waiters [-] Waiting for '
# One worker (pid 7) and the process that lists the tests (pid 5).
LOG = '\n'.join([
    '2026-12-01 20:00:00.500 5 INFO tempest [-] Using tempest config file',
    '2026-12-01 20:00:03.000 7 INFO ' + REQUEST % (CLASS, 'setUpClass'),
    '2026-12-01 20:00:04.000 7 INFO tempest.lib.common.dynamic_creds [-] '
    'Acquired dynamic creds:',
    " credentials: {'username': 'tempest-%s-1-project-member'}" % CLASS,
    '2026-12-01 20:00:05.000 7 INFO tempest.lib.common.dynamic_creds [-] '
    'Acquired dynamic creds:',
    '2026-12-01 20:00:08.000 7 INFO ' + WAITERS + 'server %s to become '
    'ACTIVE: status=BUILD after 0.5 s' % SERVER,
    '2026-12-01 20:00:10.500 7 INFO ' + WAITERS + 'server %s to become '
    'ACTIVE: status=ACTIVE after 3.0 s' % SERVER,
    '2026-12-01 20:00:11.000 7 INFO ' + WAITERS + 'the resize of server %s '
    'to reach error: pre-migrating after 0.2 s' % SERVER,
    '2026-12-01 20:00:15.800 7 INFO ' + WAITERS + 'the resize of server %s '
    'to reach error: error after 5.0 s' % SERVER,
    # The same wait again, in the cleanup: a wait of its own.
    '2026-12-01 20:00:16.000 7 INFO ' + WAITERS + 'server %s to become '
    'ACTIVE: status=ACTIVE after 0.1 s' % SERVER,
    '2026-12-01 20:00:19.000 7 INFO ' + REQUEST % (CLASS, 'tearDownClass'),
    '2026-12-01 20:00:20.000 7 INFO tempest.lib.common.dynamic_creds [-] '
    'Deleting project and security group for project: p1',
])
SUBUNIT = '\n'.join([
    'time: 2026-12-01 20:00:06.000000Z',
    'tags: worker-0',
    'test: ' + TEST_ID,
    'time: 2026-12-01 20:00:17.000000Z',
    'successful: ' + TEST_ID + ' [ multipart',
    ']',
])
CREATE = 'req-0c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f'
RESIZE = 'req-9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c'
CONTEXT = '[None %s u1 p1 - - default default] '
NOVA_API_LOG = '\n'.join([
    # Before the run: left out.
    '2026-12-01 19:59:00.000 3 INFO nova.api.openstack.requestlog '
    + CONTEXT % RESIZE + '"POST /v2.1/servers" status: 202 time: 0.1',
    '2026-12-01 20:00:07.300 3 INFO nova.api.openstack.requestlog '
    + CONTEXT % CREATE + '127.0.0.1 "POST /v2.1/servers" status: 202 '
    'len: 372 microversion: 2.100 time: 0.300000',
    '2026-12-01 20:00:10.500 3 INFO nova.api.openstack.requestlog '
    + CONTEXT % RESIZE + '127.0.0.1 "POST /v2.1/servers/%s/action" '
    'status: 202 len: 0 microversion: 2.100 time: 0.500000' % SERVER,
    '2026-12-01 20:00:11.000 3 INFO nova.api.openstack.requestlog '
    '[-] a line of no request',
])
NOVA_COMPUTE_LOG = '\n'.join([
    '2026-12-01 20:00:10.000 4 INFO nova.compute.manager '
    + CONTEXT % CREATE + '[instance: %s] Took 2.50 seconds to build '
    'instance.' % SERVER,
    '2026-12-01 20:00:15.000 4 ERROR oslo_messaging.rpc.server '
    + CONTEXT % RESIZE + 'Exception during message handling',
    'Traceback (most recent call last):',
])
ACTIONS = [
    {'action': 'resize', 'request_id': RESIZE,
     'start_time': '2026-12-01T20:00:10.000000',
     'events': [
         {'event': 'compute_finish_resize', 'result': 'Error',
          'start_time': '2026-12-01T20:00:14.000000',
          'finish_time': '2026-12-01T20:00:15.000000'},
         {'event': 'conductor_migrate_server', 'result': 'Success',
          'start_time': '2026-12-01T20:00:10.000000',
          'finish_time': '2026-12-01T20:00:12.000000'}]},
    {'action': 'create', 'request_id': CREATE,
     'start_time': '2026-12-01T20:00:07.000000',
     'events': [
         {'event': 'compute__do_build_and_run_instance',
          'result': 'Success',
          'start_time': '2026-12-01T20:00:08.000000',
          'finish_time': '2026-12-01T20:00:10.000000'}]},
]


def at(clock):
    """Epoch seconds of 2026-12-01 ``clock`` in local time, as the log."""
    return phases.local_time('2026-12-01 ' + clock)


class PhasesTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.lines = phases.read_log(LOG)
        self.tests = phases.read_subunit(SUBUNIT)
        self.requests = phases.nova_requests(
            [NOVA_API_LOG, NOVA_COMPUTE_LOG], since=at('20:00:00.000'))

    def phases(self, test_id=TEST_ID[:40]):
        return phases.test_phases(
            test_id, at('20:00:00.000'), at('20:00:21.000'), self.lines,
            self.tests, lambda server: phases.nova_spans(
                ACTIONS if server == SERVER else [], self.requests))

    def test_a_line_without_a_stamp_continues_the_one_before(self):
        self.assertEqual(11, len(self.lines))
        self.assertIn('tempest-%s-1-project-member' % CLASS,
                      self.lines[2].message)

    def test_lines_before_since_are_left_out(self):
        self.assertEqual(2, len(phases.read_log(LOG, since=at(
            '20:00:18.000'))))

    def test_subunit_gives_each_test_its_start_end_and_outcome(self):
        self.assertEqual({TEST_ID: (phases.utc_time('2026-12-01 20:00:06'),
                                    phases.utc_time('2026-12-01 20:00:17'),
                                    'successful')}, self.tests)

    def test_waits_begin_where_their_first_poll_says(self):
        found = [(w.what.split(' ')[0], w.start, w.end)
                 for w in phases.waits(self.lines)]
        self.assertEqual([
            ('server', at('20:00:07.500'), at('20:00:10.500')),
            ('the', at('20:00:10.800'), at('20:00:15.800')),
            ('server', at('20:00:15.900'), at('20:00:16.000'))], found)

    def test_the_phases_add_up_to_the_run(self):
        found = self.phases()
        self.assertEqual('successful', found.outcome)
        self.assertAlmostEqual(3.0, found.start)
        self.assertAlmostEqual(2.0, found.credentials)
        self.assertAlmostEqual(1.0, found.class_setup)
        self.assertAlmostEqual(11.0, found.test)
        self.assertAlmostEqual(3.0, found.class_cleanup)
        self.assertAlmostEqual(1.0, found.end)
        self.assertAlmostEqual(21.0, sum((
            found.start, found.credentials, found.class_setup, found.test,
            found.class_cleanup, found.end)))

    def test_each_wait_is_set_against_the_action_it_watched(self):
        found = [(w.seconds, span and span.action, span and span.seconds)
                 for w, span in self.phases().waits]
        self.assertEqual(3, len(found))
        self.assertAlmostEqual(3.0, found[0][0])
        self.assertEqual(('create', 3.0), found[0][1:])
        self.assertAlmostEqual(5.0, found[1][0])
        self.assertEqual(('resize', 5.0), found[1][1:])
        # After nova's last line: set against nothing.
        self.assertEqual((None, None), found[2][1:])

    def test_a_request_runs_from_its_api_call_to_its_last_line(self):
        # The create's call took 0.3 s of the 07.300 line; the resize's
        # line of 19:59 is before the run.
        self.assertEqual({CREATE: (at('20:00:07.000'), at('20:00:10.000')),
                          RESIZE: (at('20:00:10.000'), at('20:00:15.000'))},
                         self.requests)

    def test_an_action_missing_from_nova_logs_cannot_be_timed(self):
        error = self.assertRaises(ValueError, phases.nova_spans, ACTIONS,
                                  {CREATE: self.requests[CREATE]})
        self.assertIn("nova's logs have no line of request %s (the "
                      "server's resize)" % RESIZE, str(error))

    def test_events_are_listed_in_the_order_they_began(self):
        resize = phases.nova_spans(ACTIONS, self.requests)[0]
        self.assertEqual([('conductor_migrate_server', 2.0),
                          ('compute_finish_resize', 1.0)], resize.events)

    def test_spans_that_overlap_are_counted_once_within_the_window(self):
        spans = [phases.Span('a', 1.0, 4.0, []),
                 phases.Span('b', 3.0, 6.0, []),
                 phases.Span('c', 8.0, 12.0, [])]
        self.assertAlmostEqual(5.0 + 2.0, phases.covered(spans, 0.0, 10.0))

    def test_describe_names_each_phase_and_what_is_between_the_waits(self):
        rows = dict(phases.describe(self.phases()))
        self.assertAlmostEqual(11.0 - 3.0 - 5.0 - 0.1, rows[
            '  requests and checks between the waits'], places=3)
        # The test's 11 s less nova's create (3 s) and resize (5 s).
        self.assertAlmostEqual(8.0, rows[
            "  nova at work on the test's servers (its spans, merged)"])
        self.assertAlmostEqual(3.0, rows[
            "  overhead above nova's spans (the test less the spans)"],
            places=3)
        self.assertIn('    nova resize: conductor_migrate_server 2, '
                      'compute_finish_resize 1', rows)
        self.assertIn('  wait: the resize of server to reach error', rows)

    def test_a_test_not_in_the_run_says_which_ran(self):
        error = self.assertRaises(ValueError, self.phases, 'nothing.like.it')
        self.assertIn('the run has 0 tests whose id starts with '
                      'nothing.like.it (%s): expected one' % TEST_ID,
                      str(error))
