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

"""Verdicts: pure functions from what the APIs answered to a message.

Each ``judge_*`` function returns None when the cloud behaves as nova with
the fix for bug 1825537 should, and otherwise a message that says what was
expected, what was seen and, when the pattern is known, what it means.
Nothing here calls the cloud, so the unit tests feed it placement JSON.

Placement is judged per consumer (the server, the migration) and never by
a provider's total usage, so that the verdicts hold on a shared cloud where
other servers use the same providers.

A placement snapshot is a dict of the JSON bodies of four calls:
``server`` (GET /allocations/{server}), ``migration`` (GET
/allocations/{migration}), ``source`` and ``destination`` (GET
/resource_providers/{rp}/allocations).
"""

import collections
import json
import math

BUG = ('nova bug 1825537 (https://bugs.launchpad.net/nova/+bug/1825537)')

#: Migration states after which a resize has not failed on the destination:
#: finish_migration ran and returned.
RESIZE_SUCCEEDED = frozenset(
    ['finished', 'confirming', 'confirmed', 'reverting', 'reverted',
     'completed', 'done'])
#: Migration states that end a migration without the expected error.
MIGRATION_OTHER_END = frozenset(['failed', 'cancelled', 'aborted'])

#: Server states that, with no task under way, end a resize other than by
#: the expected ERROR.
SERVER_OTHER_END = frozenset(['ACTIVE', 'VERIFY_RESIZE', 'SHUTOFF'])

Scene = collections.namedtuple('Scene', [
    'server_id',       # uuid of the server (a placement consumer)
    'migration_id',    # uuid of the resize's migration (a consumer too)
    'source_host', 'source_rp',            # where the server was booted
    'destination_host', 'destination_rp',  # where the resize must fail
    'old_resources',   # flavor1 as placement resources
    'new_resources',   # flavor2 as placement resources
    'driver',          # the driver the destination must run
])


def flavor_resources(vcpus, ram, disk, ephemeral=0, swap=0):
    """Placement resources that nova allocates for a flavor.

    Zero amounts are left out, as nova leaves them out of allocations.
    Swap is in MiB and rounded up to whole GiB, as nova does.
    """
    disk_gb = disk + ephemeral + int(math.ceil(swap / 1024.0))
    resources = {'VCPU': vcpus, 'MEMORY_MB': ram, 'DISK_GB': disk_gb}
    return {rc: amount for rc, amount in resources.items() if amount}


def by_provider(consumer_json):
    """{rp uuid: resources} from GET /allocations/{consumer}."""
    allocations = (consumer_json or {}).get('allocations') or {}
    return {rp: dict(alloc.get('resources', {}))
            for rp, alloc in allocations.items()}


def held_on(provider_json, consumers):
    """{consumer: resources} on one provider, for the given consumers only.

    :param provider_json: GET /resource_providers/{rp}/allocations.
    """
    allocations = (provider_json or {}).get('allocations') or {}
    return {consumer: dict(allocations[consumer].get('resources', {}))
            for consumer in consumers if consumer and consumer in allocations}


def _text(value):
    return json.dumps(value, sort_keys=True)


def _names(scene):
    return {scene.source_rp: 'source %s (%s)' % (scene.source_host,
                                                 scene.source_rp),
            scene.destination_rp: 'destination %s (%s)' % (
                scene.destination_host, scene.destination_rp)}


def _named(scene, allocations):
    """Allocations keyed by provider, with the providers' names."""
    names = _names(scene)
    return _text({names.get(rp, rp): res for rp, res in allocations.items()})


def judge_boot(scene, snapshot):
    """After the boot: the server holds flavor1 on the source only."""
    server = by_provider(snapshot['server'])
    expected = {scene.source_rp: scene.old_resources}
    if server == expected:
        return None
    return ('After the boot, the server %s should hold the old flavor on '
            'the source provider only.\n  expected: %s\n  seen:     %s'
            % (scene.server_id, _named(scene, expected),
               _named(scene, server)))


def judge_migration_end(scene, migration_status, server_status,
                        server_host):
    """Why the migration ended without reaching ``error``.

    Called when the migration reached a state in RESIZE_SUCCEEDED or
    MIGRATION_OTHER_END instead of ``error``.
    """
    if (migration_status in RESIZE_SUCCEEDED
            or server_status == 'VERIFY_RESIZE'):
        return _not_failing_driver(scene, migration_status, server_status,
                                   server_host)
    return ('The resize ended with migration status %r (server %s on %s), '
            'expected the migration to reach \'error\' because '
            'finish_migration fails on %s.'
            % (migration_status, server_status, server_host,
               scene.destination_host))


def _not_failing_driver(scene, migration_status, server_status,
                        server_host):
    return (
        'The resize did not fail: the migration reached %r and the server '
        'is %s on %s. The destination %s is not running %s: set '
        '[DEFAULT] compute_driver = %s in the nova.conf of the nova-compute '
        'service on %s, or set [resize_fail] destination_host in '
        'tempest.conf to the compute host that runs it.'
        % (migration_status, server_status, server_host,
           scene.destination_host, scene.driver, scene.driver,
           scene.destination_host))


def judge_server_end(scene, server_status, task_state, server_host,
                     fault_message):
    """Why the server ended the resize in a state other than ERROR."""
    if server_status == 'VERIFY_RESIZE':
        return _not_failing_driver(scene, 'finished', server_status,
                                   server_host)
    return ('The migration reached \'error\' but the server is %s (task '
            'state %s) on %s, expected ERROR on %s: the resize failed before '
            'finish_migration ran on the destination. Fault: %s'
            % (server_status, task_state, server_host,
               scene.destination_host, fault_message))


def judge_after_failure(scene, snapshot):
    """After the failed resize: the allocations nova's fix leaves.

    Expected: the server holds exactly flavor2 on the destination provider
    and nothing anywhere else; the migration consumer holds nothing; the
    source provider holds nothing for either consumer.
    """
    consumers = (scene.server_id, scene.migration_id)
    server = by_provider(snapshot['server'])
    migration = by_provider(snapshot['migration'])
    on_source = held_on(snapshot['source'], consumers)
    on_destination = held_on(snapshot['destination'], consumers)
    expected_server = {scene.destination_rp: scene.new_resources}

    problems = []
    if server != expected_server:
        problems.append(
            'server %s allocations:\n    expected: %s\n    seen:     %s'
            % (scene.server_id, _named(scene, expected_server),
               _named(scene, server)))
    if migration:
        problems.append(
            'migration %s allocations:\n    expected: {}\n    seen:     %s'
            % (scene.migration_id, _named(scene, migration)))
    if on_source:
        problems.append(
            'source provider %s holds, for the server or the migration:\n'
            '    expected: {}\n    seen:     %s'
            % (scene.source_rp, _text(on_source)))
    if on_destination != {scene.server_id: scene.new_resources}:
        problems.append(
            'destination provider %s holds, for the server or the '
            'migration:\n    expected: %s\n    seen:     %s'
            % (scene.destination_rp,
               _text({scene.server_id: scene.new_resources}),
               _text(on_destination)))
    if not problems:
        return None

    if (server == {scene.source_rp: scene.old_resources}
            and not on_destination):
        headline = (
            'This is %s: after finish_resize failed on the destination %s, '
            'placement holds the server\'s old flavor on the source %s and '
            'nothing on the destination, while nova points the server at '
            '%s. With the fix, the new flavor stays allocated on the '
            'destination and the source allocations held by the migration '
            'are deleted.' % (BUG, scene.destination_host,
                              scene.source_host, scene.destination_host))
    else:
        headline = (
            'Placement after the failed resize does not match what nova '
            'with the fix for %s leaves.' % BUG)
    return '\n  '.join([headline] + problems)


def leftovers(scene, snapshot):
    """{where: allocations} still held by the server or the migration."""
    consumers = (scene.server_id, scene.migration_id)
    left = {
        'server %s' % scene.server_id: by_provider(snapshot['server']),
        'migration %s' % scene.migration_id:
            by_provider(snapshot['migration']),
        'source provider %s' % scene.source_rp:
            held_on(snapshot['source'], consumers),
        'destination provider %s' % scene.destination_rp:
            held_on(snapshot['destination'], consumers),
    }
    return {where: allocs for where, allocs in left.items() if allocs}


def judge_after_delete(scene, snapshot):
    """After the delete: neither consumer holds anything anywhere."""
    left = leftovers(scene, snapshot)
    if not left:
        return None
    return ('After the server was deleted, allocations remain (expected '
            'none for the server or the migration):\n  %s'
            % '\n  '.join('%s: %s' % (where, _text(allocs))
                          for where, allocs in sorted(left.items())))
