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

Each ``judge_*`` function returns None when the cloud behaves as nova (with
the fix for bug 1825537) should, and otherwise a message whose first
sentence names the cause, followed by what was expected and what was seen.
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


def nova_bug(number):
    """'nova bug N (its link)': how a verdict names the bug it saw."""
    return 'nova bug %s (https://bugs.launchpad.net/nova/+bug/%s)' % (
        number, number)


def this_is_bug(number, what):
    """A verdict's first sentence when it sees bug ``number``'s signature."""
    return 'This is %s: %s' % (nova_bug(number), what)


BUG = nova_bug(1825537)

#: Migration states after which a move has not failed on the destination:
#: finish_migration ran and returned.
MOVE_SUCCEEDED = frozenset(
    ['finished', 'confirming', 'confirmed', 'reverting', 'reverted',
     'completed', 'done'])
#: Migration states that end a migration: waiting for one of them, any
#: other is final.
MIGRATION_ENDS = MOVE_SUCCEEDED - {'confirming', 'reverting'} | {
    'error', 'failed', 'cancelled', 'aborted'}
#: What nova's NoValidHost says.
NO_VALID_HOST = 'No valid host was found'
#: Server states that, with no task under way, end an operation.
SERVER_ENDS = frozenset(['ACTIVE', 'VERIFY_RESIZE', 'SHUTOFF', 'ERROR'])

Scene = collections.namedtuple('Scene', [
    'server_id',       # uuid of the server (a placement consumer)
    'migration_id',    # uuid of the move's migration (a consumer too)
    'move',            # nova's migration_type: 'resize' or 'migration'
    'source_host', 'source_rp',            # where the server was booted
    'destination_host', 'destination_rp',  # where the move goes
    'old_resources',   # the boot flavor as placement resources
    'new_resources',   # the flavor after the move (the same for a migrate)
    'driver',          # the driver whose finish_migration fails, if any
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


def as_text(value):
    return json.dumps(value, sort_keys=True)


def _named(scene, allocations):
    """Allocations keyed by provider, with the providers' names."""
    names = {scene.source_rp: 'source %s (%s)' % (scene.source_host,
                                                  scene.source_rp),
             scene.destination_rp: 'destination %s (%s)' % (
                 scene.destination_host, scene.destination_rp)}
    return as_text({names.get(rp, rp): res for rp, res in allocations.items()})


def placement_problems(scene, snapshot, server, migration):
    """Where placement differs from what each consumer should hold.

    :param server: {rp uuid: resources} the server should hold.
    :param migration: the same for the migration ({} before the move).
    :returns: one text per difference, empty when placement matches.
    """
    problems = []
    for label, consumer, key, expected in (
            ('server', scene.server_id, 'server', server),
            ('migration', scene.migration_id, 'migration', migration)):
        seen = by_provider(snapshot[key])
        if seen != expected:
            problems.append('%s %s allocations:\n    expected: %s\n    '
                            'seen:     %s' % (label, consumer,
                                              _named(scene, expected),
                                              _named(scene, seen)))
    for role, rp in (('source', scene.source_rp),
                     ('destination', scene.destination_rp)):
        expected = {consumer: held[rp] for consumer, held in (
            (scene.server_id, server), (scene.migration_id, migration))
            if rp in held}
        seen = held_on(snapshot[role], (scene.server_id, scene.migration_id))
        if seen != expected:
            problems.append(
                '%s provider %s holds, for the server or the migration:\n'
                '    expected: %s\n    seen:     %s'
                % (role, rp, as_text(expected), as_text(seen)))
    return problems


def _judge(headline, problems):
    if not problems:
        return None
    return '\n  '.join([headline] + problems)


def judge_unmoved(scene, snapshot, after):
    """The server holds the old flavor on the source only, nothing else."""
    return _judge(
        'After %s, placement does not hold the server\'s flavor on the '
        'source %s only.' % (after, scene.source_host),
        placement_problems(scene, snapshot,
                           {scene.source_rp: scene.old_resources}, {}))


def judge_boot(scene, snapshot):
    """After the boot: the server holds the old flavor on the source only."""
    return judge_unmoved(scene, snapshot, 'the boot')


def _is_pre_fix(scene, snapshot):
    """The signature of bug 1825537: the server back on the source."""
    return (by_provider(snapshot['server'])
            == {scene.source_rp: scene.old_resources}
            and not held_on(snapshot['destination'],
                            (scene.server_id, scene.migration_id)))


def judge_after_failure(scene, snapshot):
    """After finish_migration failed on the destination (resize, migrate).

    Expected: the server holds exactly the new flavor on the destination
    and nothing anywhere else; the migration holds nothing; the source
    holds nothing for either consumer.
    """
    problems = placement_problems(
        scene, snapshot, {scene.destination_rp: scene.new_resources}, {})
    if _is_pre_fix(scene, snapshot):
        headline = (
            'This is %s: after finish_resize failed on the destination %s, '
            'placement holds the server\'s allocations on the source %s, '
            'with its old flavor, and nothing on the destination, while '
            'nova points the server at %s. With the fix, the new flavor '
            'stays allocated on the destination and the source allocations '
            'held by the migration are deleted. nova-manage placement audit '
            '--verbose lists the allocations on %s as orphaned, as the '
            'server is no longer there.'
            % (BUG, scene.destination_host, scene.source_host,
               scene.destination_host, scene.source_host))
    else:
        headline = ('Placement after the failed %s does not match what nova '
                    'with the fix for %s leaves.' % (scene.move, BUG))
    return _judge(headline, problems)


def judge_after_hard_reboot(scene, snapshot):
    """After the hard reboot that recovers a server from a failed resize.

    The reboot happens on the destination, where nova left the new
    flavor's allocations for it: they must stay there, untouched.
    """
    return _judge(
        'The hard reboot changed the allocations that nova left for the '
        'server on the destination %s after the failed %s; expected them '
        'to stay as they were.' % (scene.destination_host, scene.move),
        placement_problems(scene, snapshot,
                           {scene.destination_rp: scene.new_resources}, {}))


def judge_reported_flavor(scene, flavor):
    """The flavor a recovered server reports: the old one.

    nova's _finish_resize resets the server's flavor to the old one when
    finish_migration fails, while finish_resize keeps the new flavor's
    allocations on the destination, where a hard reboot recovers it.

    :param flavor: {'vcpus', 'ram', 'disk'} as the server shows them.
    """
    seen = flavor_resources(flavor['vcpus'], flavor['ram'], flavor['disk'])
    if seen == scene.old_resources:
        return None
    return ('The recovered server reports the flavor %s, expected the old '
            'flavor %s: nova resets the server to its old flavor when '
            'finish_migration fails. If nova now keeps the new flavor %s, '
            'its flavor and its allocations agree: update this test.'
            % (as_text(seen), as_text(scene.old_resources),
               as_text(scene.new_resources)))


def judge_no_valid_host(scene, snapshot):
    """After a resize that no host could take: nothing moved.

    Expected: the server holds the old flavor on the source only and the
    migration holds nothing. The regression this catches: conductor's
    rollback leaving the server's allocations with the migration.
    """
    problems = placement_problems(
        scene, snapshot, {scene.source_rp: scene.old_resources}, {})
    if (by_provider(snapshot['migration'])
            and not by_provider(snapshot['server'])):
        headline = (
            'After the scheduler found no valid host, the migration still '
            'holds the server\'s allocations and the server holds nothing: '
            'nova did not give them back to the server when it rolled the '
            '%s back.' % scene.move)
    else:
        headline = ('Placement after the %s that no host could take does '
                    'not match: nothing should have moved.' % scene.move)
    return _judge(headline, problems)


def judge_no_valid_host_events(actions):
    """The move's action has an event that failed with NoValidHost.

    :param actions: instance actions as evidence.action_summary gives them.
    """
    for action in actions:
        for event in action['events']:
            # The traceback names the exception; from compute microversion
            # 2.84 the details give its message.
            if event['result'] == 'Error' and (
                    'NoValidHost' in (event.get('traceback') or '')
                    or NO_VALID_HOST in (event.get('details') or '')):
                return None
    return ('No instance action event failed with NoValidHost; expected '
            'the scheduler to refuse the move, whose flavor requires a '
            'trait no provider has. Events seen: %s'
            % as_text([(action['action'], event['event'], event['result'])
                       for action in actions for event in action['events']]))


def judge_verify_resize(scene, snapshot):
    """A finished resize: both flavors allocated, one per consumer.

    The server holds the new flavor on the destination, the migration the
    old flavor on the source.
    """
    return _judge(
        'In VERIFY_RESIZE, placement does not hold the new flavor for the '
        'server on the destination %s and the old flavor for the migration '
        'on the source %s.' % (scene.destination_host, scene.source_host),
        placement_problems(scene, snapshot,
                           {scene.destination_rp: scene.new_resources},
                           {scene.source_rp: scene.old_resources}))


def judge_after_revert(scene, snapshot):
    """After the revert: the server back on the source, the old flavor."""
    return _judge(
        'After the revert, placement does not hold the old flavor for the '
        'server on the source %s only, with nothing left for the '
        'migration.' % scene.source_host,
        placement_problems(scene, snapshot,
                           {scene.source_rp: scene.old_resources}, {}))


def judge_moved(scene, snapshot, after):
    """The server holds its new flavor on the destination only."""
    return _judge(
        'After %s, placement does not hold the new flavor for the server '
        'on the destination %s only, with nothing left for the migration.'
        % (after, scene.destination_host),
        placement_problems(scene, snapshot,
                           {scene.destination_rp: scene.new_resources}, {}))


def judge_after_confirm(scene, snapshot):
    """After the confirm: the server on the destination, the new flavor."""
    return judge_moved(scene, snapshot, 'the confirm')


def _not_failing_driver(scene, migration_status, server_status,
                        server_host):
    return (
        'The %s did not fail: the migration reached %r and the server is %s '
        'on %s. The destination %s is not running %s: set [DEFAULT] '
        'compute_driver = %s in the nova.conf of the nova-compute service on '
        '%s, or set [resize_fail] destination_host in tempest.conf to the '
        'compute host that runs it.'
        % (scene.move, migration_status, server_status, server_host,
           scene.destination_host, scene.driver, scene.driver,
           scene.destination_host))


def judge_migration_end(scene, expected, migration_status, server_status,
                        server_host):
    """Why the migration stopped at, or never left, a state not expected."""
    if (expected == 'error' and scene.driver
            and (migration_status in MOVE_SUCCEEDED
                 or server_status == 'VERIFY_RESIZE')):
        return _not_failing_driver(scene, migration_status, server_status,
                                   server_host)
    return ('The %s\'s migration is %r, expected %r (server %s on %s, '
            'moving from %s to %s).'
            % (scene.move, migration_status, expected, server_status,
               server_host, scene.source_host, scene.destination_host))


def judge_server_end(scene, expected, server_status, task_state,
                     server_host, fault_message):
    """Why the server stopped at, or never left, a state not expected."""
    if expected == 'ERROR' and scene.driver:
        if server_status == 'VERIFY_RESIZE':
            return _not_failing_driver(scene, 'finished', server_status,
                                       server_host)
        if server_status == 'ACTIVE':
            return ('The migration reached \'error\' but the server is '
                    'ACTIVE (task state %s) on %s, expected ERROR on %s: the '
                    '%s failed before finish_migration ran on the '
                    'destination. Fault: %s'
                    % (task_state, server_host, scene.destination_host,
                       scene.move, fault_message))
    return ('The server is %s (task state %s) on %s, expected %s. Fault: %s'
            % (server_status, task_state, server_host, expected,
               fault_message))


def leftovers(scene, snapshot, roles=('server', 'migration')):
    """{where: allocations} still held by the consumers named in ``roles``.

    :param roles: 'server', 'migration' or both.
    """
    ids = {'server': scene.server_id, 'migration': scene.migration_id}
    consumers = [ids[role] for role in roles]
    left = {'%s %s' % (role, ids[role]): by_provider(snapshot[role])
            for role in roles}
    for side, rp in (('source', scene.source_rp),
                     ('destination', scene.destination_rp)):
        left['%s provider %s' % (side, rp)] = held_on(snapshot[side],
                                                      consumers)
    return {where: allocs for where, allocs in left.items() if allocs}


#: How to look at and repair allocations that nothing owns, with nova's
#: own tool (nova/cmd/manage.py PlacementCommands.audit): an allocation on
#: a provider is orphaned when its consumer is neither a server on that
#: provider's host nor a migration in progress on it.
AUDIT_ADVICE = (
    'Allocations that no server on the provider\'s host and no migration '
    'in progress on it own are what "nova-manage placement audit '
    '--verbose --resource_provider <provider uuid>" lists as orphaned; '
    'the same command with --delete removes them.')


def judge_released(scene, snapshot, roles, after):
    """Nothing is left for the consumers in ``roles`` (after ``after``)."""
    left = leftovers(scene, snapshot, roles)
    if not left:
        return None
    return ('After %s, allocations remain (expected none for the %s):\n  %s'
            '\n%s'
            % (after, ' or the '.join(roles),
               '\n  '.join('%s: %s' % (where, as_text(allocs))
                           for where, allocs in sorted(left.items())),
               AUDIT_ADVICE))


#: What the scheduler records when no host may take a server.
NO_VALID_HOST = 'No valid host was found'
#: The first words of the isolation test's verdict when the canary took
#: a server it should never see (prove matches them).
NOT_ISOLATED = 'The cloud does not isolate its canary'


def judge_canary_refused(canary, trait, server_status, server_host,
                         fault_message):
    """A server whose flavor lacks ``trait``, asked for on ``canary``.

    Expected: nova-scheduler refuses it (ERROR, no host, NoValidHost).
    """
    if (server_status == 'ERROR' and not server_host
            and NO_VALID_HOST in (fault_message or '')):
        return None
    if server_host:
        return (
            '%s: %s took a server whose flavor does not require %s '
            '(status %s), expected the scheduler to refuse it with '
            'NoValidHost. Check that nova-scheduler runs with [scheduler] '
            'enable_isolated_aggregate_filtering = True, that %s is in a '
            'host aggregate whose metadata is trait:%s=required, mirrored '
            'in placement (nova-manage placement sync_aggregates), and '
            'that no image the servers use requires the trait '
            '(doc/operator.rst).'
            % (NOT_ISOLATED, server_host, trait, server_status, canary,
               trait))
    return ('The server asked for on the canary %s is %s with the fault '
            '%r, expected ERROR with %r: the boot failed for another '
            'reason than the isolation.'
            % (canary, server_status, fault_message, NO_VALID_HOST))
