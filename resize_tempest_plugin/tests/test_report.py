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

import contextlib
import io
import os
from xml.etree import ElementTree

import fixtures
import subunit

from resize_tempest_plugin import report
from resize_tempest_plugin.tests import base
from resize_tempest_plugin.tests import test_scenario

RESIZE_FAIL = ('resize_tempest_plugin.scenario.test_resize_fail.'
               'ResizeFailOnDestinationTest.test_resize_fail_on_destination_'
               'keeps_new_flavor_allocations[id-11cd1e4c,multinode,slow]')
CANARY = ('resize_tempest_plugin.scenario.test_canary_isolation.'
          'CanaryIsolationTest.test_canary_refuses_ordinary_flavor'
          '[id-44ad04e3,slow]')
BUG_1679750 = ('setUpClass (resize_tempest_plugin.scenario.regressions.'
               'test_bug_1679750.DeleteWhileComputeDownTest)')
TRACEBACK = '''Traceback (most recent call last):
  File "/x/tempest/lib/decorators.py", line 81, in wrapper
    return f(*func_args, **func_kwargs)
  File "/x/resize_tempest_plugin/scenario/base.py", line 300, in check
    raise self.failureException(message)
AssertionError: This is nova bug 1825537 (https://bugs.launchpad.net/nova/\
+bug/1825537): placement gave the allocations back to host1. The evidence:
  server fault: Virtual Interface creation failed
'''


def subunit_stream(*tests):
    """A subunit v2 stream, as tempest writes it: (id, status, details)."""
    out = io.BytesIO()
    writer = subunit.StreamResultToBytes(out)
    for test_id, status, details in tests:
        writer.status(test_id=test_id, test_status='inprogress')
        for name, text in details.items():
            writer.status(test_id=test_id, file_name=name,
                          file_bytes=text.encode(),
                          mime_type='text/plain; charset=utf8')
        writer.status(test_id=test_id, test_status=status)
    return out.getvalue()


FAILED_RUN = subunit_stream(
    (RESIZE_FAIL, 'fail', {'traceback': TRACEBACK}),
    (CANARY, 'skip', {'reason': '[resize_fail] canary_trait is not set: '
                                'the cloud has no canaries. More.'}),
    (BUG_1679750, 'success', {}))


class TestIncludeList(base.TestCase):

    def test_selects_each_scenario_test_and_names_what_it_guards(self):
        entries = report.read_include_list()
        for cls, methods in test_scenario.scenario_tests().items():
            for method in methods:
                test_id = '%s.%s.%s' % (cls.__module__, cls.__name__,
                                        method.__name__)
                matching = [guards for regex, guards in entries
                            if regex.search(test_id)]
                self.assertEqual(1, len(matching), test_id)
                self.assertTrue(matching[0], test_id)

    def test_each_bug_of_the_corpus_is_named(self):
        guards = [g for _regex, g in report.read_include_list()]
        for cls in test_scenario.scenario_tests():
            if '.regressions.test_bug_' in cls.__module__:
                bug = cls.__module__.rsplit('_', 1)[1]
                self.assertIn('bug %s' % bug, ' '.join(guards))


class TestVerdict(base.TestCase):

    def test_a_failure_gives_its_message_first_sentence(self):
        self.assertEqual(
            'This is nova bug 1825537 (https://bugs.launchpad.net/nova/'
            '+bug/1825537): placement gave the allocations back to host1.',
            report.verdict('fail', {'traceback': TRACEBACK}))

    def test_a_chained_exception_gives_the_last_one(self):
        traceback = (TRACEBACK + '\nDuring handling of the above exception, '
                     'another exception occurred:\n\nTraceback (most recent '
                     'call last):\n  File "x.py", line 1, in f\n    g()\n'
                     'tempest.lib.exceptions.TimeoutException: Request '
                     'timed out\nDetails: server x')
        self.assertEqual('Request timed out',
                         report.verdict('fail', {'traceback': traceback}))

    def test_a_skip_gives_its_reason_first_sentence(self):
        self.assertEqual('Not set.', report.verdict(
            'skip', {'reason': 'Not set. Set it in tempest.conf.'}))

    def test_a_pass_says_nothing(self):
        self.assertEqual('', report.verdict('success', {'traceback': 'x'}))


class TestMain(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.stream = os.path.join(self.dir, 'run.subunit')
        with open(self.stream, 'wb') as f:
            f.write(FAILED_RUN)

    def main(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = report.main([self.stream] + list(args))
        return status, out.getvalue()

    def test_the_table_by_bug(self):
        status, out = self.main()
        self.assertEqual(1, status)
        lines = out.splitlines()
        self.assertEqual(['test', 'bug', 'or', 'move', 'result', 'verdict'],
                         lines[0].split())
        # In the include list's order.
        self.assertRegex(lines[1], r"^CanaryIsolationTest\.\S+ +the "
                                   r"canaries' isolation +skipped +\[resize")
        self.assertRegex(
            lines[2], r'^ResizeFailOnDestinationTest\.test_resize_fail_on_'
                      r'destination_keeps_new_flavor_allocations +bug '
                      r'1825537 \(resize\) +FAILED +This is nova bug 1825537')
        self.assertRegex(lines[3], r'^setUpClass \(\S+\) +bug 1679750 '
                                   r'\(local delete\) +passed$')

    def test_a_run_that_passed_exits_0(self):
        with open(self.stream, 'wb') as f:
            f.write(subunit_stream((RESIZE_FAIL, 'success', {})))
        self.assertEqual(0, self.main()[0])

    def test_junit_xml_and_html_by_the_ecosystem_filters(self):
        xml, html = (os.path.join(self.dir, name)
                     for name in ('run.xml', 'run.html'))
        status, out = self.main('--junit-xml', xml, '--html', html)
        self.assertIn('wrote %s' % xml, out)
        self.assertIn('wrote %s' % html, out)
        suite = ElementTree.parse(xml).getroot()
        self.assertEqual(('3', '1'), (suite.get('tests'),
                                      suite.get('failures')))
        failure = suite.find('testcase/failure')
        self.assertIn('This is nova bug 1825537', failure.text)
        with open(html) as f:
            page = f.read()
        self.assertIn('This is nova bug 1825537', page)
        self.assertIn('test_canary_refuses_ordinary_flavor', page)

    def test_a_stream_without_results_is_refused(self):
        with open(self.stream, 'wb') as f:
            f.write(b'not subunit\n')
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(2, self.main()[0])
        self.assertIn('holds no test result', err.getvalue())
