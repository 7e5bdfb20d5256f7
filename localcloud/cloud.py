"""The verbs, run inside the cloud's venv: up, run, status, down, logs,
bench.
"""

import concurrent.futures
import http.client
import json
import os
import secrets as secrets_mod
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from localcloud import configs
from localcloud import errors
from localcloud import layout
from localcloud import overrides as overrides_mod
from localcloud import progress
from localcloud import services as services_mod
from localcloud import supervision

SECRET_NAMES = ('database', 'rabbitmq', 'admin') + configs.SERVICE_USERS
# How long each kind of service may take to become healthy.
START_TIMEOUT = {'tcp': 30, 'api': 90, 'compute': 120}


CloudError = errors.CloudError


def step(message):
    progress.step(message)


class Cloud:
    def __init__(self, paths, nova_overrides=()):
        self.paths = paths
        self.shape, self.tempest_options = layout.read_cloud_shape()
        self.compute_hosts = (
            (self.shape['source_host'], self.shape['source_driver']),
            (self.shape['destination_host'], self.shape['destination_driver']),
        )
        self.nova_overrides = list(nova_overrides)
        self.services = services_mod.build(paths, self.compute_hosts)
        self.by_name = {s.name: s for s in self.services}
        self.supervisor = supervision.Supervisor(paths)
        self._secrets = None
        self._conn = None
        self._record_lock = threading.Lock()
        self.start_times = {}

    # -- state ------------------------------------------------------------

    @property
    def secrets(self):
        if self._secrets is None:
            try:
                with open(self.paths.secrets) as f:
                    self._secrets = json.load(f)
            except FileNotFoundError:
                self._secrets = {name: secrets_mod.token_urlsafe(24)
                                 for name in SECRET_NAMES}
                configs.write_private(self.paths.secrets,
                                      json.dumps(self._secrets))
        return self._secrets

    def redact(self, text):
        """``text`` with every generated secret masked, for logs."""
        for secret in self.secrets.values():
            text = text.replace(secret, '***')
        return text

    def load_record(self):
        try:
            with open(self.paths.cloud_record) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def save_record(self, **fields):
        self.update_record(lambda record: record.update(fields))

    def update_record(self, change):
        """Read, change and write the record as one step among threads."""
        with self._record_lock:
            record = self.load_record()
            change(record)
            configs.write_private(self.paths.cloud_record,
                                  json.dumps(record, indent=2))

    def _remember(self, name, pid):
        """Record a started process, with its command line.

        So that down can stop it even when supervisord is gone.
        """
        started_as = cmdline(pid)
        self.update_record(lambda record: record.setdefault(
            'processes', {}).update({name: [pid, started_as]}))

    def kill_orphans(self):
        """Kill what this cloud started and supervisord no longer watches.

        A pid counts only while its command line is the one recorded at its
        start, so a pid reused by another program is left alone.
        """
        killed = []
        for name, (pid, started_as) in sorted(
                (self.load_record().get('processes') or {}).items()):
            if supervision.pid_alive(pid) and cmdline(pid) == started_as:
                supervision.kill_group(pid)
                killed.append('%s (pid %d)' % (name, pid))
        return killed

    @property
    def conn(self):
        if self._conn is None:
            from localcloud import provision  # imports openstacksdk
            self._conn = provision.admin_connection(self.secrets)
        return self._conn

    # -- configuration ------------------------------------------------------

    def write_configs(self):
        paths, secrets = self.paths, self.secrets
        for directory in (paths.etc, paths.logs, paths.run,
                          paths.path('rabbitmq')):
            os.makedirs(directory, mode=0o700, exist_ok=True)
        etc = paths.etc
        write = configs.write_ini
        write(os.path.join(etc, 'my.cnf'), configs.mariadb_conf(paths))
        configs.write_private(os.path.join(etc, 'rabbitmq.conf'),
                              configs.rabbitmq_conf(secrets))
        configs.write_private(os.path.join(etc, 'rabbitmq-plugins'), '[].\n')
        write(os.path.join(etc, 'keystone', 'keystone.conf'),
              configs.keystone_conf(paths, secrets))
        write(os.path.join(etc, 'placement', 'placement.conf'),
              configs.placement_conf(paths, secrets))
        write(os.path.join(etc, 'glance', 'glance-api.conf'),
              configs.glance_conf(paths, secrets))
        write(os.path.join(etc, 'neutron', 'neutron.conf'),
              configs.neutron_conf(paths, secrets))
        write(os.path.join(etc, 'neutron', 'plugins', 'ml2', 'ml2_conf.ini'),
              configs.ml2_conf())
        write(os.path.join(etc, 'nova', 'nova.conf'),
              configs.nova_conf(paths, secrets, self.nova_overrides))
        shutil.copy(os.path.join(paths.venv, 'etc', 'nova', 'api-paste.ini'),
                    os.path.join(etc, 'nova', 'api-paste.ini'))
        for host, driver in self.compute_hosts:
            write(os.path.join(etc, 'nova', host + '.conf'),
                  configs.compute_conf(paths, host, driver,
                                       self.nova_overrides))
        configs.write_private(paths.supervisor_conf,
                              services_mod.supervisord_conf(paths,
                                                            self.services))
        configs.write_private(paths.clouds_yaml,
                              configs.clouds_yaml(secrets))

    # -- processes ----------------------------------------------------------

    def start(self, name):
        """Start one service and wait until it is healthy."""
        service = self.by_name[name]
        began = time.monotonic()
        if service.port and not self._running(name) and port_open(
                service.port):
            raise CloudError(
                'port %d, which %s must listen on, is taken by another '
                'process:\n%s\nStop that process, or run '
                '"python3 -m localcloud down" if it is an earlier cloud.'
                % (service.port, name, who_listens(service.port)))
        pid = self.supervisor.start(name)
        try:
            self.wait_healthy(service)
        finally:
            # Read once it has run a while: right after the fork, the
            # command line is still supervisord's.
            self._remember(name, pid)
        self.start_times[name] = time.monotonic() - began
        step('%s healthy (pid %s) after %.1fs'
             % (name, pid, self.start_times[name]))

    def _running(self, name):
        info = self.supervisor.all_info().get(name)
        return bool(info and info['statename'] == 'RUNNING')

    def wait_healthy(self, service):
        kind = ('compute' if service.compute_host
                else 'api' if service.is_api else 'tcp')
        timeout = START_TIMEOUT[kind]
        deadline = time.monotonic() + timeout
        seen = 'no answer yet'
        while time.monotonic() < deadline:
            if not self._running(service.name):
                raise self._failure(service, 'exited while starting')
            ok, seen = self.health(service)
            if ok:
                return
            time.sleep(0.2)
        raise self._failure(service, 'not healthy within %ds (last seen: %s)'
                            % (timeout, seen))

    def _failure(self, service, what):
        return CloudError('%s %s. The last lines of %s:\n%s'
                          % (service.name, what, self.paths.log(service.name),
                             tail(self.paths.log(service.name), 30)))

    def health(self, service):
        """(healthy, what was seen) for one service."""
        if service.is_api:
            return http_health(service.port, service.health_path)
        if service.compute_host:
            return self.compute_health(service.compute_host)
        if service.name in ('nova-conductor', 'nova-scheduler'):
            return self.nova_service_health(service.name)
        if port_open(service.port):
            return True, 'listening on %d' % service.port
        return False, 'port %d closed' % service.port

    def nova_service_health(self, binary):
        try:
            found = [s for s in self.conn.compute.services(binary=binary)]
        except Exception as exc:  # noqa: any API failure means "not yet"
            return False, 'nova API: %s' % api_failure(exc)
        states = ['%s %s/%s' % (s.host, s.status, s.state) for s in found]
        healthy = any(s.state == 'up' for s in found)
        return healthy, ', '.join(states) or 'no service record yet'

    def compute_health(self, host):
        """Up in nova, and its resource provider in placement."""
        try:
            services = [s for s in self.conn.compute.services(
                binary='nova-compute', host=host)]
            from localcloud import provision
            rps = provision.placement_get(
                self.conn, '/resource_providers?name=%s' % host)[
                    'resource_providers']
        except Exception as exc:  # noqa: any API failure means "not yet"
            return False, 'API: %s' % api_failure(exc)
        if not services or services[0].state != 'up':
            return False, 'nova-compute on %s: %s' % (host, ', '.join(
                '%s/%s' % (s.status, s.state) for s in services)
                or 'no service record yet')
        if not rps:
            return False, 'no resource provider named %s yet' % host
        return True, 'up, resource provider %s' % rps[0]['uuid']

    # -- up -----------------------------------------------------------------

    def leftovers(self):
        from localcloud import provision
        return provision.leftovers(self.conn)

    def is_up(self):
        return bool(self.supervisor.pid and self.load_record().get('ready'))

    def up(self):
        record = self.load_record()
        wanted = [str(o) for o in self.nova_overrides]
        if self.is_up():
            unhealthy = [s.name for s in self.services
                         if not self._running(s.name)]
            if record.get('nova_conf', []) != wanted:
                raise CloudError(
                    'the cloud in %s is up with --nova-conf %s; this asks '
                    'for %s. Run "python3 -m localcloud down" first.'
                    % (self.paths.state, record.get('nova_conf') or '(none)',
                       wanted or '(none)'))
            if not unhealthy:
                step('the cloud in %s is already up: nothing changed'
                     % self.paths.state)
                return
            step('the cloud is up but these are not running: %s; '
                 'starting them' % ', '.join(unhealthy))
        began = time.monotonic()
        if not self.supervisor.pid:
            orphans = self.kill_orphans()
            if orphans:
                step('supervisord was gone; stopped what it had started: %s'
                     % ', '.join(orphans))
        self.save_record(ready=False, nova_conf=wanted)
        self.write_configs()
        new_database = not os.path.exists(self.paths.path('mariadb', 'data'))
        if new_database:
            self._install_mariadb()
        if self.supervisor.start_daemon():
            step('supervisord started')
        else:
            self.supervisor.reload()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            infra = [pool.submit(self.start, name)
                     for name in ('mariadb', 'epmd')]
            _results(infra)
            rabbit = pool.submit(self.start, 'rabbitmq')
            if new_database:
                self._create_databases()
            pipelines = {
                'keystone': pool.submit(self._keystone),
                'placement': pool.submit(self._synced_then_started,
                                         'placement'),
                'glance': pool.submit(self._synced_then_started, 'glance'),
                'neutron': pool.submit(self._synced_then_started, 'neutron'),
                'nova': pool.submit(self._nova_databases),
            }
            _results([pipelines['keystone']])
            self._identity()
            _results([rabbit, pipelines['nova']])
            nova = {name: pool.submit(self._start_if_stopped, name)
                    for name in ('nova-api', 'nova-conductor',
                                 'nova-scheduler')}
            # A compute needs keystone's users, placement and the conductor,
            # not neutron or glance; restarting one needs nova's API.
            _results([pipelines['placement'], nova['nova-api']])
            stopped = self._computes_to_start()
            if stopped and not new_database:
                self._forget_computes(stopped)
            computes = [pool.submit(self.start, 'nova-compute-' + host)
                        for host in stopped]
            # Flavors, image and tempest.conf need nova's API and glance,
            # not the computes.
            _results([pipelines['glance']])
            workspace = pool.submit(self._tempest_workspace)
            _results(list(nova.values()) + computes
                     + list(pipelines.values()))
            self._discover_hosts()
            _results([workspace])
        self.save_record(ready=True, up_seconds=time.monotonic() - began,
                         start_times=self.start_times)
        step('the cloud is up in %.1fs; tempest workspace: %s'
             % (time.monotonic() - began, self.paths.workspace))

    def _healthy_or_stopped(self, name):
        """True if ``name`` runs healthy; otherwise make sure it is stopped."""
        if self._running(name):
            if self.health(self.by_name[name])[0]:
                return True
            self.supervisor.stop(name)
        return False

    def _start_if_stopped(self, name):
        if not self._healthy_or_stopped(name):
            self.start(name)

    def manage(self, *cmd, env=None, stdin=None, success=(0,)):
        """Run one of the services' own *-manage commands, logged."""
        name = os.path.basename(cmd[0])
        log = self.paths.log('manage')
        began = time.monotonic()
        with open(log, 'a') as out:
            out.write('\n$ %s\n' % self.redact(' '.join(cmd)))
            out.flush()
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                  input=stdin, text=True,
                                  env=dict(os.environ, **(env or {})))
        if proc.returncode not in success:
            raise CloudError('%s failed (exit %d). The last lines of %s:\n%s'
                             % (' '.join(cmd[:3]), proc.returncode, log,
                                tail(log, 30)))
        step('%s %s: %.1fs' % (name, ' '.join(
            a for a in cmd[1:] if not a.startswith('-') and '/' not in a),
            time.monotonic() - began))

    def _install_mariadb(self):
        datadir = self.paths.path('mariadb', 'data')
        os.makedirs(os.path.dirname(datadir), exist_ok=True)
        self.manage('/usr/bin/mariadb-install-db', '--no-defaults',
                    '--datadir=' + datadir, '--user=root',
                    '--auth-root-authentication-method=socket',
                    '--skip-test-db')

    def _create_databases(self):
        # Passwords go through stdin, never a command line.
        sql = ["CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' "
               "IDENTIFIED BY '%s';" % self.secrets['database']]
        for db in configs.DATABASES:
            sql.append('CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8;'
                       % db)
            sql.append("GRANT ALL ON %s.* TO 'openstack'@'127.0.0.1';" % db)
        self.manage('/usr/bin/mariadb', '--socket=' + os.path.join(
            self.paths.run, 'mariadb.sock'), stdin='\n'.join(sql))

    def _done(self, name):
        return os.path.exists(self.paths.path('done', name))

    def _mark_done(self, name):
        os.makedirs(self.paths.path('done'), exist_ok=True)
        open(self.paths.path('done', name), 'w').close()

    def _once(self, name, *cmd, **kwargs):
        """A bootstrap step that must run once per cloud."""
        if not self._done(name):
            self.manage(*cmd, **kwargs)
            self._mark_done(name)

    def _keystone(self):
        conf = ['--config-file', os.path.join(self.paths.etc, 'keystone',
                                              'keystone.conf')]
        km = self.paths.bin('keystone-manage')
        owner = ('--keystone-user', 'root', '--keystone-group', 'root')
        # The key repositories need no database: made beside its sync.
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            _results([
                pool.submit(self._once, 'keystone-db', km, *conf, 'db_sync'),
                pool.submit(self._once, 'keystone-fernet', km, *conf,
                            'fernet_setup', *owner),
                pool.submit(self._once, 'keystone-credential', km, *conf,
                            'credential_setup', *owner)])
        self._once('keystone-bootstrap', km, *conf, 'bootstrap',
                   '--bootstrap-admin-url', configs.url('keystone', '/v3'),
                   '--bootstrap-public-url', configs.url('keystone', '/v3'),
                   '--bootstrap-internal-url', configs.url('keystone', '/v3'),
                   '--bootstrap-region-id', configs.REGION,
                   env={'OS_BOOTSTRAP_PASSWORD': self.secrets['admin']})
        self._start_if_stopped('keystone')

    def _identity(self):
        if not self._done('identity'):
            from localcloud import provision
            began = time.monotonic()
            provision.identity(self.conn, self.secrets)
            self._mark_done('identity')
            # Its token's catalog predates the endpoints just made.
            self._conn = None
            step('keystone: service users and catalog: %.1fs'
                 % (time.monotonic() - began))

    def _synced_then_started(self, name):
        etc = self.paths.etc
        sync = {
            'placement': (self.paths.bin('placement-manage'),
                          '--config-file',
                          os.path.join(etc, 'placement', 'placement.conf'),
                          'db', 'sync'),
            'glance': (self.paths.bin('glance-manage'), '--config-file',
                       os.path.join(etc, 'glance', 'glance-api.conf'),
                       'db_sync'),
            'neutron': (self.paths.bin('neutron-db-manage'), '--config-file',
                        os.path.join(etc, 'neutron', 'neutron.conf'),
                        '--config-file', os.path.join(
                            etc, 'neutron', 'plugins', 'ml2',
                            'ml2_conf.ini'),
                        'upgrade', 'heads'),
        }[name]
        self._once(name + '-db', *sync)
        self._start_if_stopped(name)

    def _nova_databases(self):
        nm = (self.paths.bin('nova-manage'), '--config-file',
              os.path.join(self.paths.etc, 'nova', 'nova.conf'))
        self._once('nova-api-db', *nm, 'api_db', 'sync')

        def cell0_and_databases():
            # Without --database_connection (a URL with the password, on a
            # command line), nova derives cell0's from [database].
            self._once('nova-cell0', *nm, 'cell_v2', 'map_cell0')
            # Syncs [database] (cell1's) and, through its mapping, cell0.
            self._once('nova-db', *nm, 'db', 'sync')

        # cell1's mapping is needed by nothing above: made beside them.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            _results([pool.submit(cell0_and_databases),
                      pool.submit(self._once, 'nova-cell1', *nm, 'cell_v2',
                                  'create_cell', '--name', 'cell1')])

    def _computes_to_start(self):
        """The compute hosts whose nova-compute is not running healthy."""
        return [host for host, _driver in self.compute_hosts
                if not self._healthy_or_stopped('nova-compute-' + host)]

    def _forget_computes(self, hosts):
        """Let fake computes start again against the cloud's database.

        nova's fake drivers take a new node uuid at each start, so the
        service record of a previous run must go (with its compute node and
        resource provider). nova only soft-deletes it, and the resize API
        checks the liveness of the first record for the server's host,
        deleted or not: the deleted rows are archived too.
        """
        from localcloud import provision
        forgotten = [host for host in hosts
                     if provision.forget_compute(self.conn, host)]
        if forgotten:
            self.manage(self.paths.bin('nova-manage'), '--config-file',
                        os.path.join(self.paths.etc, 'nova', 'nova.conf'),
                        'db', 'archive_deleted_rows', '--until-complete',
                        success=(0, 1))  # 1: rows were archived
            step('removed the service records of the previous run of %s'
                 % ', '.join(forgotten))

    def _discover_hosts(self):
        self.manage(self.paths.bin('nova-manage'), '--config-file',
                    os.path.join(self.paths.etc, 'nova', 'nova.conf'),
                    'cell_v2', 'discover_hosts')

    def _tempest_workspace(self):
        from localcloud import provision
        flavor_ids, image_id = provision.flavors_and_image(self.conn)
        workspace = self.paths.workspace
        if not os.path.exists(os.path.join(workspace, '.stestr.conf')):
            self.manage(self.paths.bin('tempest'), 'init', '--name',
                        'localcloud', '--workspace-path',
                        self.paths.path('tempest-workspaces.yaml'), workspace)
        configs.write_ini(self.paths.tempest_conf, configs.tempest_conf(
            self.paths, self.secrets, self.shape, self.tempest_options,
            flavor_ids, image_id))

    def down(self, purge=False):
        killed = self.supervisor.shutdown() + self.kill_orphans()
        if killed:
            step('killed what did not stop: %s' % ', '.join(map(str, killed)))
        listening = [s.name for s in self.services
                     if s.port and port_open(s.port)]
        if listening:
            raise CloudError('still listening after down: %s' % ', '.join(
                '%s (%d)\n%s' % (n, self.by_name[n].port,
                                 who_listens(self.by_name[n].port))
                for n in listening))
        if os.path.exists(self.paths.cloud_record):
            self.save_record(ready=False, processes={})
        step('every process of the cloud in %s is stopped'
             % self.paths.state)
        if purge and os.path.exists(self.paths.state):
            shutil.rmtree(self.paths.state)
            step('removed %s' % self.paths.state)

    def status(self):
        info = self.supervisor.all_info()
        if not info:
            step('supervisord is not running: the cloud in %s is down'
                 % self.paths.state)
            return 3
        healthy = 0
        for service in self.services:
            state = info.get(service.name, {})
            running = state.get('statename') == 'RUNNING'
            ok, seen = self.health(service) if running else (False, '')
            healthy += ok
            print('%-22s %-8s pid %-7s port %-6s %s' % (
                service.name, state.get('statename', '?'),
                state.get('pid') or '-', service.port or '-',
                ('healthy: ' if ok else 'UNHEALTHY: ') + seen
                if running else 'not running'))
        return 0 if healthy == len(self.services) else 3


def _results(futures):
    for future in futures:
        future.result()


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().decode(errors='replace')
    except OSError:
        return None


def api_failure(exc, limit=100):
    """One short line for a failed API call (the cause, not its chain)."""
    text = ' '.join(str(exc).split())
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return '%s: %s' % (type(exc).__name__, text)


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((layout.LOOPBACK, port)) == 0


def who_listens(port):
    try:
        return subprocess.run(['ss', '-Hltnp', 'sport = :%d' % port],
                              capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        return '(ss is not installed: cannot tell which process)'


def http_health(port, path):
    request = urllib.request.Request('http://%s:%d%s' % (layout.LOOPBACK,
                                                         port, path))
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return True, 'HTTP %d' % response.status
    except urllib.error.HTTPError as exc:
        return exc.code < 500, 'HTTP %d' % exc.code
    except (OSError, http.client.HTTPException) as exc:
        # URLError is an OSError; a port that answers in another protocol
        # raises an HTTPException.
        return False, str(getattr(exc, 'reason', exc))


def tail(path, lines):
    try:
        with open(path, errors='replace') as f:
            return tail_text(f.read(), lines)
    except FileNotFoundError:
        return '(no log yet)'


def tail_text(text, lines):
    return ''.join(text.splitlines(True)[-lines:])


def main(args, paths):
    try:
        shape = layout.read_cloud_shape()[0]
        hosts = (shape['source_host'], shape['destination_host'])
        nova_overrides = [overrides_mod.parse_nova_override(text, hosts)
                          for text in getattr(args, 'nova_conf', [])]
        cloud = Cloud(paths, nova_overrides)
        return VERBS[args.verb](cloud, args)
    except (CloudError, overrides_mod.OverrideError,
            supervision.SupervisionError) as exc:
        step('error: %s' % exc)
        return 1


def _up(cloud, args):
    cloud.up()
    return 0


def _run(cloud, args):
    # A cloud that was up before this run is left as it was found.
    brought_up_here = not cloud.is_up()
    try:
        cloud.up()
        status = run_tempest(cloud, args.tempest_args)
        left = cloud.leftovers()
        if left:
            step('error: the tests left %d things behind in the cloud:\n  %s'
                 % (len(left), '\n  '.join(left)))
            return status or 1
        step('nothing was left behind: no server, test flavor, custom '
             'trait, allocation, project or user')
        return status
    finally:
        if brought_up_here and not args.keep:
            cloud.down()


def run_tempest(cloud, extra):
    extra = [a for a in extra if a != '--']
    cmd = [cloud.paths.bin('tempest'), 'run', '--regex',
           cloud.tempest_options['test_regex']] + extra
    step('$ %s  (in %s)' % (' '.join(cmd[1:]), cloud.paths.workspace))
    began = time.monotonic()
    rc = subprocess.call(cmd, cwd=cloud.paths.workspace)
    step('tempest run exited %d after %.1fs' % (rc, time.monotonic() - began))
    return rc


def _status(cloud, args):
    return cloud.status()


def _down(cloud, args):
    cloud.down(purge=args.purge)
    return 0


def _logs(cloud, args):
    if not args.service:
        print('logs of the cloud in %s:' % cloud.paths.logs)
        for name in sorted(os.listdir(cloud.paths.logs)
                           if os.path.isdir(cloud.paths.logs) else []):
            print('  ' + os.path.join(cloud.paths.logs, name))
        return 0
    path = cloud.paths.log(args.service)
    if not os.path.exists(path):
        raise CloudError('no log %s; services: %s' % (
            path, ', '.join(s.name for s in cloud.services)))
    sys.stdout.write(tail(path, args.lines))
    return 0


def _bench(cloud, args):
    from localcloud import bench
    return bench.run(cloud, args)


VERBS = {'up': _up, 'run': _run, 'status': _status, 'down': _down,
         'logs': _logs, 'bench': _bench}
