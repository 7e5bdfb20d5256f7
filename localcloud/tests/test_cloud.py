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

"""The verbs' helpers: health probes, tails, secrets, records, main()."""

import argparse
import http.server
import os
import socket
import threading
from unittest import mock

import fixtures

from localcloud import cloud
from localcloud import errors
from localcloud.tests import base


class _StatusHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET /<status> with that status."""

    def do_GET(self):
        self.send_response(int(self.path.strip('/')))
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


def closed_port():
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ProbeTest(base.TestCase):

    def serve(self, handler=_StatusHandler):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server.server_address[1]

    def test_http_health(self):
        port = self.serve()
        for status, healthy in ((200, True), (300, True), (404, True),
                                (500, False), (503, False)):
            self.assertEqual((healthy, 'HTTP %d' % status),
                             cloud.http_health(port, '/%d' % status))

    def test_http_health_closed_port(self):
        ok, seen = cloud.http_health(closed_port(), '/')
        self.assertFalse(ok)
        self.assertIn('refused', seen.lower())

    def test_http_health_of_a_port_that_does_not_speak_http(self):
        with socket.socket() as listener:
            listener.bind(('127.0.0.1', 0))
            listener.listen()

            def answer():
                conn, _ = listener.accept()
                with conn:
                    conn.sendall(b'SSH-2.0-not-http\r\n')
            threading.Thread(target=answer, daemon=True).start()
            ok, _seen = cloud.http_health(listener.getsockname()[1], '/')
        self.assertFalse(ok)

    def test_port_open(self):
        port = self.serve()
        self.assertTrue(cloud.port_open(port))
        self.assertFalse(cloud.port_open(closed_port()))


class TailTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        os.makedirs(self.paths.logs)
        self.log = self.paths.log('svc')

    def test_missing_file(self):
        self.assertEqual('(no log yet)', cloud.tail(self.log, 5))

    def test_fewer_lines_than_asked(self):
        with open(self.log, 'w') as f:
            f.write('one\ntwo\n')
        self.assertEqual('one\ntwo\n', cloud.tail(self.log, 30))

    def test_last_lines(self):
        with open(self.log, 'w') as f:
            f.write(''.join('line %d\n' % i for i in range(100)) + 'last')
        self.assertEqual('line 98\nline 99\nlast', cloud.tail(self.log, 3))

    def test_undecodable_bytes(self):
        with open(self.log, 'wb') as f:
            f.write(b'\xff\xfe bad\nok\n')
        self.assertEqual('ok\n', cloud.tail(self.log, 1))


class ApiFailureTest(base.TestCase):

    def test_one_short_line_with_the_kind_of_failure(self):
        exc = ConnectionError('Unable to establish connection to '
                              'http://127.0.0.1:25000/v3/auth/tokens:\n'
                              + 'x' * 300)
        line = cloud.api_failure(exc)
        self.assertTrue(line.startswith('ConnectionError: Unable to '))
        self.assertNotIn('\n', line)
        self.assertLessEqual(len(line), len('ConnectionError: ') + 100)

    def test_a_short_message_is_kept_whole(self):
        self.assertEqual('RuntimeError: down',
                         cloud.api_failure(RuntimeError('down')))


class CloudStateTest(base.TestCase):
    """What a Cloud keeps on disk; making one starts nothing."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.cloud = cloud.Cloud(self.paths)

    def test_hosts_come_from_the_shape(self):
        self.assertEqual(base.COMPUTE_HOSTS, self.cloud.compute_hosts)

    def test_secrets_are_made_once_and_private(self):
        secrets = self.cloud.secrets
        self.assertEqual(set(cloud.SECRET_NAMES), set(secrets))
        self.assertEqual(len(secrets), len(set(secrets.values())))
        self.assertEqual(0o600, base.mode(self.paths.secrets))
        self.assertEqual(secrets, cloud.Cloud(self.paths).secrets)

    def test_logged_command_lines_hide_every_secret(self):
        secrets = self.cloud.secrets
        line = ' '.join('--%s=%s' % item for item in secrets.items())
        redacted = self.cloud.redact(line)
        for name, secret in secrets.items():
            self.assertNotIn(secret, redacted)
            self.assertIn('--%s=***' % name, redacted)

    def test_record_fields_are_merged(self):
        self.assertEqual({}, self.cloud.load_record())
        self.cloud.save_record(ready=False, nova_conf=['DEFAULT:a=b'])
        self.cloud.save_record(ready=True)
        self.assertEqual({'ready': True, 'nova_conf': ['DEFAULT:a=b']},
                         self.cloud.load_record())
        self.assertEqual(0o600, base.mode(self.paths.cloud_record))

    def test_write_configs(self):
        paste = os.path.join(self.paths.venv, 'etc', 'nova', 'api-paste.ini')
        os.makedirs(os.path.dirname(paste))
        with open(paste, 'w') as f:
            f.write('[composite:osapi_compute]\n')
        self.cloud.write_configs()
        for host, _driver in base.COMPUTE_HOSTS:
            self.assertTrue(os.path.exists(os.path.join(
                self.paths.etc, 'nova', host + '.conf')))
        written = [os.path.join(top, name)
                   for top, _dirs, names in os.walk(self.paths.state)
                   for name in names]
        self.assertGreater(len(written), 12)
        for path in written:
            if not path.endswith('api-paste.ini'):
                self.assertEqual(0o600, base.mode(path), path)
        for directory in (self.paths.etc, self.paths.logs, self.paths.run):
            self.assertEqual(0o700, base.mode(directory), directory)


class MainTest(base.TestCase):
    """cloud.main() with every verb replaced: no cloud is started."""

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        self.out = self.capture()
        self.verb = mock.Mock(return_value=7)
        self.useFixture(fixtures.MockPatchObject(
            cloud, 'VERBS', {'up': self.verb}))

    def main(self, *nova_conf):
        args = argparse.Namespace(verb='up', nova_conf=list(nova_conf))
        return cloud.main(args, self.paths)

    def test_override_error_is_exit_1_with_a_message(self):
        self.assertEqual(1, self.main('host9:DEFAULT:debug=true'))
        self.verb.assert_not_called()
        message = self.out.getvalue()
        self.assertIn('error: --nova-conf', message)
        self.assertIn("'host9'", message)
        self.assertIn('%s, %s' % base.HOSTS, message)

    def test_overrides_reach_the_verb(self):
        self.assertEqual(7, self.main('DEFAULT:debug=true',
                                      'host2:DEFAULT:compute_driver=x.Y'))
        made = self.verb.call_args[0][0]
        self.assertEqual(['DEFAULT:debug=true',
                          'host2:DEFAULT:compute_driver=x.Y'],
                         [str(o) for o in made.nova_overrides])
        self.assertEqual(self.paths, made.paths)

    def test_cloud_error_is_exit_1_with_a_message(self):
        self.verb.side_effect = errors.CloudError('port 1 is taken')
        self.assertEqual(1, self.main())
        self.assertIn('error: port 1 is taken', self.out.getvalue())
        self.assertFalse(os.path.exists(self.paths.state))
