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
import types

from openstack import exceptions as sdk_exc

from resize_tempest_plugin import placement
from resize_tempest_plugin.tests import base

RP = '4e8e5957-649f-477b-9e5b-f1f75b21c03c'
CONSUMER = '6f0c5f4e-6d8e-4d7a-9f6b-2c1b6a3e9d01'


def http_error(status, detail):
    """What openstacksdk raises for a placement error: detail in the body."""
    response = types.SimpleNamespace(
        status_code=status, headers={},
        text=json.dumps({'errors': [{'status': status, 'detail': detail}]}))
    cls = {404: sdk_exc.NotFoundException,
           409: sdk_exc.ConflictException}.get(status, sdk_exc.HttpException)
    return cls(message='Client Error', response=response,
               details='Conflict' if status == 409 else 'Error',
               http_status=status)


def provider_traits(names, generation):
    return types.SimpleNamespace(traits=list(names),
                                 resource_provider_generation=generation)


class FakeProxy(object):
    """conn.placement: scripted answers per method, calls recorded.

    An answer that is an exception is raised.
    """

    def __init__(self, **answers):
        self.answers = {name: list(values) for name, values in answers.items()}
        self.calls = []

    def _answer(self, method, *args, **kwargs):
        self.calls.append((method, args, kwargs))
        answer = self.answers[method].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def __getattr__(self, method):
        return lambda *args, **kwargs: self._answer(method, *args, **kwargs)


class TestReads(base.TestCase):

    def test_consumer_allocations_in_placement_json(self):
        allocations = {RP: {'resources': {'VCPU': 1}, 'generation': 3}}
        proxy = FakeProxy(get_allocation=[
            types.SimpleNamespace(allocations=allocations),
            types.SimpleNamespace(allocations=None)])
        client = placement.Placement(proxy)
        self.assertEqual({'allocations': allocations},
                         client.consumer_allocations(CONSUMER))
        self.assertEqual({'allocations': {}},
                         client.consumer_allocations(CONSUMER))
        self.assertEqual(('get_allocation', (CONSUMER,), {}), proxy.calls[0])

    def test_provider_allocations_keyed_by_consumer(self):
        proxy = FakeProxy(resource_provider_allocations=[[
            types.SimpleNamespace(consumer_id=CONSUMER,
                                  resources={'VCPU': 2})]])
        self.assertEqual(
            {'allocations': {CONSUMER: {'resources': {'VCPU': 2}}}},
            placement.Placement(proxy).provider_allocations(RP))

    def test_provider_usages(self):
        proxy = FakeProxy(fetch_resource_provider_usages=[
            types.SimpleNamespace(usages={'VCPU': 3})])
        self.assertEqual({'VCPU': 3},
                         placement.Placement(proxy).provider_usages(RP))

    def test_an_error_is_openstacksdks_own(self):
        proxy = FakeProxy(get_allocation=[http_error(503, 'down')])
        self.assertRaises(sdk_exc.HttpException,
                          placement.Placement(proxy).consumer_allocations,
                          CONSUMER)

    def test_provider_exists(self):
        proxy = FakeProxy(get_resource_provider=[
            types.SimpleNamespace(id=RP), http_error(404, 'no such')])
        client = placement.Placement(proxy)
        self.assertTrue(client.provider_exists(RP))
        self.assertFalse(client.provider_exists(RP))

    def test_providers_named_sends_the_name_as_a_query(self):
        proxy = FakeProxy(resource_providers=[
            [types.SimpleNamespace(id=RP, name='host1')]])
        self.assertEqual([RP],
                         placement.Placement(proxy).providers_named('host1'))
        self.assertEqual({'name': 'host1'}, proxy.calls[0][2])


class TestTraits(base.TestCase):

    def _client(self, reads, writes=()):
        self.proxy = FakeProxy(get_resource_provider_trait=reads,
                               set_resource_provider_trait=list(writes),
                               create_trait=[None], delete_trait=[None])
        self.slept = []
        return placement.Placement(self.proxy, attempts=3,
                                   sleep=self.slept.append)

    def _writes(self):
        return [kwargs for name, args, kwargs in self.proxy.calls
                if name == 'set_resource_provider_trait']

    def test_create_and_delete_trait(self):
        client = self._client([])
        client.create_trait('CUSTOM_A')
        client.delete_trait('CUSTOM_A')
        self.assertEqual(
            [('create_trait', ('CUSTOM_A',), {}),
             ('delete_trait', ('CUSTOM_A',), {'ignore_missing': True})],
            self.proxy.calls)

    def test_a_trait_is_put_again_after_the_proxys_502(self):
        # Seen in devstack runs: placement answered 201, Apache 502.
        client = self._client([])
        self.proxy.answers['create_trait'] = [
            http_error(502, 'Bad Gateway'), None]
        self.proxy.answers['delete_trait'] = [
            http_error(502, 'Bad Gateway'), None]
        client.create_trait('CUSTOM_A')
        client.delete_trait('CUSTOM_A')
        self.assertEqual(['create_trait'] * 2 + ['delete_trait'] * 2,
                         [name for name, _a, _k in self.proxy.calls])
        self.assertEqual([0.2, 0.2], self.slept)

    def test_a_trait_is_not_put_again_after_another_error(self):
        client = self._client([])
        self.proxy.answers['create_trait'] = [http_error(500, 'boom')]
        exc = self.assertRaises(sdk_exc.HttpException, client.create_trait,
                                'CUSTOM_A')
        self.assertEqual(500, exc.status_code)
        self.assertEqual(1, len(self.proxy.calls))

    def test_a_trait_gives_up_after_the_attempts(self):
        client = self._client([])
        self.proxy.answers['create_trait'] = [
            http_error(502, 'Bad Gateway')] * 3
        exc = self.assertRaises(sdk_exc.HttpException, client.create_trait,
                                'CUSTOM_A')
        self.assertEqual(502, exc.status_code)
        self.assertEqual(3, len(self.proxy.calls))

    def test_add_keeps_the_other_traits_and_sends_the_generation(self):
        client = self._client(
            [provider_traits(['COMPUTE_NET', 'CUSTOM_OTHER'], 7)], [None])
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([{'traits': ['COMPUTE_NET', 'CUSTOM_MINE',
                                      'CUSTOM_OTHER'],
                           'resource_provider_generation': 7}],
                         self._writes())

    def test_add_retries_on_a_generation_conflict(self):
        client = self._client(
            [provider_traits(['COMPUTE_NET'], 7),
             provider_traits(['COMPUTE_NET', 'CUSTOM_THEIRS'], 8)],
            [http_error(409, 'generation already changed'), None])
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual(
            {'traits': ['COMPUTE_NET', 'CUSTOM_MINE', 'CUSTOM_THEIRS'],
             'resource_provider_generation': 8}, self._writes()[-1])
        self.assertEqual([0.2], self.slept)

    def test_add_retries_when_placement_races_with_itself(self):
        # Seen on a live cloud with two runs at once: placement answers 500
        # with ResourceProviderConcurrentUpdateDetected, asking for a retry.
        race = http_error(500, 'Another thread concurrently updated the '
                               'resource provider data. Please retry your '
                               'update')
        client = self._client(
            [provider_traits([], 7), provider_traits(['CUSTOM_X'], 8)],
            [race, None])
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual(
            {'traits': ['CUSTOM_MINE', 'CUSTOM_X'],
             'resource_provider_generation': 8}, self._writes()[-1])

    def test_add_retries_when_placement_deadlocks_in_its_database(self):
        # Seen with four runs at once: a 500 carrying the database's
        # deadlock, which asks for the transaction to be restarted.
        deadlock = http_error(
            500, 'Placement API unexpected error: (pymysql.err.'
                 'OperationalError) (1213, \'Deadlock found when trying to '
                 'get lock; try restarting transaction\')')
        client = self._client(
            [provider_traits([], 7), provider_traits([], 7)],
            [deadlock, None])
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual(2, len(self._writes()))

    def test_add_does_not_retry_another_server_error(self):
        client = self._client([provider_traits([], 7)],
                              [http_error(500, 'database is gone')])
        exc = self.assertRaises(sdk_exc.HttpException,
                                client.add_provider_trait, RP, 'CUSTOM_MINE')
        self.assertEqual(500, exc.status_code)
        self.assertEqual(1, len(self._writes()))

    def test_add_gives_up_after_the_attempts(self):
        client = self._client([provider_traits([], 1)] * 3,
                              [http_error(409, 'conflict')] * 3)
        exc = self.assertRaises(placement.TraitUpdateConflict,
                                client.add_provider_trait, RP, 'CUSTOM_MINE')
        self.assertIn('each of 3 attempts to add CUSTOM_MINE', str(exc))
        self.assertEqual(3, len(self._writes()))

    def test_add_of_a_trait_already_set_writes_nothing(self):
        client = self._client([provider_traits(['CUSTOM_MINE'], 3)])
        client.add_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([], self._writes())

    def test_remove_takes_only_its_own_trait(self):
        client = self._client(
            [provider_traits(['COMPUTE_NET', 'CUSTOM_MINE', 'CUSTOM_THEIRS'],
                             4)], [None])
        client.remove_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([{'traits': ['COMPUTE_NET', 'CUSTOM_THEIRS'],
                           'resource_provider_generation': 4}],
                         self._writes())

    def test_remove_from_a_provider_that_is_gone_is_fine(self):
        client = self._client([http_error(404, 'no such provider')])
        client.remove_provider_trait(RP, 'CUSTOM_MINE')
        self.assertEqual([], self._writes())

    def test_add_to_a_provider_that_is_gone_raises(self):
        client = self._client([http_error(404, 'no such provider')])
        self.assertRaises(sdk_exc.NotFoundException,
                          client.add_provider_trait, RP, 'CUSTOM_MINE')
