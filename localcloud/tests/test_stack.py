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

"""up and down without a cloud: the supervisor, the SDK connection, the
services' *-manage commands and their health are stand-ins; the plan, the
runner, the state directory and the configuration files are real.
"""

import os
import threading
import time

import fixtures

from localcloud import cloud as cloud_mod
from localcloud import errors
from localcloud.lib import database
from localcloud.lib import keystone
from localcloud.lib import nova
from localcloud import machine
from localcloud import nova_one_process
from localcloud import nova_tree
from localcloud import overrides
from localcloud import processes
from localcloud import provision
from localcloud import stack
from localcloud.tests import base

# How long each stand-in takes: long enough that a step which did not wait
# for another would begin before that one ends.
ACTION_SECONDS = 0.02
CONTROL = ('nova-api', 'nova-conductor', 'nova-scheduler')
COMPUTES = tuple('nova-compute-' + host for host in base.HOSTS)
NOVA = CONTROL + COMPUTES
DB_SYNCS = ('keystone-manage db_sync', 'placement-manage db sync',
            'glance-manage db_sync', 'neutron-db-manage upgrade heads',
            'nova-manage api_db sync')
# (what must have ended, what may begin only then): what each part of the
# cloud needs from the others.
NEEDS = (
    [('manage mariadb-install-db', 'start mariadb'),
     ('start mariadb', 'manage mariadb'),
     ('start epmd', 'start rabbitmq'),
     ('manage nova-manage api_db sync',
      'manage nova-manage cell_v2 map_cell0'),
     ('manage nova-manage cell_v2 map_cell0', 'manage nova-manage db sync'),
     ('manage nova-manage api_db sync',
      'manage nova-manage cell_v2 create_cell'),
     ('manage keystone-manage db_sync', 'manage keystone-manage bootstrap'),
     ('manage keystone-manage db_sync', 'start keystone'),
     ('keystone keys', 'start keystone'),
     ('manage keystone-manage bootstrap', 'identity'),
     ('start keystone', 'identity'),
     ('manage placement-manage db sync', 'start placement'),
     ('manage glance-manage db_sync', 'start glance'),
     ('manage neutron-db-manage upgrade heads', 'start neutron'),
     ('start glance', 'workspace'),
     ('start nova-api', 'workspace')]
    + [('manage mariadb', 'manage ' + sync) for sync in DB_SYNCS]
    + [(need, 'start ' + name) for name in CONTROL
       for need in ('identity', 'start rabbitmq', 'manage nova-manage db sync',
                    'manage nova-manage cell_v2 create_cell')]
    + [(need, 'start ' + name) for name in COMPUTES
       for need in ('start placement', 'identity', 'start rabbitmq',
                    'manage nova-manage db sync',
                    'manage nova-manage cell_v2 create_cell')]
    + [('start ' + name, 'manage nova-manage cell_v2 discover_hosts')
       for name in COMPUTES]
    + [('manage nova-manage cell_v2 discover_hosts', 'canaries'),
       ('identity', 'canaries')])


class EventLog(list):
    """(kind, what) events, and the step of the plan each ran in."""

    def __init__(self):
        super().__init__()
        self.step_of = {}  # what: the name of the step it ran in
        self.current = threading.local()

    def append(self, event):
        super().append(event)
        self.step_of.setdefault(event[1], getattr(self.current, 'step', None))

    def in_step(self, run_step):
        """``run_step`` (stack._run_step), noting which step runs."""
        def noted(step, cloud):
            self.current.step = step.name
            try:
                run_step(step, cloud)
            finally:
                self.current.step = None
        return noted


class StandIns(fixtures.Fixture):
    """What up and down reach outside this process, logged in ``events``."""

    def __init__(self, events):
        super().__init__()
        self.events = events
        self.healthy = {}  # service name: False while unhealthy
        self.meetings = {}  # what: a barrier of the parts that must overlap

    def _setUp(self):
        self.useFixture(fixtures.MockPatchObject(
            machine, 'port_open', return_value=False))
        self.useFixture(fixtures.MockPatchObject(
            processes.Processes, 'health', self.health))
        self.useFixture(fixtures.MockPatchObject(
            cloud_mod.Cloud, 'manage', self.manage))
        self.useFixture(fixtures.MockPatchObject(
            provision, 'identity', self.identity))
        self.useFixture(fixtures.MockPatchObject(
            keystone, 'init_key_repositories', self.key_repositories))
        self.useFixture(fixtures.MockPatchObject(
            provision, 'flavors_and_image', self.flavors_and_image))
        self.useFixture(fixtures.MockPatchObject(
            provision, 'test_accounts', self.test_accounts))
        self.useFixture(fixtures.MockPatchObject(
            provision, 'isolate_canaries', self.isolate_canaries))
        # No MariaDB here: every sync runs (test_dbcache covers the cache).
        self.useFixture(fixtures.MockPatchObject(
            database, 'cache_of', return_value=None))

    def act(self, what):
        self.events.append(('begin', what))
        meeting = self.meetings.get(what)
        if meeting:
            # Held until every part of the meeting has begun: it breaks
            # (and the test fails) if one of them waits for another.
            meeting.wait()
        time.sleep(ACTION_SECONDS)
        self.events.append(('end', what))

    def health(self, service):
        return self.healthy.get(service.name, True), 'stand-in'

    def manage(self, *cmd, **kwargs):
        self.act(' '.join(['manage', os.path.basename(cmd[0])] + [
            a for a in cmd[1:] if not a.startswith('-') and '/' not in a]))

    def identity(self, conn, secrets):
        self.act('identity')

    def key_repositories(self, cloud):
        self.act('keystone keys')

    def test_accounts(self, conn, secrets):
        self.act('test accounts')

    def isolate_canaries(self, conn, hosts, aggregate_name, trait):
        self.act('canaries')

    def flavors_and_image(self, conn):
        self.act('workspace')
        return {'localcloud.tiny': 'f1', 'localcloud.small': 'f2'}, 'i1'


class StackTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.paths = self.make_layout()
        paste = os.path.join(self.paths.venv, 'etc', 'nova', 'api-paste.ini')
        os.makedirs(os.path.dirname(paste))
        with open(paste, 'w') as f:
            f.write('[composite:osapi_compute]\n')
        self.events = EventLog()
        self.useFixture(fixtures.MockPatchObject(
            stack, '_run_step', self.events.in_step(stack._run_step)))
        self.stand_ins = self.useFixture(StandIns(self.events))
        self.supervisor = base.FakeSupervisor(self.events, ACTION_SECONDS)
        self.connections = []
        self.cloud = cloud_mod.Cloud(self.paths, supervisor=self.supervisor,
                                     connect=self.connect)
        self.out = self.capture()

    def connect(self, secrets):
        self.connections.append(secrets['admin'])
        return object()

    def at(self, kind, what):
        """Where ``what`` (a prefix of whole words) was logged as ``kind``."""
        return self.events.index((kind, self.find(what)))

    def find(self, what):
        """The logged event that ``what`` is a prefix of (whole words)."""
        for _kind, logged in self.events:
            if (logged + ' ').startswith(what + ' '):
                return logged
        self.fail('no %r among %s' % (what, self.events))

    def began(self, kind='begin'):
        return sorted(what for logged_kind, what in self.events
                      if logged_kind == kind)


class UpTest(StackTestCase):

    def test_each_part_waits_for_what_it_needs(self):
        stack.up(self.cloud)
        plan = {step.name: step for step in stack.up_plan(self.cloud)}

        def waited_for(name):
            found = set(plan[name].after)
            for earlier in plan[name].after:
                found |= waited_for(earlier)
            return found

        for need, then in NEEDS:
            need_step = self.events.step_of[self.find(need)]
            then_step = self.events.step_of[self.find(then)]
            if need_step == then_step:
                self.assertLess(self.at('end', need), self.at('begin', then),
                                '%r began before %r ended' % (then, need))
            else:
                self.assertIn(need_step, waited_for(then_step),
                              'step %s (%s) does not wait for step %s (%s)'
                              % (then_step, then, need_step, need))

    def test_each_part_starts_once_and_the_record_says_ready(self):
        stack.up(self.cloud)
        begun = self.began()
        self.assertEqual(sorted(set(begun)), begun)
        self.assertEqual(sorted('start ' + s.name
                                for s in self.cloud.services),
                         [b for b in begun if b.startswith('start ')])
        record = self.cloud.state.load_record()
        self.assertTrue(record['ready'])
        self.assertEqual(sorted(s.name for s in self.cloud.services),
                         sorted(record['processes']))
        self.assertIn('the cloud is up in', self.out.getvalue())

    def test_independent_parts_overlap(self):
        # The services' database syncs all run at once: each is held until
        # all have begun, however slow the machine.
        meeting = threading.Barrier(len(DB_SYNCS), timeout=10)
        self.stand_ins.meetings.update(
            ('manage ' + sync, meeting) for sync in DB_SYNCS)
        stack.up(self.cloud)
        self.assertFalse(meeting.broken)
        first_end = min(self.at('end', 'manage ' + sync)
                        for sync in DB_SYNCS)
        for sync in DB_SYNCS:
            self.assertLess(self.at('begin', 'manage ' + sync), first_end)

    def test_up_on_an_up_cloud_changes_nothing(self):
        stack.up(self.cloud)
        with open(self.paths.cloud_record) as f:
            record = f.read()
        connections = len(self.connections)
        del self.events[:]
        stack.up(cloud_mod.Cloud(self.paths, supervisor=self.supervisor,
                                 connect=self.connect))
        self.assertEqual([], self.events)
        self.assertEqual(connections, len(self.connections))
        with open(self.paths.cloud_record) as f:
            self.assertEqual(record, f.read())
        self.assertIn('is already up: nothing changed', self.out.getvalue())

    def test_up_starts_only_what_stopped(self):
        stack.up(self.cloud)
        self.supervisor.stop('nova-scheduler')
        del self.events[:]
        stack.up(self.cloud)
        self.assertEqual(['start nova-scheduler'],
                         [b for b in self.began() if b.startswith('start ')])
        # Bootstrap steps done once are not done again.
        self.assertNotIn('manage nova-manage db sync', self.began())
        self.assertIn('these are not running: nova-scheduler',
                      self.out.getvalue())

    def up_again(self, nova_conf=(), patches=()):
        """up with other nova options on the cloud up; what it started."""
        other = cloud_mod.Cloud(
            self.paths, [overrides.parse_nova_override(text, base.HOSTS)
                         for text in nova_conf],
            nova_tree.NovaChoice.from_args(patches=patches),
            supervisor=self.supervisor, connect=self.connect)
        del self.events[:]
        self.other = other
        stack.up(other)
        return [b[len('start '):] for b in self.began()
                if b.startswith('start ')]

    def test_one_hosts_nova_conf_restarts_that_compute_only(self):
        stack.up(self.cloud)
        option = '%s:DEFAULT:compute_driver=fake.FakeDriver' % base.HOSTS[1]
        self.assertEqual([COMPUTES[1]], self.up_again([option]))
        self.assertIn(('stop', COMPUTES[1]), self.events)
        self.assertEqual([option],
                         self.cloud.state.load_record()['nova_conf'])
        # And back: the same compute again, nothing else.
        self.assertEqual([COMPUTES[1]], self.up_again())

    def test_a_global_nova_conf_restarts_every_nova_service(self):
        stack.up(self.cloud)
        self.assertEqual(sorted(NOVA), self.up_again(['DEFAULT:debug=true']))

    def test_another_nova_restarts_every_nova_service_from_it(self):
        stack.up(self.cloud)
        patch = os.path.join(self.paths.home, 'change.diff')
        with open(patch, 'w') as f:
            f.write('--- a/nova/x.py\n+++ b/nova/x.py\n@@ -1 +1 @@\n-a\n+b\n')
        self.useFixture(fixtures.MockPatchObject(nova_tree, 'prepare'))
        self.assertEqual(sorted(NOVA), self.up_again(patches=[patch]))
        overlay = os.path.join(self.paths.state, nova_tree.OVERLAY)
        for service in self.other.services:
            if service.name in NOVA:
                self.assertTrue(dict(service.env)['PYTHONPATH'].startswith(
                    overlay + ':'), service)
        self.assertEqual({'source': None, 'patches': [patch]},
                         self.cloud.state.load_record()['nova'])

    def write_patch(self, name, path):
        patch = os.path.join(self.paths.home, name)
        with open(patch, 'w') as f:
            f.write('diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n'
                    '@@ -1 +1 @@\n-a\n+b\n' % ((path,) * 4))
        return patch

    def test_a_patch_restarts_the_services_that_run_its_files(self):
        stack.up(self.cloud)
        self.useFixture(fixtures.MockPatchObject(nova_tree, 'prepare'))
        api = self.write_patch('api.diff', 'nova/compute/api.py')
        computes = self.write_patch('computes.diff',
                                    'nova/compute/manager.py')
        self.assertEqual(['nova-api'], self.up_again(patches=[api]))
        # From one patch to another: what either changes.
        self.assertEqual(sorted(('nova-api',) + COMPUTES),
                         self.up_again(patches=[computes]))
        # Back to the release: what the last patch changed.
        self.assertEqual(sorted(COMPUTES), self.up_again())
        # A file no service is known to keep to itself: every one.
        objects = self.write_patch('objects.diff',
                                   'nova/objects/request_spec.py')
        self.assertEqual(sorted(NOVA), self.up_again(patches=[objects]))

    def test_a_patch_that_does_not_apply_changes_nothing(self):
        stack.up(self.cloud)
        with open(self.paths.cloud_record) as f:
            record = f.read()
        self.useFixture(fixtures.MockPatchObject(
            nova_tree, 'prepare',
            side_effect=nova_tree.NovaTreeError('does not apply')))
        patch = os.path.join(self.paths.home, 'change.diff')
        with open(patch, 'w') as f:
            f.write('--- a/nova/x.py\n+++ b/nova/x.py\n@@ -1 +1 @@\n-a\n+b\n')
        self.assertRaises(nova_tree.NovaTreeError, self.up_again,
                          patches=[patch])
        self.assertEqual([], self.events)
        with open(self.paths.cloud_record) as f:
            self.assertEqual(record, f.read())

    def test_write_configs(self):
        stack.write_configs(self.cloud)
        for host in base.HOSTS:
            self.assertTrue(os.path.exists(os.path.join(
                self.paths.etc, 'nova', host + '.conf')))
            # The node identity nova keeps in the compute's state_path.
            with open(self.paths.path('nova', host, 'compute_id')) as f:
                self.assertEqual(nova_one_process.stable_node_uuid(host),
                                 f.read())
        written = [os.path.join(top, name)
                   for top, _dirs, names in os.walk(self.paths.state)
                   for name in names]
        self.assertGreater(len(written), 12)
        for path in written:
            if not path.endswith('api-paste.ini'):
                self.assertEqual(0o600, base.mode(path), path)
        for directory in (self.paths.etc, self.paths.logs, self.paths.run):
            self.assertEqual(0o700, base.mode(directory), directory)


class PlanTest(base.TestCase):
    """The runner, with steps that log when they begin and end."""

    def setUp(self):
        super().setUp()
        self.events = []

    def step(self, name, after=(), action=None):
        def log(cloud):
            self.events.append(('begin', name))
            if action:
                action()
            else:
                time.sleep(ACTION_SECONDS)
            self.events.append(('end', name))
        return stack.Step(name, (log,), after=after)

    def test_a_step_begins_after_what_it_waits_for(self):
        stack.run_plan([self.step('a'), self.step('b', after=('a',)),
                        self.step('c'), self.step('d', after=('b', 'c'))],
                       cloud=None)
        order = self.events
        self.assertLess(order.index(('end', 'a')),
                        order.index(('begin', 'b')))
        self.assertLess(order.index(('end', 'b')),
                        order.index(('begin', 'd')))
        self.assertLess(order.index(('end', 'c')),
                        order.index(('begin', 'd')))

    def test_steps_that_wait_for_nothing_run_side_by_side(self):
        both = threading.Barrier(2, timeout=5)
        stack.run_plan([self.step('a', action=both.wait),
                        self.step('b', action=both.wait)], cloud=None)
        self.assertEqual(4, len(self.events))

    def test_a_failure_stops_what_waits_for_it(self):
        def fail():
            raise errors.CloudError('a broke')
        error = self.assertRaises(
            errors.CloudError, stack.run_plan,
            [self.step('a', action=fail), self.step('b', after=('a',)),
             self.step('c')], cloud=None)
        self.assertEqual('a broke', str(error))
        self.assertNotIn(('begin', 'b'), self.events)
        self.assertIn(('end', 'c'), self.events)

    def test_a_step_must_follow_what_it_waits_for(self):
        for steps in ([self.step('b', after=('a',)), self.step('a')],
                      [self.step('a', after=('nothing',))],
                      [self.step('a'), self.step('a')]):
            error = self.assertRaises(ValueError, stack.run_plan, steps,
                                      cloud=None)
            self.assertIn('declare each step after the steps it waits for',
                          str(error))
        self.assertEqual([], self.events)

    def test_the_plan_of_up_is_well_formed(self):
        cloud = cloud_mod.Cloud(self.make_layout())
        plan = stack.up_plan(cloud)
        stack.check_plan(plan)
        # Each service has its step (UpTest: the step starts it).
        self.assertEqual(set(), {s.name for s in cloud.services}
                         - {step.name for step in plan})


class RestartTest(StackTestCase):
    """restart: the services that run what changed, or those named."""

    def setUp(self):
        super().setUp()
        stack.up(self.cloud)
        self.tree = nova_tree.venv_site_packages(self.paths.venv)
        for module in ('compute/manager.py', 'scheduler/manager.py',
                       '__init__.py'):
            self.write_module(module, mtime=1000.0)
        # Each service's record: started at 2000, and what it imported.
        for name in nova.service_names(self.cloud.services):
            imported = ['nova'] + (['nova.compute.manager']
                                   if name.startswith('nova-compute-') else
                                   ['nova.scheduler.manager'])
            with open(nova.imports_path(self.paths, name), 'w') as f:
                f.write('2000.000\n' + '\n'.join(imported) + '\n')
        del self.events[:]

    def write_module(self, module, mtime):
        path = os.path.join(self.tree, 'nova', module)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write('# %s\n' % module)
        os.utime(path, (mtime, mtime))

    def restarted(self, *names):
        done = stack.restart_nova(self.cloud, names)
        self.assertEqual(sorted(done), sorted(
            b[len('start '):] for b in self.began()
            if b.startswith('start ')))
        return done

    def test_an_edit_of_the_compute_manager_restarts_the_computes(self):
        self.write_module('compute/manager.py', mtime=3000.0)
        self.assertEqual(list(COMPUTES), self.restarted())
        self.assertIn('nova-compute-host1 runs what changed since its '
                      'start: manager.py', self.out.getvalue())

    def test_nothing_changed_restarts_nothing_and_says_so(self):
        self.assertEqual([], self.restarted())
        self.assertEqual([], self.events)
        self.assertIn('nothing restarted (name services to restart them '
                      'anyway: restart nova-compute-host2)',
                      self.out.getvalue())

    def test_a_service_without_a_record_is_restarted(self):
        os.remove(nova.imports_path(self.paths, 'nova-api'))
        self.assertEqual(['nova-api'], self.restarted())
        self.assertIn('nova-api runs what changed since its start: no '
                      'record of its imports', self.out.getvalue())

    def test_named_services_whatever_changed(self):
        self.assertEqual([COMPUTES[1]], self.restarted(COMPUTES[1]))

    def test_an_unknown_name_is_refused_with_the_names(self):
        error = self.assertRaises(errors.CloudError, stack.restart_nova,
                                  self.cloud, ['nova-compute-host9'])
        self.assertIn('restart nova-compute-host9: no such nova service; '
                      'expected one of nova-api, nova-conductor', str(error))
        self.assertEqual([], self.events)


class DownTest(StackTestCase):

    def test_dependents_stop_before_what_they_depend_on(self):
        stack.up(self.cloud)
        del self.events[:]
        stack.down(self.cloud)
        stopped = [name for kind, name in self.events if kind == 'stop']
        self.assertEqual(sorted(s.name for s in self.cloud.services),
                         sorted(stopped))
        self.assertEqual(['rabbitmq', 'epmd', 'mariadb'], stopped[-3:])
        record = self.cloud.state.load_record()
        self.assertEqual((False, {}), (record['ready'], record['processes']))
        self.assertIn('every process of the cloud', self.out.getvalue())

    def test_a_listener_left_on_a_port_of_the_cloud_is_an_error(self):
        stack.up(self.cloud)
        self.useFixture(fixtures.MockPatchObject(
            machine, 'port_open',
            side_effect=lambda port: port == self.cloud.services[1].port))
        self.useFixture(fixtures.MockPatchObject(
            machine, 'who_listens', return_value='epmd pid=99'))
        error = self.assertRaises(errors.CloudError, stack.down, self.cloud)
        self.assertIn('still listening after down: epmd (%d)\nepmd pid=99'
                      % self.cloud.services[1].port, str(error))

    def test_purge_removes_the_state_directory(self):
        stack.up(self.cloud)
        stack.down(self.cloud, purge=True)
        self.assertFalse(os.path.exists(self.paths.state))
        self.assertTrue(os.path.exists(self.paths.venv))
