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

"""--nova-conf [HOST:]SECTION:OPTION=VALUE: parsing and applying."""

import copy

from localcloud import overrides
from localcloud.tests import base

HOSTS = ('host1', 'host2')
Override = overrides.NovaOverride


def parse(text):
    return overrides.parse_nova_override(text, HOSTS)


class ParseTest(base.TestCase):

    def test_global(self):
        self.assertEqual(Override('DEFAULT', 'debug', 'true'),
                         parse('DEFAULT:debug=true'))

    def test_one_host(self):
        self.assertEqual(
            Override('DEFAULT', 'compute_driver', 'fake.FakeDriver',
                     host='host2'),
            parse('host2:DEFAULT:compute_driver=fake.FakeDriver'))

    def test_values_with_colons_and_equals_are_kept_whole(self):
        url = 'rabbit://user:pa=ss@127.0.0.1:5672/vhost?heartbeat=5'
        self.assertEqual(Override('DEFAULT', 'transport_url', url),
                         parse('DEFAULT:transport_url=' + url))
        self.assertEqual(Override('placement', 'auth_url', url, 'host1'),
                         parse('host1:placement:auth_url=' + url))

    def test_spaces_around_parts_are_dropped(self):
        self.assertEqual(Override('DEFAULT', 'debug', 'true', 'host1'),
                         parse(' host1 : DEFAULT : debug = true '))

    def test_empty_value_is_allowed(self):
        self.assertEqual(Override('DEFAULT', 'service_plugins', ''),
                         parse('DEFAULT:service_plugins='))

    def test_str_parses_back(self):
        for text in ('DEFAULT:debug=true',
                     'host1:DEFAULT:transport_url=rabbit://a:b@h:1/'):
            override = parse(text)
            self.assertEqual(text, str(override))
            self.assertEqual(override, parse(str(override)))

    def test_no_equals(self):
        error = self.assertRaises(overrides.OverrideError, parse,
                                  'DEFAULT:debug')
        self.assertIn('has no "="', str(error))
        self.assertIn("'DEFAULT:debug'", str(error))
        self.assertIn('[HOST:]SECTION:OPTION=VALUE', str(error))

    def test_wrong_part_count_or_empty_parts(self):
        for text in ('debug=true', 'a:b:c:d=1', 'DEFAULT:=1', ':debug=1',
                     'host1::debug=1', ' :DEFAULT:debug=1', '=1'):
            error = self.assertRaises(overrides.OverrideError, parse, text)
            self.assertIn(repr(text), str(error))
            self.assertIn('expected [HOST:]SECTION:OPTION=VALUE', str(error))

    def test_unknown_host_lists_the_known_ones(self):
        error = self.assertRaises(overrides.OverrideError, parse,
                                  'host9:DEFAULT:debug=true')
        message = str(error)
        self.assertIn("'host9'", message)
        self.assertIn('host1, host2', message)

    def test_is_a_value_error(self):
        self.assertTrue(issubclass(overrides.OverrideError, ValueError))


class ApplyTest(base.TestCase):

    SECTIONS = {'DEFAULT': {'debug': 'false', 'host': 'controller'},
                'api': {'auth_strategy': 'keystone'}}

    def test_later_wins(self):
        merged = overrides.apply(
            [Override('DEFAULT', 'debug', 'true'),
             Override('DEFAULT', 'debug', 'maybe')], self.SECTIONS)
        self.assertEqual('maybe', merged['DEFAULT']['debug'])

    def test_host_override_only_for_its_host(self):
        ours = [Override('DEFAULT', 'compute_driver', 'fake.X', 'host2')]
        self.assertNotIn('compute_driver',
                         overrides.apply(ours, self.SECTIONS,
                                         host='host1')['DEFAULT'])
        self.assertNotIn('compute_driver',
                         overrides.apply(ours, self.SECTIONS)['DEFAULT'])
        self.assertEqual('fake.X', overrides.apply(
            ours, self.SECTIONS, host='host2')['DEFAULT']['compute_driver'])

    def test_global_applies_to_every_host(self):
        ours = [Override('api', 'auth_strategy', 'noauth2')]
        for host in (None, 'host1', 'host2'):
            self.assertEqual(
                'noauth2',
                overrides.apply(ours, self.SECTIONS, host)['api'][
                    'auth_strategy'])

    def test_host_override_after_global_wins_and_before_loses(self):
        glob = Override('DEFAULT', 'debug', 'global')
        own = Override('DEFAULT', 'debug', 'own', 'host1')
        self.assertEqual('own', overrides.apply(
            [glob, own], self.SECTIONS, 'host1')['DEFAULT']['debug'])
        self.assertEqual('global', overrides.apply(
            [own, glob], self.SECTIONS, 'host1')['DEFAULT']['debug'])

    def test_new_section(self):
        merged = overrides.apply([Override('libvirt', 'virt_type', 'qemu')],
                                 self.SECTIONS)
        self.assertEqual({'virt_type': 'qemu'}, merged['libvirt'])

    def test_inputs_not_mutated(self):
        sections = copy.deepcopy(self.SECTIONS)
        ours = [Override('DEFAULT', 'debug', 'true'),
                Override('new', 'option', 'x', 'host1')]
        merged = overrides.apply(ours, sections, 'host1')
        self.assertEqual(self.SECTIONS, sections)
        self.assertEqual('true', merged['DEFAULT']['debug'])
        self.assertNotIn('new', sections)
