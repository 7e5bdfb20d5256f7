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

"""The canaries' isolation and the leftovers check, on a stand-in SDK.

What the calls do on a real cloud is proven live (prove); here, which
calls each step makes and what the check reports.
"""

import types
from unittest import mock

from openstack import exceptions

from localcloud import configs
from localcloud import provision
from localcloud.tests import base

TRAIT = 'CUSTOM_CANARY'
AGGREGATE = 'canaries'
HOSTS = ['host1', 'host2']
ISOLATING = {'trait:%s' % TRAIT: 'required'}


def thing(**fields):
    return types.SimpleNamespace(**fields)


def clean_cloud():
    """An SDK stand-in for the cloud as ``up`` leaves it."""
    conn = mock.Mock()
    conn.compute.servers.return_value = []
    conn.compute.flavors.return_value = [thing(name=name, id=name)
                                         for name in provision.FLAVORS]
    conn.image.images.return_value = [thing(name=provision.IMAGE_NAME,
                                            id='i-1')]
    conn.compute.services.return_value = [
        thing(host=host, status='enabled', is_forced_down=False)
        for host in HOSTS]
    conn.compute.aggregates.return_value = [
        thing(name=AGGREGATE, id=1, hosts=list(HOSTS), metadata=ISOLATING)]
    conn.compute.migrations.return_value = []
    conn.placement.traits.return_value = [thing(name=TRAIT)]
    conn.placement.resource_providers.return_value = [thing(name=host)
                                                      for host in HOSTS]
    conn.placement.resource_provider_allocations.return_value = []
    conn.placement.get_resource_provider_trait.return_value = thing(
        traits=['COMPUTE_NODE', TRAIT])
    accounts = [name for name, _role in configs.TEST_ACCOUNTS]
    conn.identity.projects.return_value = [
        thing(name=name, id='p-' + name)
        for name in ['admin', 'service'] + accounts]
    conn.identity.users.return_value = [
        thing(name=name, id='u-' + name)
        for name in ['admin'] + list(configs.SERVICE_USERS) + accounts]
    # Each account's project: its own user's role only.
    conn.identity.role_assignments.side_effect = (
        lambda scope_project_id: [thing(user={'id': 'u-' + scope_project_id[
            len('p-'):]})])
    return conn


def leftovers(conn):
    return provision.leftovers(conn, HOSTS, AGGREGATE, TRAIT)


class LeftoversTest(base.TestCase):

    def test_a_clean_cloud_keeps_its_canaries_and_accounts(self):
        self.assertEqual([], leftovers(clean_cloud()))

    def test_another_aggregate_and_a_canary_taken_out(self):
        conn = clean_cloud()
        conn.compute.aggregates.return_value = [
            thing(name=AGGREGATE, id=1, hosts=['host1'], metadata={}),
            thing(name='test-agg', id=2, hosts=[], metadata={})]
        self.assertEqual(['canary host2 out of host aggregate canaries',
                          'host aggregate canaries with metadata {}',
                          'host aggregate test-agg (2)'], leftovers(conn))

    def test_other_custom_traits_count(self):
        conn = clean_cloud()
        conn.placement.traits.return_value = [thing(name=TRAIT),
                                              thing(name='CUSTOM_X')]
        conn.placement.get_resource_provider_trait.return_value = thing(
            traits=[TRAIT, 'CUSTOM_X'])
        self.assertEqual(['trait CUSTOM_X', 'trait CUSTOM_X on host1',
                          'trait CUSTOM_X on host2'], leftovers(conn))

    def test_allocations_say_who_owns_them_as_nova_audit_does(self):
        conn = clean_cloud()
        conn.placement.resource_provider_allocations.side_effect = (
            lambda rp: [thing(consumer_id=c)
                        for c in {'host1': ['s-1', 'm-1', 'gone'],
                                  'host2': []}[rp.name]])
        conn.compute.servers.side_effect = lambda all_projects, **kw: (
            [thing(name='vm', id='s-1', status='ACTIVE')]
            if kw.get('compute_host') in (None, 'host1') else [])
        conn.compute.migrations.return_value = [
            thing(id='m-1', status='post-migrating'),
            thing(id='gone', status='error')]
        found = leftovers(conn)
        self.assertIn('allocation of s-1 on host1, owned by server vm on '
                      'host1', found)
        self.assertIn('allocation of m-1 on host1, owned by migration m-1 '
                      '(post-migrating)', found)
        # An ended migration owns nothing, as in nova's audit.
        self.assertIn('allocation of gone on host1, %s' % provision.ORPHANED,
                      found)
        conn.compute.migrations.assert_called_once_with(host='host1')

    def test_an_accounts_project_with_another_member(self):
        conn = clean_cloud()
        account = configs.TEST_ACCOUNTS[0][0]
        own = conn.identity.role_assignments.side_effect
        conn.identity.role_assignments.side_effect = (
            lambda scope_project_id: own(scope_project_id) + (
                [thing(user={'id': 'u-tempest'})]
                if scope_project_id == 'p-' + account else []))
        self.assertEqual(['role assignment in project %s of user u-tempest'
                          % account], leftovers(conn))

    def test_a_compute_left_disabled(self):
        conn = clean_cloud()
        conn.compute.services.return_value = [
            thing(host='host1', status='disabled', is_forced_down=True)]
        self.assertEqual(['compute service on host1 disabled and forced '
                          'down'], leftovers(conn))


class IsolateCanariesTest(base.TestCase):

    def test_a_new_cloud_gets_trait_aggregate_hosts_and_enabled_computes(
            self):
        conn = mock.Mock()
        conn.placement.get_resource_provider_trait.return_value = thing(
            traits=['COMPUTE_NODE'], resource_provider_generation=3)
        conn.compute.find_aggregate.return_value = None
        made = thing(metadata=None, hosts=[])
        conn.compute.create_aggregate.return_value = made
        with_metadata = thing(metadata=ISOLATING, hosts=[])
        conn.compute.set_aggregate_metadata.return_value = with_metadata
        conn.compute.add_host_to_aggregate.side_effect = (
            lambda aggregate, host: thing(metadata=ISOLATING,
                                          hosts=aggregate.hosts + [host]))
        disabled = [thing(host=host, status='disabled') for host in HOSTS]
        conn.compute.services.return_value = disabled + [
            thing(host='real-compute', status='disabled')]

        provision.isolate_canaries(conn, HOSTS, AGGREGATE, TRAIT)

        conn.placement.create_trait.assert_called_once_with(TRAIT)
        self.assertEqual(2, conn.placement.set_resource_provider_trait.
                         call_count)
        conn.placement.set_resource_provider_trait.assert_called_with(
            mock.ANY, traits=['COMPUTE_NODE', TRAIT],
            resource_provider_generation=3)
        conn.compute.create_aggregate.assert_called_once_with(name=AGGREGATE)
        conn.compute.set_aggregate_metadata.assert_called_once_with(
            made, ISOLATING)
        self.assertEqual([mock.call(with_metadata, 'host1'),
                          mock.call(mock.ANY, 'host2')],
                         conn.compute.add_host_to_aggregate.call_args_list)
        # Only the canaries are enabled, once they are isolated.
        self.assertEqual([mock.call(s) for s in disabled],
                         conn.compute.enable_service.call_args_list)

    def test_an_isolated_cloud_is_left_as_it_is(self):
        conn = mock.Mock()
        conn.placement.get_resource_provider_trait.return_value = thing(
            traits=[TRAIT])
        conn.compute.find_aggregate.return_value = thing(
            metadata=ISOLATING, hosts=list(HOSTS))
        conn.compute.services.return_value = [
            thing(host=host, status='enabled') for host in HOSTS]
        provision.isolate_canaries(conn, HOSTS, AGGREGATE, TRAIT)
        conn.placement.set_resource_provider_trait.assert_not_called()
        conn.compute.set_aggregate_metadata.assert_not_called()
        conn.compute.add_host_to_aggregate.assert_not_called()
        conn.compute.enable_service.assert_not_called()

    def test_a_trait_write_that_races_the_compute_is_retried(self):
        conn = mock.Mock()
        conn.placement.get_resource_provider_trait.side_effect = [
            thing(traits=[], resource_provider_generation=1),
            thing(traits=['HW_CPU_X86_AVX'], resource_provider_generation=2)]
        conn.placement.set_resource_provider_trait.side_effect = [
            exceptions.ConflictException('generation'), None]
        provision._add_provider_trait(conn, 'host1', TRAIT)
        conn.placement.set_resource_provider_trait.assert_called_with(
            mock.ANY, traits=[TRAIT, 'HW_CPU_X86_AVX'],
            resource_provider_generation=2)

    def test_a_trait_write_that_always_races_says_so(self):
        conn = mock.Mock()
        conn.placement.get_resource_provider_trait.return_value = thing(
            traits=[], resource_provider_generation=1)
        conn.placement.set_resource_provider_trait.side_effect = (
            exceptions.ConflictException('generation'))
        exc = self.assertRaises(RuntimeError, provision._add_provider_trait,
                                conn, 'host1', TRAIT, attempts=3)
        self.assertIn('changed under each of 3 attempts to add %s' % TRAIT,
                      str(exc))


class TestAccountsTest(base.TestCase):

    def test_each_account_a_user_with_one_role_in_its_own_project(self):
        conn = mock.Mock()
        conn.identity.find_project.return_value = None
        conn.identity.find_user.return_value = None
        secrets = {name: 'pw-' + name for name, _r in configs.TEST_ACCOUNTS}
        provision.test_accounts(conn, secrets)
        self.assertEqual(
            [mock.call(name=name, password='pw-' + name,
                       domain_id='default',
                       default_project_id=conn.identity.create_project().id)
             for name, _role in configs.TEST_ACCOUNTS],
            conn.identity.create_user.call_args_list)
        self.assertEqual(
            [mock.call(role) for _name, role in configs.TEST_ACCOUNTS],
            conn.identity.find_role.call_args_list)
        self.assertEqual(len(configs.TEST_ACCOUNTS), conn.identity.
                         assign_project_role_to_user.call_count)
