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

"""The local.conf a devstack Zuul job describes.

render() writes what devstack's write-devstack-local-conf role writes
from a node's devstack_services, devstack_localrc, devstack_plugins,
devstack_local_conf and tempest_plugins (roles/write-devstack-local-conf
in devstack's tree), in the role's order: the services, the localrc
variables (each after those it refers to), LIBS_FROM_GIT and
TEMPEST_PLUGINS, the plugins last (variables after an enable_plugin line
would not reach the plugin), then the meta-sections.

Jinja expressions in the values ({{ hostvars['controller'][...] }}) are
what Ansible fills in on the node. evaluate() fills them in from the facts
given (node names and addresses, the MTU) as Ansible would; without facts
they stay as written, so that a test can read them.

this_machine() lists the overrides a run on this machine needs, each with
its reason, in one place; apply() puts them over the job's variables.
"""

import collections
import copy
import re

import jinja2

# What a localrc value refers to: $NAME or ${NAME.
_REFERENCE = re.compile(r'\$\{?(\w+)')

# secret: the value is not printed.
Override = collections.namedtuple(
    'Override', 'variable key value reason secret',
    defaults=(False,))

# The services of the job this machine cannot run, and why.
NO_OVS_MODULE = ('no Open vSwitch kernel module here: neutron runs without '
                 'OVN and without agents, servers boot with no network')
DOWNLOADS = 'downloaded from outside PyPI and Debian (unreachable here)'
UNSUPPORTED_SERVICES = {
    'ovn-controller': NO_OVS_MODULE,
    'ovn-northd': NO_OVS_MODULE,
    'ovs-vswitchd': NO_OVS_MODULE,
    'ovsdb-server': NO_OVS_MODULE,
    'q-ovn-agent': NO_OVS_MODULE,
    'q-ovn-metadata-agent': NO_OVS_MODULE,
    'q-agt': NO_OVS_MODULE,
    'q-dhcp': NO_OVS_MODULE,
    'q-l3': NO_OVS_MODULE,
    'q-meta': NO_OVS_MODULE,
    'etcd3': 'etcd is ' + DOWNLOADS,
    'n-novnc': 'noVNC is ' + DOWNLOADS,
}

# devstack_local_conf's file holding the second fake compute's options.
DESTINATION_COMPUTE_CONF = '$NOVA_FAKE_CONF-2'


def evaluate(value, facts):
    """A variable's value with its Jinja expressions filled in from facts.

    Nested dicts and lists are walked; strings without an expression, and
    every string when facts is None, are returned as they are. An
    expression naming what facts lacks raises jinja2.UndefinedError.
    """
    if isinstance(value, dict):
        return {k: evaluate(v, facts) for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate(v, facts) for v in value]
    if facts is None or not isinstance(value, str) or '{{' not in value:
        return value
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return environment.from_string(value).render(**facts)


def render(variables, base_dir, projects=(), project=None):
    """The text of local.conf from a node's (evaluated) job variables.

    projects: short names of the job's required projects, and project the
    project under test, for LIBS_FROM_GIT as Zuul gives them to the role.
    """
    localrc = _services(variables.get('devstack_services') or {},
                        variables.get('enabled_services'))
    values = {k: str(v) for k, v in
              (variables.get('devstack_localrc') or {}).items()}
    for name in _ordered(values):
        value = values[name]
        localrc.append('%s=%s' % (name, value if value.startswith('"')
                                  else '"%s"' % value))
    if 'LIBS_FROM_GIT' not in values:
        libs = list(projects)
        if project and project not in libs:
            libs.append(project)
        if libs:
            localrc.append('LIBS_FROM_GIT=%s' % ','.join(libs))
    tempest_plugins = variables.get('tempest_plugins') or []
    if tempest_plugins and 'TEMPEST_PLUGINS' not in values:
        localrc.append('TEMPEST_PLUGINS="%s"' % ' '.join(
            '%s/%s' % (base_dir, name) for name in tempest_plugins))
    for name, url in sorted((variables.get('devstack_plugins')
                             or {}).items()):
        if url:
            localrc.append('enable_plugin %s %s' % (name, url))
    lines = ['[[local|localrc]]'] + localrc + ['']
    for phase, files in (variables.get('devstack_local_conf')
                         or {}).items():
        for filename, sections in files.items():
            lines.append('[[%s|%s]]' % (phase, filename))
            for section, options in sections.items():
                lines.append('[%s]' % section)
                lines.extend('%s = %s' % item for item in options.items())
                lines.append('')
    return '\n'.join(lines) + '\n'


def _services(services, base_services):
    services = dict(services)
    # "base: false" (devstack-base) or no enabled_services: start from
    # nothing, as the role does.
    if services.pop('base', True) and base_services:
        lines = ['ENABLED_SERVICES=%s' % ','.join(base_services)]
    else:
        lines = ['disable_all_services']
    for name, enabled in services.items():
        if enabled is True:
            lines.append('enable_service %s' % name)
        elif enabled is False:
            lines.append('disable_service %s' % name)
    return lines


def _ordered(values):
    """Variable names sorted, each after the variables its value names."""
    ordered = []

    def visit(name, path):
        if name in ordered:
            return
        if name in path:
            raise ValueError('localrc variables refer to each other in a '
                             'cycle: %s' % ' -> '.join(path + (name,)))
        for used in _REFERENCE.findall(values[name]):
            if used != name and used in values:
                visit(used, path + (name,))
        ordered.append(name)

    for name in sorted(values):
        visit(name, ())
    return ordered


def this_machine(host_ip, secrets, image_url, image_name, constraints,
                 destination_driver=None):
    """The overrides a run on this machine needs, each with its reason.

    secrets: {localrc password variable: generated password}.
    destination_driver: another driver for the second fake compute.
    """
    no_kernel_tuning = ('the container shares the host kernel: devstack '
                        'must not tune it (and /proc/sys is read-only)')
    overrides = [
        Override('devstack_localrc', 'HOST_IP', host_ip,
                 'the container shares the host network; loopback keeps '
                 'the services off the machine\'s interfaces'),
        Override('devstack_localrc', 'SERVICE_HOST', host_ip,
                 'as HOST_IP'),
        Override('devstack_localrc', 'Q_AGENT', 'openvswitch',
                 NO_OVS_MODULE + ' (ML2/OVN would wait for OVN forever)'),
        Override('devstack_localrc', 'Q_ML2_PLUGIN_MECHANISM_DRIVERS',
                 'openvswitch', NO_OVS_MODULE),
        Override('devstack_localrc', 'NEUTRON_CREATE_INITIAL_NETWORKS',
                 False, NO_OVS_MODULE),
        Override('devstack_localrc', 'DOWNLOAD_DEFAULT_IMAGES', False,
                 'cirros is ' + DOWNLOADS),
        Override('devstack_localrc', 'IMAGE_URLS', image_url,
                 'a tiny raw image made here, in place of cirros'),
        Override('devstack_localrc', 'DEFAULT_IMAGE_NAME', image_name,
                 'the name devstack gives that image (tempest\'s '
                 'image_ref)'),
        Override('devstack_localrc', 'TEMPEST_VENV_UPPER_CONSTRAINTS',
                 constraints, 'otherwise lib/tempest reads them from the '
                 'requirements git repository, or downloads them'),
        Override('devstack_localrc', 'ERROR_ON_CLONE', True,
                 'no git server: every checkout is made before stack.sh'),
        Override('devstack_localrc', 'ENABLE_SYSCTL_MEM_TUNING', False,
                 no_kernel_tuning),
        Override('devstack_localrc', 'ENABLE_SYSCTL_NET_TUNING', False,
                 no_kernel_tuning),
        Override('devstack_localrc', 'ENABLE_ZSWAP', False,
                 no_kernel_tuning),
    ]
    overrides += [Override('devstack_localrc', name, value,
                           'generated for this machine, kept 0600',
                           secret=True)
                  for name, value in sorted(secrets.items())]
    overrides += [Override('devstack_services', name, False, reason)
                  for name, reason in UNSUPPORTED_SERVICES.items()]
    if destination_driver:
        overrides.append(Override(
            'devstack_local_conf',
            ('post-config', DESTINATION_COMPUTE_CONF, 'DEFAULT',
             'compute_driver'), destination_driver,
            'asked for (--destination-driver): the run must then fail'))
    return overrides


def apply(variables, overrides):
    """The job's variables with the overrides put over them.

    A nested key (a tuple) must already be in the job: an override of an
    option the job does not set would change nothing it tests.
    """
    result = copy.deepcopy(variables)
    for override in overrides:
        target = result.setdefault(override.variable, {})
        if isinstance(override.key, tuple):
            *path, last = override.key
            for key in path:
                if key not in target:
                    raise KeyError('the job sets no %s %s' % (
                        override.variable, '/'.join(override.key)))
                target = target[key]
            if last not in target:
                raise KeyError('the job sets no %s %s' % (
                    override.variable, '/'.join(override.key)))
            target[last] = override.value
        else:
            target[override.key] = override.value
    return result


def describe(overrides):
    """One line per override, secrets' values left out."""
    lines = []
    for override in overrides:
        key = (override.key if isinstance(override.key, str)
               else ' '.join(override.key))
        shown = '(not shown)' if override.secret else override.value
        lines.append('%s %s = %s: %s' % (override.variable, key, shown,
                                         override.reason))
    return lines
