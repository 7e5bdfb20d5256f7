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

"""The configured hosts against what nova and placement report.

A host name in [resize_fail] that nova does not know, or whose compute is
disabled or down, is a configuration error: the functions here raise
InvalidConfiguration with a sentence that says what was expected, what was
seen and which option to fix.
"""

from oslo_utils import uuidutils
from tempest.lib import exceptions as lib_exc

COMPUTE_BINARY = 'nova-compute'
# The newest microversion whose hypervisor details nova-api answers from its
# database: from 2.88 it asks each compute for its uptime, a call over RPC
# per hypervisor (that nova's fake drivers answer with NotImplementedError,
# an error logged on each compute). 2.53 and later give the compute node
# uuid as the hypervisor's id (provider_for_host).
HYPERVISORS_MICROVERSION = '2.87'


def describe_services(services):
    """'host1 (enabled, up), host2 (disabled, down)' for compute services."""
    return ', '.join(
        '%s (%s, %s)' % (service.host, service.status, service.state)
        for service in sorted(services, key=lambda s: s.host or '')
    ) or 'none'


def check_compute_hosts(services, hosts):
    """Check that each configured host runs an enabled, up nova-compute.

    :param services: compute services as nova lists them (objects with
        ``binary``, ``host``, ``status``, ``state``).
    :param hosts: {option name: host name}, for example
        ``{'source_host': 'host1', 'destination_host': 'host2'}``.
    :raises InvalidConfiguration: naming the option to fix.
    """
    computes = [s for s in services if s.binary == COMPUTE_BINARY]
    by_host = {s.host: s for s in computes}
    for option, host in sorted(hosts.items()):
        service = by_host.get(host)
        if service is None:
            problem = 'nova has no %s service on that host' % COMPUTE_BINARY
        elif service.status != 'enabled':
            problem = 'its %s service is %s' % (COMPUTE_BINARY,
                                                service.status)
        elif service.state != 'up':
            problem = 'its %s service is %s' % (COMPUTE_BINARY, service.state)
        else:
            continue
        raise lib_exc.InvalidConfiguration(
            '[resize_fail] %s is %r, but %s. Expected the host name of an '
            'enabled and up %s service; compute services seen: %s. Set '
            '[resize_fail] %s in tempest.conf to one of them, or enable and '
            'start that compute.'
            % (option, host, problem, COMPUTE_BINARY,
               describe_services(computes), option))


def provider_for_host(hypervisors, host, option, placement):
    """The resource provider uuid of the compute node of ``host``.

    From compute microversion 2.53 a hypervisor's id is its compute node
    uuid, which is also its resource provider uuid; otherwise (or if
    placement does not know that uuid) the provider is looked up by the
    hypervisor's host name, which nova uses as the provider's name.

    :param hypervisors: hypervisors listed with details (objects with
        ``id``, ``name`` and ``service_details``).
    :param option: the [resize_fail] option that named ``host``.
    :param placement: a resize_tempest_plugin.placement.Placement.
    :raises InvalidConfiguration: no node, several nodes, or no provider.
    """
    nodes = [h for h in hypervisors
             if (h.service_details or {}).get('host') == host]
    if len(nodes) != 1:
        raise lib_exc.InvalidConfiguration(
            '[resize_fail] %s is %r, which has %d compute nodes; expected '
            'exactly one. Hypervisors seen: %s. Set [resize_fail] %s to a '
            'host with one compute node.'
            % (option, host, len(nodes),
               ', '.join('%s on %s' % (h.name, (h.service_details or {})
                                       .get('host')) for h in hypervisors)
               or 'none', option))
    node = nodes[0]
    if uuidutils.is_uuid_like(node.id) and placement.provider_exists(node.id):
        return node.id
    providers = placement.providers_named(node.name)
    if len(providers) != 1:
        raise lib_exc.InvalidConfiguration(
            '[resize_fail] %s is %r: placement has %d resource providers '
            'for its compute node %s (%s), expected one. Check that the '
            'compute on %s reports to the placement service of this cloud.'
            % (option, host, len(providers), node.name, node.id, host))
    return providers[0]
