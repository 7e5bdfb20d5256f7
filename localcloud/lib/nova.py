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

"""nova, as devstack's lib/nova: the API, conductor and scheduler of one
controller, cell0 and cell1, and a nova-compute per compute host of
cloud_shape.ini. Here is what starts and restarts nova's services; the
order of ``up`` is :mod:`localcloud.stack`'s.
"""

import dataclasses
import datetime
import os
import shutil

from localcloud import configs
from localcloud import imports_record
from localcloud import layout
from localcloud.lib import database
from localcloud.lib import keystone
from localcloud.lib import rpc_backend
from localcloud import nova_one_process
from localcloud import nova_tree
from localcloud import overrides as overrides_mod
from localcloud import provision
from localcloud import services as services_mod

# Started once nova's databases, RabbitMQ and the service users exist.
CONTROL_SERVICES = ('nova-api', 'nova-conductor', 'nova-scheduler')
CONTROLLER_HOST = 'controller'
# How nova's services are judged, beside the API's HTTP (:func:`health`):
SERVICE_RECORD = 'nova'  # nova's API lists it up (conductor, scheduler)
COMPUTE = 'compute'      # nova lists it up and placement has its provider


def options(paths, secrets, nova_overrides=()):
    """What every nova service reads, with the overrides for all of them.

    :func:`compute_options` adds each compute's own.
    """
    nova = paths.path('nova')
    return overrides_mod.apply(nova_overrides, {
        'DEFAULT': {
            'use_stderr': 'true',
            'transport_url': rpc_backend.transport_url(secrets),
            'my_ip': layout.LOOPBACK,
            'host': CONTROLLER_HOST,
            'state_path': nova,
            'instances_path': os.path.join(nova, 'instances'),
            # oslo.service waits up to 60 s for a graceful stop by default;
            # a fake compute has nothing to finish, and restarts (prove,
            # restart) wait for its stop.
            'graceful_shutdown_timeout': '1',
            # Read by the conductor, which writes the service records: a
            # new compute stays disabled until it is a canary (isolate).
            'enable_new_services': 'false',
        },
        'api': {'auth_strategy': 'keystone'},
        'wsgi': {'api_paste_config': os.path.join(paths.venv, 'etc', 'nova',
                                                  'api-paste.ini')},
        'api_database': {'connection': database.db_url(secrets, 'nova_api')},
        'database': {'connection': database.db_url(secrets, 'nova')},
        'keystone_authtoken': keystone.auth_options(secrets, 'nova'),
        'placement': keystone.auth_options(secrets, 'placement'),
        'neutron': keystone.auth_options(secrets, 'neutron'),
        # nova sends a service token beside the user's to the APIs it calls
        # (as devstack configures it); unconfigured, neutron rejects it.
        'service_user': dict(keystone.auth_options(secrets, 'nova'),
                             send_service_user_token='true'),
        'glance': {'region_name': configs.REGION},
        # One worker each keeps the cloud lean, and a single process.
        'conductor': {'workers': '1'},
        'scheduler': {'workers': '1',
                      # The canaries' aggregate: trait:...=required.
                      'enable_isolated_aggregate_filtering': 'true'},
        'oslo_concurrency': {'lock_path': os.path.join(nova, 'locks')},
        'oslo_messaging_notifications': {'driver': 'noop'},
        'vnc': {'enabled': 'false'},
    })


def compute_options(paths, host, driver, nova_overrides):
    """The second config file of one nova-compute.

    Its host, its driver, its own state_path (each nova-compute needs one)
    and the overrides for that host.
    """
    state = paths.path('nova', host)
    sections = {'DEFAULT': {
        'host': host,
        'compute_driver': driver,
        'state_path': state,
        'instances_path': os.path.join(state, 'instances'),
    }}
    # Global overrides too: this file is read after nova.conf, so its own
    # compute_driver would otherwise win over a global one.
    return overrides_mod.apply(nova_overrides, sections, host=host)


def pythonpath(nova_path):
    """The PYTHONPATH of nova's processes.

    ``nova_path`` first, if given (:mod:`localcloud.nova_tree`); localcloud's
    own modules always.
    """
    return ':'.join(p for p in (nova_path, layout.REPO_ROOT) if p)


def compute_service(host):
    """The name of the nova-compute service of ``host``."""
    return 'nova-compute-' + host


def services(paths, compute_hosts, nova_path=None):
    """nova's API, conductor, scheduler and each host's compute, in order.

    ``compute_hosts``: (host, driver); ``nova_path``: where nova's services
    import nova from, None for the venv's.
    """
    env = ('PYTHONPATH', pythonpath(nova_path))
    nova_conf = os.path.join(paths.etc, 'nova', 'nova.conf')
    api = services_mod.api(paths, 'nova-api', 'nova.wsgi.osapi_compute',
                           'OS_NOVA_CONFIG_DIR', health_path='/',
                           pythonpath=env[1])
    found = [dataclasses.replace(api, env=api.env + (
        imports_variable(paths, api.name),))]
    for binary in ('nova-conductor', 'nova-scheduler'):
        # Judged through nova's API, which must be up (and reach RabbitMQ)
        # before their service record can say so: an API's time.
        found.append(services_mod.Service(binary, (
            paths.venv_python, '-m', 'localcloud.nova_one_process', binary,
            '--config-file', nova_conf),
            env=(env, imports_variable(paths, binary)),
            health=SERVICE_RECORD, start_timeout=90))
    for host, _driver in compute_hosts:
        found.append(services_mod.Service(compute_service(host), (
            paths.venv_python, '-m', 'localcloud.nova_one_process',
            'nova-compute', '--config-file', nova_conf,
            '--config-file', os.path.join(paths.etc, 'nova', host + '.conf')),
            env=(env, (nova_one_process.COMPUTE_HOST, host),
                 imports_variable(paths, compute_service(host))),
            health=COMPUTE, start_timeout=120, compute_host=host))
    return found


def imports_variable(paths, name):
    """The environment entry where service ``name`` records its imports."""
    return (imports_record.VARIABLE, imports_path(paths, name))


def imports_path(paths, name):
    return os.path.join(paths.run, '%s.imports' % name)


def changed_services(cloud):
    """The nova services whose imported modules changed since they started.

    Each with the files that changed; a service that left no record of its
    imports counts as changed, with none named.
    """
    tree = nova_tree.import_path(cloud.nova_choice, cloud.paths.state) or (
        nova_tree.venv_site_packages(cloud.paths.venv))
    changed = {}
    for name in service_names(cloud.services):
        files = imports_record.changed_since_start(
            imports_path(cloud.paths, name), tree)
        if files is None or files:
            changed[name] = files or []
    return changed


def service_names(services):
    """The names of the services that run nova's code, in start order."""
    return [s.name for s in services
            if s.name == 'nova-api' or s.health in (SERVICE_RECORD, COMPUTE)]


def health(connection, service, since):
    """(healthy, what was seen) of a conductor, scheduler or compute.

    ``connection`` returns the cloud's SDK connection; ``since``: when the
    process was started here (UTC seconds), None if it was not.
    """
    if service.health == COMPUTE:
        return _compute_health(connection, service.compute_host, since)
    return _service_record_health(connection, service.name, since)


def _service_record_health(connection, binary, since=None):
    try:
        found = list(connection().compute.services(binary=binary))
    except Exception as exc:  # noqa: any API failure means "not yet"
        return False, 'nova API: %s' % api_failure(exc)
    states = ['%s %s/%s' % (s.host, s.status, s.state) for s in found]
    healthy = any(reports_since(s, since) for s in found)
    return healthy, ', '.join(states) or 'no service record yet'


def _compute_health(connection, host, since=None):
    """Up in nova, and its resource provider in placement.

    Up since its start, if it was started here.
    """
    try:
        conn = connection()
        found = list(conn.compute.services(binary='nova-compute',
                                           host=host))
        rps = list(conn.placement.resource_providers(name=host))
    except Exception as exc:  # noqa: any API failure means "not yet"
        return False, 'API: %s' % api_failure(exc)
    if not found or not reports_since(found[0], since):
        return False, 'nova-compute on %s: %s' % (host, ', '.join(
            '%s/%s, last report %s' % (s.status, s.state, s.updated_at)
            for s in found) or 'no service record yet')
    if not rps:
        return False, 'no resource provider named %s yet' % host
    return True, 'up, resource provider %s' % rps[0].id


def reports_since(service, since):
    """Whether nova lists ``service`` up, as reported since ``since``.

    ``since``: when the process was started, in UTC seconds; None: any
    process.

    A restarted service's record stays "up" from its previous run until
    nova's service_down_time passes; its first report after the start tells
    that the new process serves. A record with no report yet was made by
    the process just started. The database keeps whole seconds.
    """
    if service.state != 'up':
        return False
    if since is None or not service.updated_at:
        return True
    reported = datetime.datetime.fromisoformat(service.updated_at.rstrip('Z'))
    return reported.replace(tzinfo=datetime.timezone.utc).timestamp() >= int(
        since)


def api_failure(exc, limit=100):
    """One short line for a failed API call (the cause, not its chain)."""
    text = ' '.join(str(exc).split())
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return '%s: %s' % (type(exc).__name__, text)


def _manage(cloud):
    return (cloud.paths.bin('nova-manage'), '--config-file',
            os.path.join(cloud.paths.etc, 'nova', 'nova.conf'))


def _nova_manage(cloud, step, *args, **kwargs):
    """``nova-manage ARGS`` once per cloud, with the services' nova.

    So that a source tree's own migrations are the ones applied.
    """
    env = {'PYTHONPATH': pythonpath(cloud.nova_path)}
    cloud.once(step, *_manage(cloud), *args, env=env, **kwargs)


def prepare(cloud):
    """Build the nova the services import, before any of them starts.

    With patches, that is an overlay in the state directory.
    """
    nova_tree.prepare(cloud.nova_choice, cloud.paths.venv, cloud.paths.state)


def configure(cloud):
    """nova.conf, its api-paste.ini, each compute's own file and node."""
    etc = os.path.join(cloud.paths.etc, 'nova')
    configs.write_ini(os.path.join(etc, 'nova.conf'), options(
        cloud.paths, cloud.state.secrets, cloud.nova_overrides))
    shutil.copy(os.path.join(cloud.paths.venv, 'etc', 'nova',
                             'api-paste.ini'),
                os.path.join(etc, 'api-paste.ini'))
    for host, driver in cloud.compute_hosts:
        configs.write_ini(os.path.join(etc, host + '.conf'),
                          compute_options(cloud.paths, host, driver,
                                          cloud.nova_overrides))
        _write_node_identity(cloud.paths, host)


def _write_node_identity(paths, host):
    """The compute_id file in the host's state_path, as nova keeps it.

    nova refuses to start a compute whose service record exists without
    one; it holds the node uuid the compute is pinned to
    (:mod:`localcloud.nova_one_process`).
    """
    path = paths.path('nova', host, 'compute_id')
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        configs.write_private(path, nova_one_process.stable_node_uuid(host))


def _sync(cloud, step, databases, *args):
    """A nova-manage sync of ``databases``, or the database cache's restore.

    With the services' nova, as :func:`_nova_manage`; the cache serves the
    venv's nova only, whose migrations its key covers.
    """
    database.sync(cloud, step, databases, *_manage(cloud), *args,
                  env={'PYTHONPATH': pythonpath(cloud.nova_path)},
                  cacheable=cloud.nova_choice.is_release)


def init_api_database(cloud):
    _sync(cloud, 'nova-api-db', ('nova_api',), 'api_db', 'sync')


def map_cell0(cloud):
    # Without --database_connection (a URL with the password, on a command
    # line), nova derives cell0's from [database].
    _nova_manage(cloud, 'nova-cell0', 'cell_v2', 'map_cell0')


def init_databases(cloud):
    # Syncs [database] (cell1's) and, through its mapping, cell0.
    _sync(cloud, 'nova-db', ('nova_cell0', 'nova'), 'db', 'sync')


def create_cell1(cloud):
    _nova_manage(cloud, 'nova-cell1', 'cell_v2', 'create_cell', '--name',
                 'cell1')


# Where the parts of nova that a patch may change run: a patch that changes
# only such files needs only those services restarted, since the others
# never execute what it changes. Any other file restarts every service.
COMPUTES = 'the computes'
RUNS_IN = (
    ('nova/api/openstack/', 'nova-api'),
    ('nova/compute/api.py', 'nova-api'),
    ('nova/conductor/manager.py', 'nova-conductor'),
    ('nova/conductor/tasks/', 'nova-conductor'),
    ('nova/scheduler/manager.py', 'nova-scheduler'),
    ('nova/scheduler/host_manager.py', 'nova-scheduler'),
    ('nova/scheduler/filters/', 'nova-scheduler'),
    ('nova/compute/manager.py', COMPUTES),
    ('nova/virt/', COMPUTES),
)


def _running(path, everything, computes):
    """The services that run the code of nova's file ``path``."""
    for prefix, where in RUNS_IN:
        if path.startswith(prefix):
            return computes if where == COMPUTES else [where]
    return everything


def _patched_services(before, now, everything, computes):
    """The services that the change of patches from ``before`` runs.

    None when more than the patches changed (another tree).
    """
    if before.get('source') != now['source']:
        return None
    old, new = list(before.get('patches') or []), now['patches']
    if old == new:
        return []
    changed = set(old) ^ set(new)
    if not changed:
        return everything  # the same patches in another order
    try:
        files = set().union(*(nova_tree.patched_files(p) for p in changed))
    except OSError:
        return everything  # a patch gone since: its files are unknown
    touched = set() if files else set(everything)
    for path in files:
        touched.update(_running(path, everything, computes))
    return [name for name in everything if name in touched]


def services_to_restart(cloud, record):
    """The nova services whose code or options differ from ``record``'s.

    Every one for another nova tree or a global --nova-conf; for another
    set of patches, those that run the files they change (RUNS_IN); one
    compute for its own --nova-conf.
    """
    everything = service_names(cloud.services)
    hosts = cloud.hosts
    patched = _patched_services(record.get('nova') or {},
                                cloud.nova_choice.as_record(), everything,
                                [compute_service(host) for host in hosts])
    if patched is None:
        return everything
    before = [overrides_mod.parse_nova_override(text, hosts)
              for text in record.get('nova_conf', [])]

    def for_host(overrides, host):
        return [o for o in overrides if o.host == host]

    if for_host(before, None) != for_host(cloud.nova_overrides, None):
        return everything
    restart = set(patched) | {
        compute_service(host) for host in hosts
        if for_host(before, host) != for_host(cloud.nova_overrides, host)}
    return [name for name in everything if name in restart]


def isolate_canaries(cloud):
    """Make both computes canaries, then enable them (see provision)."""
    provision.isolate_canaries(
        cloud.conn, cloud.hosts,
        cloud.shape['canary_aggregate'], cloud.shape['canary_trait'])


def discover_hosts(cloud):
    """Map the computes into cell1, once.

    A restarted compute keeps its node uuid, so its mapping holds.
    """
    _nova_manage(cloud, 'nova-discover-hosts', 'cell_v2', 'discover_hosts')
