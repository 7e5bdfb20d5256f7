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
