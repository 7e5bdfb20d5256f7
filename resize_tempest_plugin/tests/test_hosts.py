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

import types

from tempest.lib import exceptions as lib_exc

from resize_tempest_plugin import hosts
from resize_tempest_plugin.tests import base

HOSTS = {'source_host': 'host1', 'destination_host': 'host2'}
NODE1 = '0c9a5f52-3b5c-4bd8-a1b2-7a7f4f9f0a01'
NODE2 = '0c9a5f52-3b5c-4bd8-a1b2-7a7f4f9f0a02'


def service(host, status='enabled', state='up', binary='nova-compute'):
    return types.SimpleNamespace(host=host, status=status, state=state,
                                 binary=binary)


def hypervisor(node_id, name, host):
    return types.SimpleNamespace(id=node_id, name=name,
                                 service_details={'host': host, 'id': 'x'})


class FakePlacement(object):

    def __init__(self, known=(), by_name=None):
        self.known = set(known)
        self.by_name = by_name or {}

    def provider_exists(self, uuid):
        return uuid in self.known

    def providers_named(self, name):
        return self.by_name.get(name, [])


class TestCheckComputeHosts(base.TestCase):

    def test_two_enabled_up_computes_pass(self):
        self.assertIsNone(hosts.check_compute_hosts(
            [service('host1'), service('host2'),
             service('host1', binary='nova-conductor')], HOSTS))

    def _message(self, services):
        return str(self.assertRaises(lib_exc.InvalidConfiguration,
                                     hosts.check_compute_hosts, services,
                                     HOSTS))

    def test_unknown_host_names_the_option_and_lists_the_computes(self):
        message = self._message([service('host1'), service('compute-b')])
        self.assertIn("[resize_fail] destination_host is 'host2'", message)
        self.assertIn('nova has no nova-compute service on that host',
                      message)
        self.assertIn('compute-b (enabled, up), host1 (enabled, up)',
                      message)

    def test_disabled_compute(self):
        message = self._message([service('host1', status='disabled'),
                                 service('host2')])
        self.assertIn("source_host is 'host1'", message)
        self.assertIn('service is disabled', message)

    def test_down_compute(self):
        message = self._message([service('host1'),
                                 service('host2', state='down')])
        self.assertIn('service is down', message)

    def test_a_conductor_is_not_a_compute(self):
        message = self._message([service('host1'),
                                 service('host2', binary='nova-conductor')])
        self.assertIn("destination_host is 'host2'", message)

    def test_describe_no_services(self):
        self.assertEqual('none', hosts.describe_services([]))


class TestProviderForHost(base.TestCase):

    HYPERVISORS = [hypervisor(NODE1, 'node1', 'host1'),
                   hypervisor(NODE2, 'node2', 'host2')]

    def test_node_uuid_is_the_provider(self):
        self.assertEqual(NODE2, hosts.provider_for_host(
            self.HYPERVISORS, 'host2', 'destination_host',
            FakePlacement(known=[NODE1, NODE2])))

    def test_falls_back_to_the_provider_named_like_the_node(self):
        hypervisors = [hypervisor(7, 'node1', 'host1')]
        self.assertEqual('rp-1', hosts.provider_for_host(
            hypervisors, 'host1', 'source_host',
            FakePlacement(by_name={'node1': ['rp-1']})))

    def test_no_node_on_the_host(self):
        exc = self.assertRaises(
            lib_exc.InvalidConfiguration, hosts.provider_for_host,
            self.HYPERVISORS, 'host3', 'destination_host', FakePlacement())
        self.assertIn('which has 0 compute nodes', str(exc))
        self.assertIn('node1 on host1, node2 on host2', str(exc))

    def test_several_nodes_on_the_host(self):
        hypervisors = self.HYPERVISORS + [hypervisor('n3', 'node3', 'host2')]
        exc = self.assertRaises(
            lib_exc.InvalidConfiguration, hosts.provider_for_host,
            hypervisors, 'host2', 'destination_host', FakePlacement())
        self.assertIn('which has 2 compute nodes', str(exc))

    def test_no_provider_in_placement(self):
        exc = self.assertRaises(
            lib_exc.InvalidConfiguration, hosts.provider_for_host,
            self.HYPERVISORS, 'host1', 'source_host', FakePlacement())
        self.assertIn('placement has 0 resource providers', str(exc))
