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

"""The few placement calls the scenarios need, over openstacksdk's proxy.

Every call goes through ``conn.placement``'s own methods; they raise
openstacksdk's exceptions, which carry the URL, the status and the request
id. Reads return placement's JSON shapes (see verdicts), so that the
verdicts and their unit tests speak placement's language. The one thing
added here is the retry that a provider's trait update needs when another
writer changes the provider in between.
"""

import time

from openstack import exceptions as sdk_exc
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

#: What placement says in a 500 when a write to a provider races another
#: and asks for a retry: ResourceProviderConcurrentUpdateDetected, and its
#: database's deadlock (MySQL error 1213, "try restarting transaction"),
#: seen with four runs at once.
RETRY_ASKED = ('concurrently updated the resource provider',
               'Deadlock found when trying to get lock')


#: What Apache's mod_proxy_uwsgi answers, now and then, for a response
#: placement did send (uwsgi issue 2368): twice in a devstack run here,
#: each time after placement's 201 to PUT /traits/{name}.
BAD_GATEWAY = 502


class TraitUpdateConflict(Exception):
    """A provider's traits kept changing under every attempt to write."""


def _is_placement_race(exc):
    """True for placement's 500 that asks for a retry.

    openstacksdk's message drops placement's error detail (placement puts
    it in an "errors" list the SDK does not read): read the response body.
    """
    response = getattr(exc, 'response', None)
    return (exc.status_code == 500 and response is not None
            and any(words in response.text for words in RETRY_ASKED))


class Placement(object):
    """Placement reads and trait writes for the scenarios.

    :param proxy: ``conn.placement`` of an admin openstacksdk connection.
    :param attempts: how many times a provider's traits are read and
        written when another writer changes the provider in between (409).
    :param retry_delay: pause between such attempts (seconds).
    :param sleep: the function that pauses, replaceable in unit tests.
    """

    def __init__(self, proxy, attempts=10, retry_delay=0.2,
                 sleep=time.sleep):
        self._proxy = proxy
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._sleep = sleep

    # Reading ---------------------------------------------------------------

    def consumer_allocations(self, consumer):
        """GET /allocations/{consumer}: {'allocations': {rp: {...}}}."""
        allocation = self._proxy.get_allocation(consumer)
        return {'allocations': allocation.allocations or {}}

    def provider_allocations(self, provider):
        """GET /resource_providers/{rp}/allocations, keyed by consumer."""
        return {'allocations': {
            allocation.consumer_id: {'resources': allocation.resources}
            for allocation in self._proxy.resource_provider_allocations(
                provider)}}

    def provider_usages(self, provider):
        """GET /resource_providers/{rp}/usages: {resource class: amount}."""
        return self._proxy.fetch_resource_provider_usages(provider).usages

    def free(self, provider, resource_class):
        """(room left, largest single allocation) of one resource class.

        What placement would still give ``provider``'s consumers, from its
        inventory (total, reserved, allocation_ratio, max_unit) and usage.
        """
        inventory = self._proxy.get_resource_provider_inventory(
            resource_class, provider)
        used = self.provider_usages(provider).get(resource_class, 0)
        return room_left(inventory.total, inventory.reserved,
                         inventory.allocation_ratio, used), inventory.max_unit

    def delete_consumer_allocations(self, consumer):
        """DELETE /allocations/{consumer}, if it holds any.

        A repair, as ``nova-manage placement audit --delete`` makes it: for
        the allocations a bug leaks, so that a test leaves nothing behind.
        """
        self._proxy.delete_allocation(consumer, ignore_missing=True)

    def provider_exists(self, provider):
        """True if GET /resource_providers/{rp} finds the provider."""
        try:
            self._proxy.get_resource_provider(provider)
        except sdk_exc.NotFoundException:
            return False
        return True

    def provider_aggregates(self, provider):
        """The uuids of the aggregates placement puts the provider in."""
        return sorted(self._proxy.get_resource_provider_aggregates(
            provider).aggregates)

    def provider_traits(self, provider):
        """The provider's traits, sorted."""
        return sorted(self._proxy.get_resource_provider_trait(
            provider).traits)

    def providers_named(self, name):
        """The uuids of the providers whose name is exactly ``name``."""
        return [provider.id
                for provider in self._proxy.resource_providers(name=name)]

    # Traits ----------------------------------------------------------------

    def create_trait(self, name):
        """PUT /traits/{name}; a trait already there is not an error."""
        self._idempotent(self._proxy.create_trait, name)
        LOG.info('Created trait %s', name)

    def delete_trait(self, name):
        """DELETE /traits/{name}; a trait already gone is not an error."""
        self._idempotent(self._proxy.delete_trait, name, ignore_missing=True)
        LOG.info('Deleted trait %s', name)

    def _idempotent(self, call, *args, **kwargs):
        """A request that may be sent again, sent again after a 502.

        The 502 is the proxy's in front of placement, which placement
        never answers itself: the request may have been done already, and
        doing it again changes nothing.
        """
        for attempt in range(1, self._attempts + 1):
            try:
                return call(*args, **kwargs)
            except sdk_exc.HttpException as exc:
                if exc.status_code != BAD_GATEWAY or (
                        attempt == self._attempts):
                    raise
                LOG.warning('%s%s: 502 from the proxy (attempt %d of %d): '
                            'sending it again', call.__name__, args,
                            attempt, self._attempts)
                self._sleep(self._retry_delay)

    def add_provider_trait(self, provider, trait):
        """Add ``trait`` to the provider's traits, keeping all the others."""
        self._update_provider_traits(provider, trait, add=True)

    def remove_provider_trait(self, provider, trait):
        """Remove only ``trait`` from the provider; absent is not an error."""
        self._update_provider_traits(provider, trait, add=False)

    def _update_provider_traits(self, provider, trait, add):
        """Read the traits and the generation, write them back, retry on 409.

        Nova's resource tracker and other tests update the same provider:
        placement refuses a write made with a stale generation (409), and
        then the traits are read again (openstacksdk's own retry would send
        the stale generation again). When two writes race inside placement
        itself, it answers 500 with ResourceProviderConcurrentUpdateDetected
        ("Please retry your update"): that is retried the same way.
        """
        for attempt in range(1, self._attempts + 1):
            try:
                current = self._proxy.get_resource_provider_trait(provider)
            except sdk_exc.NotFoundException:
                if add:
                    raise
                return  # the provider is gone, and its traits with it
            traits = set(current.traits)
            wanted = traits | {trait} if add else traits - {trait}
            if wanted == traits:
                return
            try:
                self._proxy.set_resource_provider_trait(
                    current, traits=sorted(wanted),
                    resource_provider_generation=(
                        current.resource_provider_generation))
            except sdk_exc.HttpException as exc:
                if exc.status_code != 409 and not _is_placement_race(exc):
                    raise
                LOG.info('Resource provider %s changed while its traits '
                         'were updated (attempt %d of %d, %d): reading them '
                         'again', provider, attempt, self._attempts,
                         exc.status_code)
                self._sleep(self._retry_delay)
                continue
            LOG.info('%s trait %s on resource provider %s',
                     'Set' if add else 'Removed', trait, provider)
            return
        raise TraitUpdateConflict(
            'The traits of resource provider %s changed under each of %d '
            'attempts to %s %s; expected a write to succeed. Check what '
            'else updates that provider so often.'
            % (provider, self._attempts, 'add' if add else 'remove', trait))


def room_left(total, reserved, allocation_ratio, used):
    """What placement still allocates: (total - reserved) * ratio - used."""
    return int((total - reserved) * allocation_ratio) - used
