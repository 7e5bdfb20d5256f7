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

"""The installed openstacksdk and tempest have every API the plugin uses.

Run on the minimum versions requirements.txt declares (tox -e py3-min),
these fail when the code uses an API newer than a declared minimum. The
plugin's modules (its unit tests aside) are parsed, not imported.
"""

import ast
import os

from openstack.compute.v2 import _proxy as compute_proxy
from openstack.image.v2 import _proxy as image_proxy
from openstack.placement.v1 import _proxy as placement_proxy
from tempest import config

import resize_tempest_plugin
from resize_tempest_plugin import config as plugin_config
from resize_tempest_plugin.tests import base

PACKAGE = os.path.dirname(resize_tempest_plugin.__file__)
RAISE_IT = (': the installed version lacks it. Raise its minimum in '
            'requirements.txt to the first release that has it.')
# Names that hold tempest's CONF: the modules' CONF, clients.connect's conf.
CONF_NAMES = ('CONF', 'conf')
# Option reads the parse cannot see: ScenarioTest._check_microversion
# reads them from the group it is given (CONF.compute, CONF.placement).
DYNAMIC_READS = {
    ('compute', 'min_microversion'), ('compute', 'max_microversion'),
    ('placement', 'min_microversion'), ('placement', 'max_microversion'),
}


def plugin_modules():
    """{path: ast} of every module of the plugin, its unit tests aside."""
    found = {}
    for top, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != 'tests')
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(top, name)
                with open(path) as f:
                    found[os.path.relpath(path, PACKAGE)] = ast.parse(
                        f.read(), path)
    return found


def _root(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return getattr(node, 'id', None)


def _scopes(tree):
    """The module and each function in it: where a local alias lives."""
    return [tree] + [node for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef,
                                          ast.AsyncFunctionDef))]


def _aliases(scope, is_target):
    """Local names assigned an expression ``is_target`` accepts."""
    return {target.id for node in ast.walk(scope)
            if isinstance(node, ast.Assign) and is_target(node.value)
            for target in node.targets if isinstance(target, ast.Name)}


def proxy_uses(service):
    """{name: [module, ...]} of each X.<service>.name the plugin uses.

    X is any expression but tempest's CONF (CONF.compute.image_ref is an
    option, not a call); a local alias counts too (compute =
    self.admin_conn.compute, then compute.name).
    """
    def is_proxy(node):
        return (isinstance(node, ast.Attribute) and node.attr == service
                and _root(node) not in CONF_NAMES)

    found = {}
    for path, tree in plugin_modules().items():
        for scope in _scopes(tree):
            aliases = _aliases(scope, is_proxy)
            for node in ast.walk(scope):
                if isinstance(node, ast.Attribute) and (
                        is_proxy(node.value)
                        or (isinstance(node.value, ast.Name)
                            and node.value.id in aliases)):
                    found.setdefault(node.attr, set()).add(path)
    return {name: sorted(paths) for name, paths in found.items()}


def placement_uses():
    """Each self._proxy.name of placement.py (the placement proxy)."""
    tree = plugin_modules()['placement.py']
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == '_proxy'
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == 'self'}


def _constants(node):
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)
                and isinstance(e.value, str)]
    return []


def conf_reads():
    """({(group, option) or (DEFAULT option,)}, [unresolved getattr]).

    CONF.group.option; CONF.option (a DEFAULT option, or a group read
    whole); opts = CONF.group, then opts.option; getattr(CONF.group, 'x')
    or getattr over a literal tuple (for option in ('a', 'b')); the
    compute-feature-enabled flags each test class names in ``features``.
    """
    reads, unresolved = set(), []

    def is_group(node):
        return (isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in CONF_NAMES)

    for path, tree in plugin_modules().items():
        for node in ast.walk(tree):
            if is_group(node):
                reads.add((node.attr,))
            elif isinstance(node, ast.Attribute) and is_group(node.value):
                reads.add((node.value.attr, node.attr))
            elif (isinstance(node, ast.ClassDef)):
                for item in node.body:
                    if (isinstance(item, ast.Assign)
                            and any(getattr(t, 'id', None) == 'features'
                                    for t in item.targets)):
                        reads.update(('compute_feature_enabled', f)
                                     for f in _constants(item.value))
        for scope in _scopes(tree):
            groups = {}
            for node in ast.walk(scope):
                if (isinstance(node, ast.Assign) and is_group(node.value)):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            groups[target.id] = node.value.attr
            loops = {node.target.id: _constants(node.iter)
                     for node in ast.walk(scope)
                     if isinstance(node, ast.For)
                     and isinstance(node.target, ast.Name)}
            for node in ast.walk(scope):
                if (isinstance(node, ast.Attribute)
                        and isinstance(node.value, ast.Name)
                        and node.value.id in groups):
                    reads.add((groups[node.value.id], node.attr))
                if not (isinstance(node, ast.Call)
                        and getattr(node.func, 'id', None) == 'getattr'
                        and len(node.args) >= 2):
                    continue
                obj, name = node.args[:2]
                if is_group(obj):
                    group = obj.attr
                elif isinstance(obj, ast.Name) and obj.id in groups:
                    group = groups[obj.id]
                else:
                    continue
                if isinstance(name, ast.Constant):
                    reads.add((group, name.value))
                elif isinstance(name, ast.Name) and loops.get(name.id):
                    reads.update((group, o) for o in loops[name.id])
                elif (isinstance(name, ast.Name)
                        and (group, name.id) == ('compute_feature_enabled',
                                                 'feature')):
                    # ScenarioTest.skip_checks: the ``features`` above.
                    pass
                else:
                    unresolved.append('%s: getattr(CONF.%s, %s)'
                                      % (path, group, ast.unparse(name)))
    return reads | DYNAMIC_READS, unresolved


class TestTheSdkHasWhatThePluginCalls(base.TestCase):

    def check(self, service, proxy, uses, at_least):
        # Not vacuous: the parse finds the plugin's calls.
        self.assertGreater(len(uses), at_least, sorted(uses))
        missing = sorted(name for name in uses
                         if not hasattr(proxy.Proxy, name))
        self.assertEqual([], missing, 'openstacksdk\'s %s proxy (%s) has '
                         'no %s%s' % (service, proxy.__name__,
                                      ', '.join(missing), RAISE_IT))

    def test_compute(self):
        self.check('compute', compute_proxy, proxy_uses('compute'), 10)

    def test_image(self):
        self.check('image', image_proxy, proxy_uses('image'), 1)

    def test_placement(self):
        self.check('placement', placement_proxy, placement_uses(), 7)


class TestTempestHasWhatThePluginReads(base.TestCase):

    def registered(self):
        """{group name: {option}}: tempest's own and the plugin's."""
        groups = {}
        # tempest.config._opts: (OptGroup or None for DEFAULT, [Opt]) in
        # every tempest from 37 to 47; list_opts() adds the plugins'.
        for group, opts in config._opts + plugin_config.OPT_GROUPS:
            name = group.name if group is not None else 'DEFAULT'
            groups.setdefault(name.replace('-', '_'), set()).update(
                opt.dest for opt in opts)
        return groups

    def test_every_conf_option_is_registered(self):
        registered = self.registered()
        reads, unresolved = conf_reads()
        self.assertEqual([], unresolved, 'a read the test cannot name: '
                         'list it in DYNAMIC_READS')
        self.assertGreater(len(reads), 10, sorted(reads))
        missing = []
        for read in sorted(reads):
            if len(read) == 2:
                group, option = read
                if option not in registered.get(group, ()):
                    missing.append('[%s] %s' % (group, option))
            elif (read[0] not in registered
                    and read[0] not in registered['DEFAULT']):
                missing.append('[DEFAULT] %s' % read[0])
        self.assertEqual([], missing, 'tempest registers no option %s%s'
                         % (', '.join(missing), RAISE_IT))
