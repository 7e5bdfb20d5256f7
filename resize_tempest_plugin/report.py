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

"""A report by bug of a tempest run, from its subunit stream.

``resize-fail-report`` prints one table: each test, the bug it guards or
the move it checks (from the shipped include list), its result and the
first sentence of its verdict (a failure's message, a skip's reason). It
also makes a JUnit XML and an HTML page with the subunit ecosystem's own
filters: python-subunit's ``subunit2junitxml`` (with junitxml) and
os-testr's ``subunit2html``, the page OpenStack's CI publishes as
testr_results.html. Nothing here parses or writes those formats itself.

After any ``tempest run``, in its workspace::

    stestr last --subunit > run.subunit
    resize-fail-report run.subunit --junit-xml run.xml --html run.html
"""

import argparse
import os
import re
import subprocess
import sys

import subunit
import testtools

INCLUDE_LIST = os.path.join(os.path.dirname(__file__), 'include-list.txt')
# The filters, each run as ``python -m <module>`` in this interpreter.
JUNIT_FILTER = 'subunit.filter_scripts.subunit2junitxml'
HTML_FILTER = 'os_testr.subunit2html'
# What to install when a filter's package is missing.
FILTER_PACKAGES = {JUNIT_FILTER: 'junitxml', HTML_FILTER: 'os-testr'}
# The results that count as failed (testtools' StreamResult statuses).
FAILED = ('fail', 'uxsuccess')
# The results as the table says them, as subunit-trace does.
RESULTS = {'success': 'passed', 'skip': 'skipped', 'fail': 'FAILED',
           'uxsuccess': 'FAILED', 'xfail': 'expected failure'}
# A test id's tempest attributes, "[id-...,slow]".
ATTRIBUTES = re.compile(r'\[[^\]]*\]$')


def read_include_list(path=INCLUDE_LIST):
    """[(compiled regex, what it guards)] from an include list.

    The format is tempest's (stestr's): one regex a line, a comment after
    '#'; the comment names the bug or the move.
    """
    entries = []
    with open(path) as include_list:
        for line in include_list:
            regex, _sep, comment = line.partition('#')
            if regex.strip():
                entries.append((re.compile(regex.strip()), comment.strip()))
    return entries


def guarded_by(test_id, entries):
    """(index, what it names) of the first include-list entry selecting it.

    A test that no entry selects comes last, naming nothing.
    """
    for index, (regex, guards) in enumerate(entries):
        if regex.search(test_id):
            return index, guards
    return len(entries), ''


def read_results(stream):
    """[(test id, status, details)] from a subunit v2 byte stream.

    ``details`` maps each attachment's name (traceback, reason, ...) to
    its text. The statuses are testtools': success, fail, skip, ...
    """
    results = []

    def collect(test):
        results.append((test['id'], test['status'],
                        {name: content.as_text()
                         for name, content in test['details'].items()}))
    case = subunit.ByteStreamToStreamResult(stream, non_subunit_name='stdout')
    result = testtools.StreamToDict(collect)
    result.startTestRun()
    try:
        case.run(result)
    finally:
        result.stopTestRun()
    return results


def exception_message(traceback):
    """The message of the last exception of a Python traceback."""
    lines = traceback.rstrip().splitlines()
    frames = [i for i, line in enumerate(lines)
              if line.startswith('  File ')]
    start = frames[-1] + 1 if frames else 0
    for i in range(start, len(lines)):
        if lines[i] and not lines[i][0].isspace():
            _name, sep, message = lines[i].partition(': ')
            return '\n'.join([message if sep else lines[i]] + lines[i + 1:])
    return traceback.strip()


def first_sentence(text):
    """The text up to the end of its first sentence (or line)."""
    text = text.strip()
    match = re.search(r'[.!?](?=\s)|\n', text)
    return (text[:match.end()] if match else text).strip()


def verdict(status, details):
    """The first sentence of what the test said: failure or skip."""
    if status in FAILED and details.get('traceback'):
        return first_sentence(exception_message(details['traceback']))
    if status == 'skip' and details.get('reason'):
        return first_sentence(details['reason'])
    return ''


def short_name(test_id):
    """Class.method of a test id, without tempest's attributes."""
    test_id = ATTRIBUTES.sub('', test_id)
    if test_id.endswith(')'):   # a class fixture: "setUpClass (module.Cls)"
        return test_id
    return '.'.join(test_id.split('.')[-2:])


def rows(results, entries):
    """The table's rows: (test, bug or move, result, verdict).

    In the include list's order, so that the tests of one bug are
    together.
    """
    found = sorted(((guarded_by(test_id, entries), test_id, status, details)
                    for test_id, status, details in results),
                   key=lambda row: row[0][0])
    return [(short_name(test_id), guards, RESULTS.get(status, status),
             verdict(status, details))
            for (_index, guards), test_id, status, details in found]


def table(report_rows):
    """The rows as aligned text, a header first."""
    cells = [('test', 'bug or move', 'result', 'verdict')] + list(report_rows)
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    return '\n'.join('  '.join(
        [cell.ljust(widths[i]) for i, cell in enumerate(row[:3])]
        + [row[3]]).rstrip() for row in cells)


def run_filter(module, stream_path, output_path, as_arguments):
    """Run one of the ecosystem's filters on the stream.

    subunit2junitxml reads stdin and writes stdout, and exits 1 when a
    test failed, as subunit's filters do; subunit2html takes both paths
    as arguments. Raises RuntimeError saying what to install when the
    filter fails otherwise (its package missing, say).
    """
    cmd = [sys.executable, '-m', module]
    if as_arguments:
        done = subprocess.run(cmd + [stream_path, output_path],
                              capture_output=True, text=True)
    else:
        with open(stream_path, 'rb') as stream, \
                open(output_path, 'w') as output:
            done = subprocess.run(cmd, stdin=stream, stdout=output,
                                  stderr=subprocess.PIPE, text=True)
    written = os.path.exists(output_path) and os.path.getsize(output_path)
    if done.returncode and (done.stderr.strip() or not written):
        raise RuntimeError(
            '%s failed (exit %d): %s. It needs %s: pip install '
            '"resize-tempest-plugin[report]"' % (
                module, done.returncode, done.stderr.strip()[-300:],
                FILTER_PACKAGES[module]))


def build_parser():
    parser = argparse.ArgumentParser(
        prog='resize-fail-report',
        description='A report by bug of a tempest run of '
                    'resize-tempest-plugin, from its subunit stream '
                    '(stestr last --subunit); exits 1 if a test failed.')
    parser.add_argument('subunit', help='the subunit v2 stream of the run')
    parser.add_argument('--junit-xml', metavar='PATH',
                        help='also write a JUnit XML (subunit2junitxml)')
    parser.add_argument('--html', metavar='PATH',
                        help='also write an HTML page (subunit2html)')
    parser.add_argument('--include-list', metavar='PATH',
                        default=INCLUDE_LIST,
                        help='the include list whose comments name each '
                             "test's bug or move (default: the plugin's)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    with open(args.subunit, 'rb') as stream:
        results = read_results(stream)
    if not results:
        print('error: %s holds no test result: give the subunit v2 stream '
              'of a run (stestr last --subunit, in the tempest workspace)'
              % args.subunit, file=sys.stderr)
        return 2
    report_rows = rows(results, read_include_list(args.include_list))
    print(table(report_rows))
    for module, path, as_arguments in ((JUNIT_FILTER, args.junit_xml, False),
                                       (HTML_FILTER, args.html, True)):
        if path:
            try:
                run_filter(module, args.subunit, path, as_arguments)
            except RuntimeError as exc:
                print('error: %s' % exc, file=sys.stderr)
                return 2
            print('wrote %s' % os.path.abspath(path))
    return 1 if any(row[2] == 'FAILED' for row in report_rows) else 0


if __name__ == '__main__':
    sys.exit(main())
