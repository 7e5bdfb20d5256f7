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

import types

from resize_tempest_plugin import evidence
from resize_tempest_plugin.tests import base


# As nova records it (Python 3.11): a library's frame between nova's, and
# the markers under a source line.
NOVA_TRACEBACK = """Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/oslo_utils/excutils.py", line 227, in __exit__
    self.force_reraise()
  File "/venv/lib/python3.11/site-packages/nova/compute/manager.py", line 6608, in _finish_resize
    self.driver.finish_migration(context, migration, instance,
  File "/venv/lib/python3.11/site-packages/nova/virt/fake.py", line 793, in finish_migration
    raise exception.VirtualInterfaceCreateException()
    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
nova.exception.VirtualInterfaceCreateException: Virtual Interface creation failed
"""  # noqa: E501


class TestEvidence(base.TestCase):

    def test_a_failing_probe_costs_its_own_section_only(self):
        def broken():
            raise RuntimeError('placement is down')
        sections = evidence.gather([('one', lambda: {'a': 1}),
                                    ('two', broken),
                                    ('three', lambda: 'text')])
        self.assertEqual([('one', {'a': 1}), ('three', 'text')],
                         [sections[0], sections[2]])
        self.assertIn('could not be read', sections[1][1])
        self.assertIn('placement is down', sections[1][1])

    def test_render(self):
        text = evidence.render([('server', {'status': 'ERROR'}),
                                ('note', 'plain')])
        self.assertIn('--- server ---\n{\n  "status": "ERROR"\n}', text)
        self.assertIn('--- note ---\nplain', text)

    def test_server_summary_shows_the_flavor_in_short(self):
        server = types.SimpleNamespace(
            id='s', status='ERROR', vm_state='error', task_state=None,
            compute_host='host2',
            flavor=types.SimpleNamespace(
                original_name='tempest-resize-fail-old-1', vcpus=1, ram=128,
                disk=1, extra_specs={'trait:CUSTOM_X': 'required'},
                location='noise'),
            fault={'message': 'Virtual Interface creation failed',
                   'code': 500, 'created': 't1',
                   'details': NOVA_TRACEBACK})
        summary = evidence.server_summary(server)
        self.assertEqual('host2', summary['host'])
        self.assertEqual('1 VCPU, 128 MB, 1 GB (tempest-resize-fail-old-1)',
                         summary['flavor'])
        self.assertEqual('Virtual Interface creation failed',
                         summary['fault']['message'])
        self.assertEqual(evidence.nova_frames(NOVA_TRACEBACK),
                         summary['fault']['details'])
        self.assertEqual('gone (404)', evidence.server_summary(None))

    def test_migration_summary(self):
        migration = types.SimpleNamespace(uuid='m', status='error')
        summary = evidence.migration_summary(migration)
        self.assertEqual('error', summary['status'])
        self.assertIsNone(summary['dest_compute'])
        self.assertEqual('none recorded', evidence.migration_summary(None))

    def test_nova_frames_keeps_novas_frames_and_the_exception(self):
        self.assertEqual(
            'nova/compute/manager.py:6608 in _finish_resize: '
            'self.driver.finish_migration(context, migration, instance,\n'
            'nova/virt/fake.py:793 in finish_migration: '
            'raise exception.VirtualInterfaceCreateException()\n'
            'nova.exception.VirtualInterfaceCreateException: Virtual '
            'Interface creation failed',
            evidence.nova_frames(NOVA_TRACEBACK))
        self.assertIsNone(evidence.nova_frames(None))

    def test_action_summary_keeps_request_ids_and_novas_frames(self):
        event = types.SimpleNamespace(
            event='compute_finish_resize', result='Error', host='host2',
            start_time='t0', finish_time='t1', details='Virtual Interface',
            traceback=NOVA_TRACEBACK)
        action = types.SimpleNamespace(
            action='resize', request_id='req-123', start_time='t0',
            message='Error', events=[event])
        summary = evidence.action_summary(action)
        self.assertEqual('req-123', summary['request_id'])
        self.assertEqual('Virtual Interface', summary['events'][0]['details'])
        self.assertEqual(evidence.nova_frames(NOVA_TRACEBACK),
                         summary['events'][0]['traceback'])

    def test_a_successful_event_has_no_details_nor_traceback(self):
        event = types.SimpleNamespace(
            event='compute_prep_resize', result='Success', host='host2',
            start_time='t0', finish_time='t1', details=None, traceback=None)
        action = types.SimpleNamespace(
            action='resize', request_id='req-123', start_time='t0',
            message=None, events=[event])
        self.assertEqual(
            [{'event': 'compute_prep_resize', 'result': 'Success',
              'host': 'host2', 'start_time': 't0', 'finish_time': 't1'}],
            evidence.action_summary(action)['events'])
