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

    def test_server_summary(self):
        server = types.SimpleNamespace(
            id='s', status='ERROR', vm_state='error', task_state=None,
            compute_host='host2',
            flavor=types.SimpleNamespace(
                original_name='tempest-resize-fail-old-1', vcpus=1, ram=128,
                disk=1, extra_specs={'trait:CUSTOM_X': 'required'},
                location='noise'),
            fault={'message': 'Virtual Interface creation failed'})
        summary = evidence.server_summary(server)
        self.assertEqual('host2', summary['host'])
        self.assertEqual('Virtual Interface creation failed',
                         summary['fault']['message'])
        self.assertEqual({'name': 'tempest-resize-fail-old-1', 'vcpus': 1,
                          'ram': 128, 'disk': 1,
                          'extra_specs': {'trait:CUSTOM_X': 'required'}},
                         summary['flavor'])
        self.assertEqual('gone (404)', evidence.server_summary(None))

    def test_migration_summary(self):
        migration = types.SimpleNamespace(uuid='m', status='error')
        summary = evidence.migration_summary(migration)
        self.assertEqual('error', summary['status'])
        self.assertIsNone(summary['dest_compute'])
        self.assertEqual('none recorded', evidence.migration_summary(None))

    def test_action_summary_keeps_request_ids_and_the_traceback_end(self):
        event = types.SimpleNamespace(
            event='compute_finish_resize', result='Error', host='host2',
            start_time='t0', finish_time='t1',
            traceback='\n'.join('line %d' % i for i in range(20)))
        action = types.SimpleNamespace(
            action='resize', request_id='req-123', start_time='t0',
            message='Error', events=[event])
        summary = evidence.action_summary(action)
        self.assertEqual('req-123', summary['request_id'])
        traceback = summary['events'][0]['traceback']
        self.assertEqual(evidence.TRACEBACK_LINES,
                         len(traceback.splitlines()))
        self.assertTrue(traceback.endswith('line 19'))
