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

"""What ``up`` and ``down`` do, as devstack's stack.sh and unstack.sh.

``up`` runs a declared plan (:func:`up_plan`): steps, each naming the
steps it waits for (devstack's ``async_runfunc`` and ``async_wait``).
:func:`run_plan` starts each step as soon as those have finished.
"""

import concurrent.futures
import dataclasses
import os
import shutil
import time

from localcloud import configs
from localcloud import errors
from localcloud import layout
from localcloud.lib import database
from localcloud.lib import glance
from localcloud.lib import keystone
from localcloud.lib import neutron
from localcloud.lib import nova
from localcloud.lib import placement
from localcloud.lib import rpc_backend
from localcloud.lib import tempest
from localcloud import machine
from localcloud import nova_tree
from localcloud import progress
from localcloud import services as services_mod

# The steps are mostly waits on subprocesses and APIs: as many threads as
# the plan ever runs side by side.
MAX_WORKERS = 16
# Every service's lib, in start order.
LIBS = (database, rpc_backend, keystone, placement, glance, neutron, nova)


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    actions: tuple    # functions of the cloud, called in turn
    after: tuple = ()  # the names of the steps it waits for


def build_services(paths, compute_hosts, nova_path=None):
    """Every service, in start order: each lib's ``services``.

    ``compute_hosts``: (host, driver); ``nova_path``: where nova's services
    import nova from, None for the venv's.
    """
    return [service for lib in LIBS if lib is not nova
            for service in lib.services(paths)] + nova.services(
                paths, compute_hosts, nova_path)


def start(name):
    """An action: start the service ``name`` unless it runs healthy."""
    def start_service(cloud):
        cloud.processes.start(name)
    return start_service


def up_plan(cloud):
    """The steps of ``up``, each after the steps it needs."""
    computes = tuple(nova.compute_service(host)
                     for host, _driver in cloud.compute_hosts)
    # The service users and the catalog too: nova's placement client
    # reads the catalog once and keeps "no placement" for good.
    nova_needs = ('keystone-accounts', 'rabbitmq', 'nova-db', 'nova-cell1')
    return (
        Step('mariadb', (database.start,)),
        Step('epmd', (start('epmd'),)),
        # RabbitMQ registers with epmd as it starts.
        Step('rabbitmq', (start('rabbitmq'),), after=('epmd',)),
        Step('databases', (database.create_databases,), after=('mariadb',)),
        Step('keystone-db', (keystone.init_database,), after=('databases',)),
        # The key repositories need no database: made beside its sync.
        Step('keystone-keys', (keystone.init_key_repositories,)),
        # The API starts beside the bootstrap: it reads the admin from the
        # database at a request.
        Step('keystone-bootstrap', (keystone.bootstrap,),
             after=('keystone-db',)),
        Step('keystone', (start('keystone'),),
             after=('keystone-db', 'keystone-keys')),
        Step('keystone-accounts', (keystone.create_accounts,),
             after=('keystone-bootstrap', 'keystone')),
        Step('placement', (placement.init, start('placement')),
             after=('databases',)),
        Step('glance', (glance.init, start('glance')), after=('databases',)),
        Step('neutron', (neutron.init, start('neutron')),
             after=('databases',)),
        Step('nova-api-db', (nova.init_api_database,), after=('databases',)),
        Step('nova-db', (nova.map_cell0, nova.init_databases),
             after=('nova-api-db',)),
        # cell1's mapping is needed by nothing above: made beside them.
        Step('nova-cell1', (nova.create_cell1,), after=('nova-api-db',)),
    ) + tuple(
        Step(name, (start(name),), after=nova_needs)
        for name in nova.CONTROL_SERVICES
    ) + tuple(
        # A compute needs keystone's users, placement and the conductor
        # (it waits for it by itself), not neutron or glance; it starts
        # beside nova's API, through which its health is read.
        Step(name, (start(name),), after=('placement',) + nova_needs)
        for name in computes
    ) + (
        # Flavors, image and tempest.conf need nova's API and glance, not
        # the computes.
        Step('workspace', (tempest.write_workspace,),
             after=('glance', 'nova-api')),
        Step('discover-hosts', (nova.discover_hosts,), after=computes),
        # An aggregate takes only mapped hosts.
        Step('canaries', (nova.isolate_canaries,),
             after=('discover-hosts',)),
    )


def check_plan(steps):
    """ValueError unless each step waits only for steps declared before it.

    (So that the plan has no cycle and names no step it lacks.)
    """
    seen = set()
    for step in steps:
        unknown = [name for name in step.after if name not in seen]
        if unknown or step.name in seen:
            raise ValueError(
                'step %r of the plan waits for %s, which no earlier step is '
                'named (or its name is taken): declare each step after the '
                'steps it waits for, once.'
                % (step.name, ', '.join(unknown) or 'nothing unknown'))
        seen.add(step.name)


def run_plan(steps, cloud, max_workers=MAX_WORKERS):
    """Run ``steps``, each as soon as the steps it waits for are done.

    After a failure no step starts; those running finish; then the failure
    is raised.
    """
    check_plan(steps)
    done, waiting, running = set(), list(steps), {}
    with concurrent.futures.ThreadPoolExecutor(max_workers) as pool:
        while waiting or running:
            for step in [s for s in waiting if done.issuperset(s.after)]:
                waiting.remove(step)
                running[pool.submit(_run_step, step, cloud)] = step
            finished, _ = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                future.result()
                done.add(running.pop(future).name)


def _run_step(step, cloud):
    for action in step.actions:
        action(cloud)


def write_configs(cloud):
    """Every service's files, supervisord's and clouds.yaml."""
    paths = cloud.paths
    for directory in (paths.etc, paths.logs, paths.run,
                      paths.path('rabbitmq')):
        os.makedirs(directory, mode=0o700, exist_ok=True)
    for lib in LIBS:
        lib.configure(cloud)
    configs.write_private(paths.supervisor_conf,
                          services_mod.supervisord_conf(paths,
                                                        cloud.services))
    configs.write_private(paths.clouds_yaml,
                          configs.clouds_yaml(cloud.state.secrets))


def up(cloud):
    """Bring the cloud up, or what of it is not running; say what changed.

    On a cloud that is up with another nova (--nova-conf, --nova-source,
    --nova-patch), only the nova services that change are restarted.
    """
    wanted = {'nova_conf': [str(o) for o in cloud.nova_overrides],
              'nova': cloud.nova_choice.as_record()}
    new_nova = True
    if cloud.is_up():
        record = cloud.state.load_record()
        new_nova = record.get('nova') != wanted['nova']
        changed = nova.services_to_restart(cloud, record)
        stopped = [s.name for s in cloud.services
                   if not cloud.processes.running(s.name)]
        if not changed and not stopped:
            progress.step('the cloud in %s is already up: nothing changed'
                          % cloud.paths.state)
            return
        if stopped:
            progress.step('the cloud is up but these are not running: %s; '
                          'starting them' % ', '.join(stopped))
        if changed:
            # A patch that does not apply stops here, with nothing changed.
            if new_nova:
                nova.prepare(cloud)
            progress.step('restarting %s for %s' % (
                ', '.join(changed), describe_nova(cloud)))
            cloud.processes.stop_many(changed)
    elif new_nova:
        nova.prepare(cloud)
    began = time.monotonic()
    if not cloud.supervisor.pid:
        orphans = cloud.processes.kill_orphans()
        if orphans:
            progress.step('supervisord was gone; stopped what it had '
                          'started: %s' % ', '.join(orphans))
    cloud.state.save_record(ready=False, **wanted)
    write_configs(cloud)
    if cloud.supervisor.start_daemon():
        progress.step('supervisord started')
    else:
        cloud.supervisor.reload()
    run_plan(up_plan(cloud), cloud)
    cloud.state.save_record(ready=True, up_seconds=time.monotonic() - began,
                            start_times=cloud.processes.start_times)
    progress.step('the cloud is up in %.1fs, with %s; tempest workspace: %s'
                  % (time.monotonic() - began, describe_nova(cloud),
                     cloud.paths.workspace))


def restart_nova(cloud, names=()):
    """Restart nova's services with the nova chosen at ``up``, rebuilt.

    ``names``: those services. None named: those that run a module of
    nova changed since their start (:func:`nova.changed_services`), so an
    edit of nova/compute/manager.py restarts the computes only. Returns
    the names restarted.
    """
    nova.prepare(cloud)
    everything = nova.service_names(cloud.services)
    unknown = [name for name in names if name not in everything]
    if unknown:
        raise errors.CloudError(
            'restart %s: no such nova service; expected one of %s'
            % (' '.join(unknown), ', '.join(everything)))
    if not names:
        changed = nova.changed_services(cloud)
        for name, files in changed.items():
            progress.step('%s runs what changed since its start: %s' % (
                name, ', '.join(os.path.basename(f) for f in files[:4])
                + (' and %d more' % (len(files) - 4) if len(files) > 4
                   else '') if files else 'no record of its imports'))
        names = [name for name in everything if name in changed]
    if not names:
        progress.step('no nova service runs a module changed since its '
                      'start: nothing restarted (name services to restart '
                      'them anyway: restart nova-compute-%s)'
                      % cloud.shape['destination_host'])
        return []
    progress.step('restarting %s for %s' % (', '.join(names),
                                            describe_nova(cloud)))
    cloud.processes.stop_many(names)
    up(cloud)
    return list(names)


def describe_nova(cloud):
    return nova_tree.describe(cloud.nova_choice, cloud.paths.venv)


def down(cloud, purge=False):
    """Stop every process of the cloud; with ``purge``, remove its state."""
    killed = cloud.processes.stop_all()
    if killed:
        progress.step('killed what did not stop: %s'
                      % ', '.join(map(str, killed)))
    listening = {name: port for name, port in layout.PORTS.items()
                 if machine.port_open(port)}
    if listening:
        raise errors.CloudError('still listening after down: %s' % ', '.join(
            '%s (%d)\n%s' % (name, port, machine.who_listens(port))
            for name, port in listening.items()))
    if os.path.exists(cloud.paths.cloud_record):
        cloud.state.save_record(ready=False, processes={})
    progress.step('every process of the cloud in %s is stopped'
                  % cloud.paths.state)
    if purge and os.path.exists(cloud.paths.state):
        shutil.rmtree(cloud.paths.state)
        progress.step('removed %s' % cloud.paths.state)
