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
import re

#: A traceback's frame line: File "<path>", line <n>, in <function>.
FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), '
                   r'in (?P<function>\S+)')
#: Where nova's own code is, inside a frame's path.
NOVA_PATH = re.compile(r'(?:^|/)(nova/.+)$')
#: The markers Python 3.11 prints under a frame's source line.
MARKERS = re.compile(r'^\s*[~^]+\s*$')


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
#: The fault's fields worth reading (its details are a traceback).
FAULT_FIELDS = ('code', 'created', 'message')
MIGRATION_FIELDS = (
    ('uuid', 'uuid'), ('status', 'status'),
    ('migration_type', 'migration_type'),
    ('source_compute', 'source_compute'), ('dest_compute', 'dest_compute'),
    ('old_flavor_id', 'old_flavor_id'), ('new_flavor_id', 'new_flavor_id'),
    ('created_at', 'created_at'), ('updated_at', 'updated_at'))


def _fields(resource, fields):
    return {key: getattr(resource, attribute, None)
            for key, attribute in fields}


def flavor_summary(flavor):
    """'1 VCPU, 128 MB, 1 GB (name)': the flavor a server shows, in short.

    From compute microversion 2.47 a server embeds its flavor's sizes,
    not its id; the extra specs are left out (the test set them).
    """
    if not flavor:
        return flavor
    if not isinstance(flavor, dict):
        flavor = {'vcpus': flavor.vcpus, 'ram': flavor.ram,
                  'disk': flavor.disk, 'original_name': flavor.original_name}
    return '%s VCPU, %s MB, %s GB (%s)' % (
        flavor.get('vcpus'), flavor.get('ram'), flavor.get('disk'),
        flavor.get('original_name'))


def nova_frames(traceback):
    """A traceback cut to nova's own frames and what was raised.

    Each frame in nova becomes one line, "nova/compute/manager.py:123 in
    function: its source line"; frames in libraries, and the markers
    under a source line, are dropped; any other line (the exception
    raised, when the traceback has it) is kept.
    """
    if not traceback:
        return traceback
    kept = []
    frame = None
    for line in traceback.strip().splitlines():
        match = FRAME.match(line)
        if match:
            nova = NOVA_PATH.search(match.group('path'))
            # '' for a library's frame: its source line is dropped too.
            frame = '%s:%s in %s' % (
                nova.group(1), match.group('line'),
                match.group('function')) if nova else ''
            if frame:
                kept.append(frame)
        elif not line.strip() or MARKERS.match(line):
            continue
        elif frame is not None and line.startswith('    '):
            if frame:
                kept[-1] += ': ' + line.strip()
            frame = None
        elif not line.startswith('Traceback'):
            frame = None
            kept.append(line.strip())
    return '\n'.join(kept)


def server_summary(server):
    """The fields of a server that tell how an operation went."""
    if server is None:
        return 'gone (404)'
    summary = _fields(server, SERVER_FIELDS)
    summary['flavor'] = flavor_summary(summary['flavor'])
    if summary['fault']:
        fault = {key: summary['fault'].get(key) for key in FAULT_FIELDS}
        fault['details'] = nova_frames(summary['fault'].get('details'))
        summary['fault'] = fault
    return summary


def aggregate_summary(aggregate):
    """A host aggregate: its hosts and metadata, and its placement uuid."""
    return {'name': aggregate.name, 'uuid': aggregate.uuid,
            'hosts': aggregate.hosts, 'metadata': aggregate.metadata}


def migration_summary(migration):
    """The fields of a migration record (os-migrations)."""
    if migration is None:
        return 'none recorded'
    return _fields(migration, MIGRATION_FIELDS)


def action_summary(action):
    """An instance action with its request id and events."""
    return {
        'action': action.action,
        'request_id': action.request_id,
        'start_time': action.start_time,
        'message': action.message,
        'events': [_event_summary(event) for event in (action.events or [])],
    }


def _event_summary(event):
    """An event's fields; its details and traceback only when it has them."""
    summary = {'event': event.event, 'result': event.result,
               'host': event.host, 'start_time': event.start_time,
               'finish_time': event.finish_time}
    # From compute microversion 2.84 an event has details (the error).
    details = getattr(event, 'details', None)
    if details:
        summary['details'] = details
    if event.traceback:
        summary['traceback'] = nova_frames(event.traceback)
    return summary
