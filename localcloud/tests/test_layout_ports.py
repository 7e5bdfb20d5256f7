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

from localcloud import layout
from localcloud.tests import base


class PortOffsetTest(base.TestCase):

    def test_unset_keeps_the_base_ports(self):
        self.assertEqual(0, layout._port_offset(None))
        self.assertEqual(0, layout._port_offset(''))

    def test_a_whole_number_up_to_the_highest_shifts(self):
        self.assertEqual(100, layout._port_offset('100'))
        self.assertEqual(layout.MAX_PORT_OFFSET,
                         layout._port_offset(str(layout.MAX_PORT_OFFSET)))

    def test_anything_else_is_refused_with_what_to_do(self):
        too_far = str(layout.MAX_PORT_OFFSET + 1)
        for bad in ('abc', '-1', too_far, '1.5'):
            with self.assertRaises(SystemExit) as ctx:
                layout._port_offset(bad)
            self.assertIn("LOCALCLOUD_PORT_OFFSET=%r" % bad,
                          str(ctx.exception))
