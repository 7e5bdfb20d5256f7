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

import json

from resize_tempest_plugin import placement
from resize_tempest_plugin.tests import base

RP = '4e8e5957-649f-477b-9e5b-f1f75b21c03c'
TRAITS_URL = '/resource_providers/%s/traits' % RP


class FakeResponse(object):

    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self._body = body
        self.text = json.dumps(body) if body is not None else ''
        self.headers = {'x-openstack-request-id': 'req-%d' % status_code}

    def json(self):
        return self._body


class FakeProxy(object):
    """conn.placement: answers scripted responses, records requests."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests = []

    def request(self, url, method, **kwargs):
        self.requests.append((method, url, kwargs))
        return self.responses.pop(0)


def traits(names, generation):
    return FakeResponse(200, {'traits': names,
                              'resource_provider_generation': generation})


class TestReads(base.TestCase):

    def test_consumer_allocations_sends_the_microversion(self):
        body = {'allocations': {RP: {'resources': {'VCPU': 1}}}}
        proxy = FakeProxy(FakeResponse(200, body))
        self.assertEqual(body, placement.Placement(proxy)
                         .consumer_allocations('c-1'))
        self.assertEqual(
            [('GET', '/allocations/c-1', {'microversion': '1.28'})],
            proxy.requests)

    def test_an_error_status_raises_with_the_request_id(self):
        proxy = FakeProxy(FakeResponse(503, {'error': 'down'}))
        exc = self.assertRaises(
            placement.PlacementError,
            placement.Placement(proxy).provider_usages, RP)
        self.assertEqual(503, exc.status)
        self.assertIn('req-503', str(exc))
        self.assertIn('/resource_providers/%s/usages' % RP, str(exc))

    def test_provider_exists(self):
        proxy = FakeProxy(FakeResponse(200, {'uuid': RP}),
                          FakeResponse(404, {}))
        client = placement.Placement(proxy)
        self.assertTrue(client.provider_exists(RP))
        self.assertFalse(client.provider_exists(RP))

    def test_providers_named_sends_the_name_as_a_query(self):
        proxy = FakeProxy(FakeResponse(
            200, {'resource_providers': [{'uuid': RP, 'name': 'host1'}]}))
        self.assertEqual([{'uuid': RP, 'name': 'host1'}],
                         placement.Placement(proxy).providers_named('host1'))
        self.assertEqual({'name': 'host1'}, proxy.requests[0][2]['params'])


class TestTraits(base.TestCase):

    def _client(self, *responses):
        self.proxy = FakeProxy(*responses)
        self.slept = []
        return placement.Placement(self.proxy, attempts=3,
                                   sleep=self.slept.append)

    def _puts(self):
        return [kwargs['json'] for method, url, kwargs in self.proxy.requests
                if method == 'PUT']

    def test_create_and_delete_trait(self):
        client = self._client(FakeResponse(201), FakeResponse(204),
                              FakeResponse(204), FakeResponse(404))
        client.create_trait('CUSTOM_A')
        client.create_trait('CUSTOM_A')   # already there: fine
        client.delete_trait('CUSTOM_A')
        client.delete_trait('CUSTOM_A')   # already gone: fine
        self.assertEqual(['PUT', 'PUT', 'DELETE', 'DELETE'],
                         [r[0] for r in self.proxy.requests])

    def test_delete_trait_still_in_use_raises(self):
        client = self._client(FakeResponse(409, {'error': 'in use'}))
        self.assertRaises(placement.PlacementError,
                          client.delete_trait, 'CUSTOM_A')

    def test_add_keeps_the_other_traits_and_sends_the_generation(self):
        client = self._client(traits(['COMPUTE_NET', 'CUSTOM_OTHER'], 7),
                              FakeResponse(200, {}))
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([{'traits': ['COMPUTE_NET', 'CUSTOM_MINE',
                                      'CUSTOM_OTHER'],
                           'resource_provider_generation': 7}],
                         self._puts())

    def test_add_retries_on_a_generation_conflict(self):
        client = self._client(traits(['COMPUTE_NET'], 7),
                              FakeResponse(409, {'errors': []}),
                              traits(['COMPUTE_NET', 'CUSTOM_THEIRS'], 8),
                              FakeResponse(200, {}))
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual(
            {'traits': ['COMPUTE_NET', 'CUSTOM_MINE', 'CUSTOM_THEIRS'],
             'resource_provider_generation': 8}, self._puts()[-1])
        self.assertEqual(1, len(self.slept))

    def test_add_retries_when_placement_races_with_itself(self):
        # Seen on a live cloud with two runs at once: placement answers 500
        # with ResourceProviderConcurrentUpdateDetected, asking for a retry.
        race = FakeResponse(500, {'errors': [{
            'status': 500, 'title': 'Internal Server Error',
            'detail': 'Another thread concurrently updated the resource '
                      'provider data. Please retry your update'}]})
        client = self._client(traits([], 7), race, traits(['CUSTOM_X'], 8),
                              FakeResponse(200, {}))
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual(
            {'traits': ['CUSTOM_MINE', 'CUSTOM_X'],
             'resource_provider_generation': 8}, self._puts()[-1])

    def test_add_does_not_retry_another_server_error(self):
        client = self._client(traits([], 7), FakeResponse(500, {'errors': [
            {'status': 500, 'detail': 'database is gone'}]}))
        exc = self.assertRaises(placement.PlacementError,
                                client.add_provider_trait, RP, 'CUSTOM_MINE')
        self.assertEqual(500, exc.status)
        self.assertEqual(1, len(self._puts()))

    def test_add_gives_up_after_the_attempts(self):
        client = self._client(*[traits([], 1), FakeResponse(409, {})] * 3)
        exc = self.assertRaises(placement.PlacementError,
                                client.add_provider_trait, RP, 'CUSTOM_MINE')
        self.assertEqual(409, exc.status)
        self.assertEqual(3, len(self._puts()))

    def test_add_of_a_trait_already_set_writes_nothing(self):
        client = self._client(traits(['CUSTOM_MINE'], 3))
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([], self._puts())

    def test_remove_takes_only_its_own_trait(self):
        client = self._client(
            traits(['COMPUTE_NET', 'CUSTOM_MINE', 'CUSTOM_THEIRS'], 4),
            FakeResponse(200, {}))
        client.remove_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([{'traits': ['COMPUTE_NET', 'CUSTOM_THEIRS'],
                           'resource_provider_generation': 4}], self._puts())

    def test_remove_from_a_provider_that_is_gone_is_fine(self):
        client = self._client(FakeResponse(404, {}))
        client.remove_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([('GET', TRAITS_URL)],
                         [r[:2] for r in self.proxy.requests])

    def test_add_to_a_provider_that_is_gone_raises(self):
        client = self._client(FakeResponse(404, {}))
        self.assertRaises(placement.PlacementError,
                          client.add_provider_trait, RP, 'CUSTOM_MINE')
