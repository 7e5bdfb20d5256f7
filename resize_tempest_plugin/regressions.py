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


"""The corpus's verdicts: pure functions from what the APIs answered.

As in :mod:`resize_tempest_plugin.verdicts`, each returns None when nova
behaves as its fix made it, and otherwise a message: ``This is nova bug N
(link): ...`` when the bug's own signature is seen, another plain first
sentence for any other mismatch. Nothing here calls the cloud.
"""

from resize_tempest_plugin import verdicts


def judge_rebuild_end(scene, server_status, fault_message):
    """Bug 1750623: a rebuild on the server's own host found no room.

    Before the fix, a rebuild with a new image asked placement for room
    for a second copy of the server on its own host, and failed on a host
    the server fills.
    """
    if (server_status == 'ERROR'
            and verdicts.NO_VALID_HOST in (fault_message or '')):
        return verdicts.this_is_bug(1750623, (
            'the rebuild with a new image on %s asked the scheduler for a '
            'second copy of the server on a host it fills, and failed: the '
            'server is ERROR with the fault %r. A rebuild on the server\'s '
            'own host claims nothing in placement.'
            % (scene.source_host, fault_message)))
    return None


def judge_rebuilt_image(image_id, expected_image_id):
    """The rebuild gave the server the new image."""
    if image_id != expected_image_id:
        return ('The rebuilt server\'s image is %s, expected %s (the one '
                'the rebuild asked for).' % (image_id, expected_image_id))
    return None


def judge_local_delete(scene, snapshot):
    """Bug 1679750: a server deleted while its compute was down.

    nova-api deletes such a server itself (a local delete); before the
    fix it left the server's allocations in placement.
    """
    left = verdicts.leftovers(scene, snapshot, ('server',))
    if not left:
        return None
    held = verdicts.by_provider(snapshot['server'])
    headline = ('After the server was deleted while its compute %s was '
                'down, placement still holds for it: %s.'
                % (scene.source_host, verdicts.as_text(held or left)))
    if held == {scene.source_rp: scene.old_resources}:
        return verdicts.this_is_bug(1679750, (
            'nova-api deleted the server itself, as its compute %s is '
            'down, and left its allocations: %s' % (scene.source_host,
                                                    headline)))
    return headline


def judge_failed_evacuation(scene, migration_status):
    """Bug 1713783: an evacuation that found no host keeps 'accepted'."""
    if migration_status == 'error':
        return None
    if migration_status == 'accepted':
        return verdicts.this_is_bug(1713783, (
            'the evacuation of the server from %s found no valid host, '
            'and its migration is still \'accepted\', expected \'error\': '
            'nova no longer records the failure on the migration.'
            % scene.source_host))
    return ('The failed evacuation\'s migration is %r, expected \'error\' '
            '(the scheduler found no valid host).' % migration_status)


def judge_confirm_while_source_down(scene, status_code):
    """Bug 1855927: a confirm with the source compute down is accepted.

    :param status_code: what the confirm answered: None if accepted (2xx),
        else the HTTP status code of its error.
    """
    if status_code == 409:
        return None
    if status_code is None:
        return verdicts.this_is_bug(1855927, (
            'nova accepted the confirm of the resize while the source '
            'compute %s is down, expected 409: the confirm is the source\'s '
            'to carry out, and one it never carries out leaves the '
            'migration in \'confirming\'.' % scene.source_host))
    return ('Confirming the resize while the source compute %s is down '
            'answered %s, expected 409.' % (scene.source_host, status_code))


def judge_rebuild_migrations(scene, migrations):
    """Bug 1750618: a rebuild on the same host recorded an evacuation.

    :param migrations: the server's migrations, as evidence.migration_summary
        gives them.
    """
    if not migrations:
        return None
    evacuations = [m for m in migrations
                   if m.get('migration_type') == 'evacuation'
                   and m.get('source_compute') == m.get('dest_compute')]
    if evacuations:
        return verdicts.this_is_bug(1750618, (
            'the rebuild of the server on its own host %s recorded an '
            'evacuation to that same host, left %r: the compute took the '
            'rebuild for an evacuation and claimed the server\'s resources '
            'on its host a second time. Migrations: %s'
            % (scene.source_host, evacuations[-1].get('status'),
               verdicts.as_text(migrations))))
    return ('A rebuild on the server\'s own host recorded migrations; '
            'expected none: %s' % verdicts.as_text(migrations))


def judge_after_live_migration(scene, snapshot, resized_resources):
    """Bug 1785339: a live migration after a reverted resize.

    The server runs its old flavor again (the scene's new_resources, as
    nothing changes in a live migration); before the fix the RequestSpec
    kept the flavor of the reverted resize, and the live migration
    claimed that one on the destination.
    """
    held = verdicts.by_provider(snapshot['server'])
    if held == {scene.destination_rp: resized_resources}:
        return verdicts.this_is_bug(1785339, (
            'after the reverted resize, the live migration to %s claimed '
            'the flavor of the resize (%s), not the server\'s own (%s): '
            'the revert left the resize\'s flavor in the RequestSpec.'
            % (scene.destination_host, verdicts.as_text(resized_resources),
               verdicts.as_text(scene.new_resources))))
    return verdicts.judge_moved(scene, snapshot, 'the live migration')


def judge_multi_create_migration(scene, outcome, message):
    """Bug 1718455: one server of a multi-create cannot be live-migrated.

    Before the fix the scheduler asked for as many hosts as the original
    request had servers, and found no valid host for a targeted move: the
    API refuses the move (nova's conductor checks a named host within the
    request) or its migration ends in ``error``.

    :param outcome: the live migration's status, or the API's refusal
        ('HTTP 400').
    :param message: the server's fault or the API's error message.
    """
    if outcome in ('completed', None):
        return None
    if verdicts.NO_VALID_HOST in (message or '') or outcome == 'error':
        return verdicts.this_is_bug(1718455, (
            'the live migration to %s of one server of a multi-create '
            '(min_count=2) failed (%s: %s): the scheduler asked for a host '
            'for each server of the original request, for a move of one.'
            % (scene.destination_host, outcome, message)))
    return ('The live migration to %s ended %s, expected completed: %s'
            % (scene.destination_host, outcome, message))
