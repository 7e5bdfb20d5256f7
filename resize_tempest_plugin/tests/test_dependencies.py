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


"""The installed openstacksdk and tempest have every API the plugin calls.

Run on the minimum versions requirements.txt declares (tox -e py3-min),
these fail when the code uses an API newer than a declared minimum.
"""

import ast
import os
import re

from openstack.compute.v2 import _proxy as compute_proxy
from openstack.image.v2 import _proxy as image_proxy
from openstack.placement.v1 import _proxy as placement_proxy
from tempest import config

import resize_tempest_plugin
from resize_tempest_plugin.tests import base

PACKAGE = os.path.dirname(resize_tempest_plugin.__file__)
RAISE_IT = (': the installed version lacks it. Raise its minimum in '
            'requirements.txt to the first release that has it.')


def plugin_sources():
    """{path: text} of every module of the plugin, its unit tests aside."""
    found = {}
    for top, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d != 'tests']
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(top, name)
                with open(path) as f:
                    found[os.path.relpath(path, PACKAGE)] = f.read()
    return found


def _root(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return getattr(node, 'id', None)


def proxy_calls(service, alias=None):
    """{name: [module, ...]} of each X.<service>.name the plugin uses.

    X is any expression but tempest's CONF (CONF.compute.image_ref is an
    option); ``alias`` also counts <alias>.name, for compute =
    conn.compute. self._proxy.name counts for 'placement' (its wrapper).
    """
    found = {}
    for path, text in plugin_sources().items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Attribute):
                continue
            value = node.value
            if service == 'placement':
                used = (isinstance(value, ast.Attribute)
                        and value.attr == '_proxy')
            else:
                used = ((isinstance(value, ast.Attribute)
                         and value.attr == service
                         and _root(value) not in ('CONF', 'conf'))
                        or (isinstance(value, ast.Name)
                            and value.id == alias))
            if used:
                found.setdefault(node.attr, []).append(path)
    return found


class TestTheSdkHasWhatThePluginCalls(base.TestCase):

    def check(self, service, proxy, at_least, alias=None):
        calls = proxy_calls(service, alias)
        # Not vacuous: the pattern finds the plugin's calls.
        self.assertGreaterEqual(len(calls), at_least, sorted(calls))
        missing = {name: where for name, where in calls.items()
                   if not hasattr(proxy.Proxy, name)}
        self.assertEqual({}, missing, 'openstacksdk\'s %s proxy has no %s%s'
                         % (service, ', '.join(sorted(missing)), RAISE_IT))

    def test_compute(self):
        self.check('compute', compute_proxy, 15, alias='compute')

    def test_image(self):
        self.check('image', image_proxy, 2)

    def test_placement(self):
        self.check('placement', placement_proxy, 8)


class TestTempestHasWhatThePluginReads(base.TestCase):

    def test_every_conf_option_is_registered(self):
        registered = {}
        for group, opts in config.list_opts():
            name = getattr(group, 'name', group) or 'DEFAULT'
            registered.setdefault(name, set()).update(o.dest for o in opts)
        read = set(re.findall(r'\bCONF\.(\w+)(?:\.(\w+))?',
                              '\n'.join(plugin_sources().values())))
        self.assertGreater(len(read), 10, sorted(read))
        missing = []
        for first, second in sorted(read):
            group = first.replace('_', '-')
            for candidate in (first, group):
                if candidate in registered:
                    if second and second not in registered[candidate]:
                        missing.append('%s.%s' % (candidate, second))
                    break
            else:
                if first not in registered['DEFAULT']:
                    missing.append(first)
        self.assertEqual([], missing, 'tempest registers no option %s%s'
                         % (', '.join(missing), RAISE_IT))
