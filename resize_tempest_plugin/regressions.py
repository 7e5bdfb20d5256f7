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
