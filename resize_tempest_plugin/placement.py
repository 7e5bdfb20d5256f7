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

"""The few placement calls the scenario needs, over openstacksdk's proxy.

openstacksdk has no allocations API, so this module sends raw requests
through ``conn.placement`` (a keystoneauth adapter: it never raises on an
HTTP error status) with an explicit microversion, checks every status and
returns the decoded JSON.
"""

import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

#: 1.28: consumer generations in GET /allocations/{consumer}; everything
#: else used here is older. Supported since placement 1.0 (Stein).
MICROVERSION = '1.28'
REQUEST_ID = 'x-openstack-request-id'
#: What placement says (in a 500) when two writes to one provider race
#: inside it: ResourceProviderConcurrentUpdateDetected.
CONCURRENT_UPDATE = 'concurrently updated the resource provider'


class PlacementError(Exception):
    """A placement call answered with an unexpected status."""

    def __init__(self, method, url, status, body, request_id=None):
        self.status = status
        super().__init__(
            'placement %s %s answered %s (request id %s), expected a '
            'success status: %s' % (method, url, status, request_id, body))


class Placement(object):
    """Raw placement calls with status checks.

    :param proxy: ``conn.placement`` of an admin openstacksdk connection.
    :param attempts: how many times a provider's traits are read and
        written when another writer changes the provider in between (409).
    :param sleep: pause between such attempts (seconds) and the function
        that pauses, replaceable in unit tests.
    """

    def __init__(self, proxy, attempts=10, retry_delay=0.2,
                 sleep=time.sleep):
        self._proxy = proxy
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._sleep = sleep

    def _request(self, method, url, ok=(200,), body=None, params=None):
        kwargs = {'microversion': MICROVERSION}
        if body is not None:
            kwargs['json'] = body
        if params is not None:
            kwargs['params'] = params
        resp = self._proxy.request(url, method, **kwargs)
        if resp.status_code not in ok:
            raise PlacementError(method, url, resp.status_code, resp.text,
                                 resp.headers.get(REQUEST_ID))
        return resp

    def _get(self, url):
        return self._request('GET', url).json()

    # Reading ---------------------------------------------------------------

    def consumer_allocations(self, consumer):
        """GET /allocations/{consumer}: {'allocations': {rp: {...}}, ...}."""
        return self._get('/allocations/%s' % consumer)

    def provider_allocations(self, provider):
        """GET /resource_providers/{rp}/allocations, keyed by consumer."""
        return self._get('/resource_providers/%s/allocations' % provider)

    def provider_usages(self, provider):
        """GET /resource_providers/{rp}/usages."""
        return self._get('/resource_providers/%s/usages' % provider)

    def provider_exists(self, provider):
        """True if GET /resource_providers/{rp} finds the provider."""
        resp = self._request('GET', '/resource_providers/%s' % provider,
                             ok=(200, 404))
        return resp.status_code == 200

    def providers_named(self, name):
        """Providers whose name is exactly ``name`` (a list of dicts)."""
        resp = self._request('GET', '/resource_providers',
                             params={'name': name})
        return resp.json()['resource_providers']

    def provider_traits(self, provider):
        """GET /resource_providers/{rp}/traits."""
        return self._get('/resource_providers/%s/traits' % provider)

    # Traits ----------------------------------------------------------------

    def create_trait(self, name):
        """PUT /traits/{name}: 201 created, 204 already there."""
        self._request('PUT', '/traits/%s' % name, ok=(201, 204))
        LOG.info('Created trait %s', name)

    def delete_trait(self, name):
        """DELETE /traits/{name}; a trait already gone is not an error."""
        resp = self._request('DELETE', '/traits/%s' % name, ok=(204, 404))
        LOG.info('Deleted trait %s (%s)', name, resp.status_code)

    def add_provider_trait(self, provider, trait):
        """Add ``trait`` to the provider's traits, keeping all the others."""
        self._update_provider_traits(provider, trait, add=True)

    def remove_provider_trait(self, provider, trait):
        """Remove only ``trait`` from the provider; absent is not an error."""
        self._update_provider_traits(provider, trait, add=False)

    def _update_provider_traits(self, provider, trait, add):
        """Read the traits and the generation, write them back, retry on 409.

        Nova's resource tracker and other copies of this test update the
        same provider: placement refuses a write made with a stale
        generation (409), and then the traits are read again. When two
        writes race inside placement itself, it answers 500 with
        ResourceProviderConcurrentUpdateDetected ("Please retry your
        update"): that is retried the same way.
        """
        url = '/resource_providers/%s/traits' % provider
        for attempt in range(1, self._attempts + 1):
            resp = self._request('GET', url, ok=(200, 404))
            if resp.status_code == 404 and not add:
                return  # the provider is gone, and its traits with it
            if resp.status_code == 404:
                raise PlacementError('GET', url, 404, resp.text)
            current = resp.json()
            traits = set(current['traits'])
            wanted = traits | {trait} if add else traits - {trait}
            if wanted == traits:
                return
            resp = self._request(
                'PUT', url, ok=(200, 409, 500),
                body={'traits': sorted(wanted),
                      'resource_provider_generation':
                          current['resource_provider_generation']})
            if resp.status_code == 500 and (
                    CONCURRENT_UPDATE not in resp.text):
                raise PlacementError('PUT', url, 500, resp.text,
                                     resp.headers.get(REQUEST_ID))
            if resp.status_code == 200:
                LOG.info('%s trait %s on resource provider %s',
                         'Set' if add else 'Removed', trait, provider)
                return
            LOG.info('Resource provider %s changed while its traits were '
                     'updated (attempt %d of %d, %d): reading them again',
                     provider, attempt, self._attempts, resp.status_code)
            self._sleep(self._retry_delay)
        raise PlacementError('PUT', url, 409,
                             'generation conflict %d times in a row'
                             % self._attempts)
