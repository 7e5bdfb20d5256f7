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

import datetime
import threading
import time
import types

import fixtures
import requests

from resize_tempest_plugin import clients
from resize_tempest_plugin.tests import base


def fake_conf(**overrides):
    groups = {
        'identity': {'uri_v3': 'https://keystone.example/v3',
                     'region': 'RegionOne',
                     'ca_certificates_file': None,
                     'disable_ssl_certificate_validation': False},
        'compute': {'region': '', 'endpoint_type': 'publicURL'},
        'placement': {'endpoint_type': 'internal'},
    }
    for key, value in overrides.items():
        group, option = key.split('__')
        groups[group][option] = value
    return types.SimpleNamespace(
        **{name: types.SimpleNamespace(**opts)
           for name, opts in groups.items()})


class FakeCredentials(object):
    """Like tempest's KeystoneV3Credentials: unset attributes are None."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)

    def __getattr__(self, name):
        return None


CREDS = FakeCredentials(
    username='tempest-member', password='secret', user_id='u-1',
    user_domain_name='Default', project_name='tempest-project',
    project_id='p-1', project_domain_name='Default')


class TestConnectionKwargs(base.TestCase):

    def test_auth_comes_from_the_credentials_and_uri_v3(self):
        kwargs = clients.connection_kwargs(CREDS, fake_conf())
        self.assertEqual('password', kwargs['auth_type'])
        self.assertEqual({
            'auth_url': 'https://keystone.example/v3',
            'username': 'tempest-member', 'password': 'secret',
            'user_id': 'u-1', 'user_domain_name': 'Default',
            'project_name': 'tempest-project', 'project_id': 'p-1',
            'project_domain_name': 'Default'}, kwargs['auth'])

    def test_endpoint_types_become_interfaces(self):
        kwargs = clients.connection_kwargs(CREDS, fake_conf())
        self.assertEqual('public', kwargs['interface'])
        self.assertEqual('internal', kwargs['placement_interface'])
        kwargs = clients.connection_kwargs(
            CREDS, fake_conf(compute__endpoint_type='adminURL'))
        self.assertEqual('admin', kwargs['interface'])

    def test_region_is_compute_then_identity(self):
        self.assertEqual('RegionOne', clients.connection_kwargs(
            CREDS, fake_conf())['region_name'])
        self.assertEqual('RegionTwo', clients.connection_kwargs(
            CREDS, fake_conf(compute__region='RegionTwo'))['region_name'])
        self.assertNotIn('region_name', clients.connection_kwargs(
            CREDS, fake_conf(identity__region='')))

    def test_tls_settings(self):
        kwargs = clients.connection_kwargs(CREDS, fake_conf())
        self.assertNotIn('verify', kwargs)
        self.assertNotIn('cacert', kwargs)
        kwargs = clients.connection_kwargs(
            CREDS, fake_conf(identity__ca_certificates_file='/etc/ca.pem'))
        self.assertEqual('/etc/ca.pem', kwargs['cacert'])
        insecure = fake_conf(identity__ca_certificates_file='/etc/ca.pem',
                             identity__disable_ssl_certificate_validation=True)
        kwargs = clients.connection_kwargs(CREDS, insecure)
        self.assertIs(False, kwargs['verify'])
        self.assertNotIn('cacert', kwargs)

    def test_connect_builds_a_connection_without_calling_the_cloud(self):
        conn = clients.connect(CREDS, fake_conf())
        self.addCleanup(conn.close)
        config = conn.config.config
        self.assertEqual('https://keystone.example/v3',
                         config['auth']['auth_url'])
        self.assertEqual('tempest-member', config['auth']['username'])
        self.assertEqual('RegionOne', conn.config.get_region_name())
        self.assertEqual('public', conn.config.get_interface('compute'))
        self.assertEqual('internal', conn.config.get_interface('placement'))

    def test_connect_ignores_clouds_yaml_and_environment(self):
        for name, value in (('OS_AUTH_URL', 'http://wrong/v3'),
                            ('OS_REGION_NAME', 'Wrong'),
                            ('OS_CLOUD', 'wrong')):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        conn = clients.connect(CREDS, fake_conf())
        self.addCleanup(conn.close)
        self.assertEqual('https://keystone.example/v3',
                         conn.config.config['auth']['auth_url'])
        self.assertEqual('RegionOne', conn.config.get_region_name())


class TestRequestLog(base.TestCase):
    """Every call lands in tempest.log once, without a secret."""

    def response(self, status, headers):
        request = requests.Request(
            'POST', 'https://keystone.example/v3/auth/tokens',
            headers={'X-Auth-Token': 'token-secret'},
            json={'password': 'password-secret'}).prepare()
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response.request = request
        response.url = request.url
        response.elapsed = datetime.timedelta(seconds=0.25)
        return response

    def test_one_info_line_with_the_request_id_and_no_secret(self):
        logs = self.useFixture(fixtures.FakeLogger(level='INFO'))
        clients.log_response(self.response(
            201, {'x-openstack-request-id': 'req-1',
                  'X-Subject-Token': 'subject-secret'}))
        self.assertEqual(
            'Request (test_one_info_line_with_the_request_id_and_no_secret'
            '): 201 POST https://keystone.example/v3/auth/tokens 0.250s '
            'request id req-1', logs.output.strip().replace(
                'TestRequestLog:', ''))
        for secret in ('token-secret', 'password-secret', 'subject-secret'):
            self.assertNotIn(secret, logs.output)

    def test_nova_s_own_request_id_header(self):
        logs = self.useFixture(fixtures.FakeLogger(level='INFO'))
        clients.log_response(self.response(
            404, {'x-compute-request-id': 'req-nova'}))
        self.assertIn('404 POST', logs.output)
        self.assertIn('request id req-nova', logs.output)

    def test_connect_logs_every_response(self):
        conn = clients.connect(CREDS, fake_conf())
        self.addCleanup(conn.close)
        self.assertIn(clients.log_response,
                      conn.session.session.hooks['response'])

    def test_calls_side_by_side_are_logged_with_the_test_that_made_them(self):
        logs = self.useFixture(fixtures.FakeLogger(level='INFO'))
        clients.side_by_side(
            lambda: clients.log_response(self.response(
                200, {'x-openstack-request-id': 'req-a'})),
            lambda: clients.log_response(self.response(
                200, {'x-openstack-request-id': 'req-b'})))
        lines = logs.output.strip().splitlines()
        self.assertEqual(2, len(lines))
        for line in lines:
            self.assertIn('Request (TestRequestLog:test_calls_side_by_side_'
                          'are_logged_with_the_test_that_made_them)', line)


class TestSideBySide(base.TestCase):

    def test_results_come_in_the_order_of_the_calls(self):
        self.assertEqual([1, 2, 3], clients.side_by_side(
            lambda: 1, lambda: 2, lambda: 3))

    def test_the_calls_run_at_once(self):
        # Each call waits for the other: in turn, they would never end.
        barrier = threading.Barrier(2, timeout=5)
        self.assertEqual([0, 1], sorted(clients.side_by_side(
            barrier.wait, barrier.wait)))

    def test_every_call_ends_before_the_first_error_is_raised(self):
        ended = []

        def slow():
            time.sleep(0.2)
            ended.append('slow')

        def broken(message):
            raise ValueError(message)

        error = self.assertRaises(
            ValueError, clients.side_by_side, lambda: broken('first'),
            slow, lambda: broken('second'))
        self.assertEqual('first', str(error))
        self.assertEqual(['slow'], ended)
