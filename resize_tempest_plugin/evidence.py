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

"""What a failure message carries: the state of everything involved.

``gather`` runs each probe on its own, so that one failing API call (a
server already gone, placement down) costs its own section only; the
probes themselves are supplied by the test.
"""

import json

#: Lines of a traceback kept in an instance action event: its end says
#: what was raised.
TRACEBACK_LINES = 6


def gather(probes):
    """[(title, value or error text)] for each (title, callable) probe."""
    sections = []
    for title, probe in probes:
        try:
            value = probe()
        except Exception as exc:
            value = 'could not be read: %r' % exc
        sections.append((title, value))
    return sections


def render(sections):
    """The sections as text, JSON values indented."""
    lines = ['Evidence:']
    for title, value in sections:
        if not isinstance(value, str):
            value = json.dumps(value, indent=2, sort_keys=True, default=str)
        lines.append('--- %s ---' % title)
        lines.append(value)
    return '\n'.join(lines)


#: (key in the evidence, attribute of the openstacksdk resource).
SERVER_FIELDS = (
    ('id', 'id'), ('status', 'status'), ('vm_state', 'vm_state'),
    ('task_state', 'task_state'), ('host', 'compute_host'),
    ('flavor', 'flavor'), ('fault', 'fault'))
MIGRATION_FIELDS = (
    ('uuid', 'uuid'), ('status', 'status'),
    ('migration_type', 'migration_type'),
    ('source_compute', 'source_compute'), ('dest_compute', 'dest_compute'),
    ('old_flavor_id', 'old_flavor_id'), ('new_flavor_id', 'new_flavor_id'),
    ('created_at', 'created_at'), ('updated_at', 'updated_at'))


#: What a server's embedded flavor shows (microversion 2.47 and later).
FLAVOR_FIELDS = (
    ('name', 'original_name'), ('vcpus', 'vcpus'), ('ram', 'ram'),
    ('disk', 'disk'), ('extra_specs', 'extra_specs'))


def _fields(resource, fields):
    return {key: getattr(resource, attribute, None)
            for key, attribute in fields}


def flavor_summary(flavor):
    """The flavor nova shows on a server (the old one after a failure)."""
    if flavor is None or isinstance(flavor, dict):
        return flavor
    return _fields(flavor, FLAVOR_FIELDS)


def server_summary(server):
    """The fields of a server that tell how a resize went."""
    if server is None:
        return 'gone (404)'
    summary = _fields(server, SERVER_FIELDS)
    summary['flavor'] = flavor_summary(summary['flavor'])
    return summary


def migration_summary(migration):
    """The fields of a migration record (os-migrations)."""
    if migration is None:
        return 'none recorded'
    return _fields(migration, MIGRATION_FIELDS)


def _short_traceback(traceback):
    if not traceback:
        return traceback
    return '\n'.join(traceback.strip().splitlines()[-TRACEBACK_LINES:])


def action_summary(action):
    """An instance action with its request id and events."""
    return {
        'action': action.action,
        'request_id': action.request_id,
        'start_time': action.start_time,
        'message': action.message,
        'events': [
            {'event': event.event,
             'result': event.result,
             'host': event.host,
             'start_time': event.start_time,
             'finish_time': event.finish_time,
             'traceback': _short_traceback(event.traceback)}
            for event in (action.events or [])],
    }
