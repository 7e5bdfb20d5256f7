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

"""tempest, as devstack's lib/tempest: a workspace whose tempest.conf
names this cloud, its flavors and its image.
"""

import glob
import hashlib
import os
import re
import subprocess

from localcloud import configs
from localcloud import errors
from localcloud import layout
from localcloud import nova_tree
from localcloud import provision

# What ``tempest run --list-tests`` prints for each test, and nothing else.
TEST_ID = re.compile(r'^[A-Za-z_][\w.]*(\[[^\]\s]*\])?$')


def options(paths, secrets, shape, tempest_options, flavor_ids, image_id):
    """A complete tempest.conf for this cloud, the plugin's options included.

    ``shape``/``tempest_options``: cloud_shape.ini's [compute] and [tempest].
    """
    sections = {
        'DEFAULT': {'log_file': paths.log('tempest')},
        'auth': {
            'admin_username': 'admin',
            'admin_password': secrets['admin'],
            'admin_project_name': 'admin',
            'admin_domain_name': 'Default',
            'use_dynamic_credentials': 'true',
            # neutron here has no agents: no router or network per test.
            'create_isolated_networks': 'false',
        },
        'identity': {
            'uri_v3': configs.url('keystone', '/v3'),
            'auth_version': 'v3',
            'region': configs.REGION,
        },
        'identity-feature-enabled': {'api_v2': 'false'},
        'compute': {
            'image_ref': image_id,
            'image_ref_alt': image_id,
            'flavor_ref': flavor_ids['localcloud.tiny'],
            'flavor_ref_alt': flavor_ids['localcloud.small'],
            'build_timeout': '60',
            'build_interval': '1',
        },
        'compute-feature-enabled': {
            'console_output': 'false',
            'vnc_console': 'false',
        },
        'image': {'build_timeout': '60', 'build_interval': '1'},
        'network-feature-enabled': {'ipv6': 'false'},
        'service_available': {
            'nova': 'true', 'glance': 'true', 'neutron': 'true',
            'cinder': 'false', 'swift': 'false',
        },
        'validation': {'run_validation': 'false'},
        'oslo_concurrency': {'lock_path': os.path.join(paths.workspace,
                                                       'locks')},
        'resize_fail': {
            'source_host': shape['source_host'],
            'destination_host': shape['destination_host'],
            'canary_trait': shape['canary_trait'],
        },
    }
    for dotted, value in tempest_options.items():
        section, sep, option = dotted.partition('.')
        if sep:  # test_regex and the like are not tempest options
            sections.setdefault(section, {})[option] = value
    return sections


def write_workspace(cloud):
    """Needs nova's API (flavors), glance (image) and the catalog."""
    paths = cloud.paths
    flavor_ids, image_id = provision.flavors_and_image(cloud.conn)
    if not os.path.exists(os.path.join(paths.workspace, '.stestr.conf')):
        cloud.manage(paths.bin('tempest'), 'init', '--name', 'localcloud',
                     '--workspace-path',
                     paths.path('tempest-workspaces.yaml'), paths.workspace)
    sections = options(paths, cloud.state.secrets, cloud.shape,
                       cloud.tempest_options, flavor_ids, image_id)
    configs.write_ini(paths.tempest_conf, sections)
    if not cloud.state.is_done('test-accounts'):
        provision.test_accounts(cloud.conn, cloud.state.secrets)
        cloud.state.mark_done('test-accounts')
    configs.write_private(paths.accounts_yaml,
                          accounts_yaml(cloud.state.secrets))
    configs.write_ini(paths.accounts_tempest_conf,
                      pre_provisioned(sections, paths.accounts_yaml))


def accounts_yaml(secrets):
    """tempest's accounts file: each account's user, project and role.

    An admin account is marked as tempest's format has it (``types``); a
    member's role is listed.
    """
    lines = ['# tempest pre-provisioned credentials (made by localcloud)']
    for name, role in configs.TEST_ACCOUNTS:
        lines += ['- username: %s' % name,
                  '  project_name: %s' % name,
                  '  password: %s' % secrets[name]]
        lines += (['  types:', '  - admin'] if role == 'admin'
                  else ['  roles:', '  - %s' % role])
    return '\n'.join(lines) + '\n'


def pre_provisioned_args(paths):
    """``tempest run``'s arguments for the pre-provisioned credentials."""
    return ['--config-file', paths.accounts_tempest_conf]


def pre_provisioned(sections, accounts_file):
    """``sections`` with tempest's own accounts, as an operator runs it.

    No admin in [auth]: tempest finds it in the accounts file, as the
    tests do.
    """
    auth = {key: value for key, value in sections['auth'].items()
            if not key.startswith('admin_')}
    auth.update(use_dynamic_credentials='false',
                test_accounts_file=accounts_file)
    return dict(sections, auth=auth)


def selection_args(paths, regex):
    """``tempest run``'s arguments that select the tests ``regex`` matches.

    ``tempest run --regex`` first lists every test, in a process that
    imports all of tempest's and the plugins' tests, before its worker
    imports them again; given the ids (``--load-list``), it lists none.
    The ids are saved per regex in the state directory, under a key of the
    trees tempest finds tests in (discovery_key): an edit there, a new test
    included, lists them anew.
    """
    saved_lists = paths.path('test-lists')
    name = hashlib.sha256(regex.encode()).hexdigest()[:16]
    saved = os.path.join(saved_lists, '%s-%s.txt' % (
        name, discovery_key(paths)[:16]))
    if not os.path.exists(saved):
        ids = list_tests(paths, regex)
        if not ids:
            return ['--regex', regex]  # tempest says that nothing matched
        for stale in glob.glob(os.path.join(saved_lists, name + '-*')):
            os.remove(stale)
        configs.write_private(saved, '\n'.join(ids) + '\n')
    return ['--load-list', saved]


def discovery_key(paths):
    """A digest of every Python file tempest discovers tests among.

    Each file's path, size and modification time, in tempest's package and
    the plugin's checkout (installed editable), and the venv's set of
    installed distributions (another plugin, another release).
    """
    site = nova_tree.venv_site_packages(paths.venv)
    digest = hashlib.sha256()
    for name in sorted(glob.glob(os.path.join(site, '*.dist-info'))):
        digest.update(os.path.basename(name).encode() + b'\n')
    for tree in (os.path.join(site, 'tempest'),
                 os.path.join(layout.REPO_ROOT, 'resize_tempest_plugin')):
        for folder, children, files in os.walk(tree):
            children.sort()
            for file_name in sorted(f for f in files if f.endswith('.py')):
                path = os.path.join(folder, file_name)
                stat = os.stat(path)
                digest.update(('%s %d %d\n' % (
                    path, stat.st_size, stat.st_mtime_ns)).encode())
    return digest.hexdigest()


def list_tests(paths, regex):
    """The ids of the tests ``regex`` selects, as tempest lists them."""
    proc = subprocess.run(
        [paths.bin('tempest'), 'run', '--list-tests', '--regex', regex],
        cwd=paths.workspace, capture_output=True, text=True)
    if proc.returncode:
        raise errors.CloudError(
            'tempest run --list-tests --regex %s exited %d in %s; its '
            'output ends with:\n%s' % (
                regex, proc.returncode, paths.workspace,
                errors.tail_text(proc.stdout + proc.stderr, 15)))
    return [line for line in proc.stdout.splitlines() if TEST_ID.match(line)]
