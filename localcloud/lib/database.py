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

"""MariaDB, as devstack's lib/databases/mysql: one private server, one
database per service.
"""

import functools
import os
import subprocess
import time

from localcloud import configs
from localcloud import dbcache
from localcloud import layout
from localcloud import progress
from localcloud import services as services_mod

# The packages whose syncs make the databases: the cache's key covers
# them and all they require.
SYNCING_PACKAGES = ('keystone', 'openstack-placement', 'glance', 'neutron',
                    'nova')
# One per service; nova's three: its API's, cell0's and cell1's.
DATABASES = ('keystone', 'placement', 'glance', 'neutron', 'nova_api',
             'nova_cell0', 'nova')
_CREATE = 'CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8;'


def db_url(secrets, database):
    return 'mysql+pymysql://openstack:%s@%s:%d/%s?charset=utf8' % (
        secrets['database'], layout.LOOPBACK, layout.PORTS['mariadb'],
        database)


def options(paths):
    return {
        'mariadbd': {
            'datadir': paths.path('mariadb', 'data'),
            'socket': os.path.join(paths.run, 'mariadb.sock'),
            'pid-file': os.path.join(paths.run, 'mariadb.pid'),
            'port': str(layout.PORTS['mariadb']),
            'bind-address': layout.LOOPBACK,
            'user': 'root',
            'skip-name-resolve': None,
            'skip-log-bin': None,
            'performance_schema': 'OFF',
            'max_connections': '500',
            'character-set-server': 'utf8mb4',
            'collation-server': 'utf8mb4_general_ci',
            # Small caches: these databases hold a few MiB.
            'innodb_buffer_pool_size': '32M',
            'innodb_log_buffer_size': '4M',
            'key_buffer_size': '4M',
            'aria_pagecache_buffer_size': '8M',
            'query_cache_size': '0',
            'thread_stack': '256K',
            # A throwaway database: durability traded for start-up speed
            # (the schema migrations are the bulk of ``up``).
            'innodb_flush_log_at_trx_commit': '0',
            'innodb_doublewrite': '0',
            'innodb_flush_method': 'nosync',
            # Every table in the shared tablespace: no file to make per
            # table, so a sync or a restore of the database cache creates
            # its hundreds of tables about twice as fast.
            'innodb_file_per_table': 'OFF',
            'log-error': paths.log('mariadb-server'),
        },
    }


def services(paths):
    return [services_mod.Service(
        'mariadb', (layout.MARIADBD,
                    '--defaults-file=' + os.path.join(paths.etc, 'my.cnf')),
        port=layout.PORTS['mariadb'])]


def configure(cloud):
    configs.write_ini(os.path.join(cloud.paths.etc, 'my.cnf'),
                      options(cloud.paths))


def install(cloud):
    """A new data directory, unless the cloud has one."""
    datadir = cloud.paths.path('mariadb', 'data')
    if os.path.exists(datadir):
        return
    os.makedirs(os.path.dirname(datadir), exist_ok=True)
    cloud.manage('/usr/bin/mariadb-install-db', '--no-defaults',
                 '--datadir=' + datadir, '--user=root',
                 '--auth-root-authentication-method=socket',
                 '--skip-test-db')


def start(cloud):
    install(cloud)
    cloud.processes.start('mariadb')


def create_databases(cloud):
    """Every service's database, and the one user they share."""
    # The password goes through stdin, never a command line.
    sql = ["CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' "
           "IDENTIFIED BY '%s';" % cloud.state.secrets['database']]
    for db in DATABASES:
        sql.append(_CREATE % db)
        sql.append("GRANT ALL ON %s.* TO 'openstack'@'127.0.0.1';" % db)
    cloud.once('databases', *_client(cloud, '/usr/bin/mariadb'),
               stdin='\n'.join(sql))


def sync(cloud, step, databases, *cmd, cacheable=True, **kwargs):
    """A service's own sync of ``databases`` (``cmd``), once per cloud.

    With ``cacheable``, what an earlier cloud's same sync made is restored
    instead, when the cache holds a valid dump of each database for the
    installed versions (:mod:`localcloud.dbcache`); otherwise the sync runs
    and what it made is kept for the next cloud.
    """
    if cloud.state.is_done(step):
        return
    cache = cache_of(cloud.paths) if cacheable else None
    if cache and _restored(cloud, cache, step, databases):
        cloud.state.mark_done(step)
        return
    cloud.manage(*cmd, **kwargs)
    if cache:
        try:
            for database in databases:
                cache.store(database, _dump(cloud, database))
        except (OSError, ValueError, subprocess.CalledProcessError) as exc:
            progress.step('%s: what the sync made is not kept in the '
                          'database cache: %s' % (step, exc))
    cloud.state.mark_done(step)


@functools.lru_cache()
def cache_of(paths):
    """The database cache for this venv and MariaDB, in ``paths.db_cache``.

    Computed once per process; None where MariaDB cannot say its version.
    """
    try:
        server = subprocess.run([layout.MARIADBD, '--version'], check=True,
                                capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        progress.step('no database cache: %s --version failed (%s)'
                      % (layout.MARIADBD, exc))
        return None
    installed = dbcache.installed_packages(SYNCING_PACKAGES)
    return dbcache.DatabaseCache(paths.db_cache,
                                 dbcache.key(installed, server))


def _restored(cloud, cache, step, databases):
    """Whether ``databases`` were restored from ``cache``.

    If a restore fails half-way, they are made empty again for the sync.
    """
    valid, reason = cache.valid(databases)
    if not valid:
        progress.step('%s: no database cache to use (%s): the sync runs'
                      % (step, reason))
        return False
    began = time.monotonic()
    for database in databases:
        error = _restore(cloud, database, cache.read(database))
        if error:
            progress.step('%s: the restore of %s from the database cache '
                          'failed (%s): the sync runs instead'
                          % (step, database, error))
            _empty(cloud, databases)
            return False
    progress.step('%s: %s restored from the database cache: %.1fs' % (
        step, ', '.join(databases), time.monotonic() - began))
    return True


def _restore(cloud, database, dump):
    """Load ``dump`` into ``database``; None, or what went wrong."""
    proc = subprocess.run(_client(cloud, '/usr/bin/mariadb', database),
                          input=dump, capture_output=True)
    if proc.returncode:
        return proc.stderr.decode(errors='replace').strip() or (
            'exit %d' % proc.returncode)
    return None


def _client(cloud, program, *args):
    return [program, '--socket=' + os.path.join(cloud.paths.run,
                                                'mariadb.sock')] + list(args)


def _dump(cloud, database):
    """What the sync made in ``database``, as mariadb-dump writes it.

    Without its date, so that two dumps of the same database are the same.
    """
    return subprocess.run(
        _client(cloud, '/usr/bin/mariadb-dump', '--single-transaction',
                '--skip-dump-date', '--hex-blob', database),
        check=True, capture_output=True).stdout


def _empty(cloud, databases):
    # The grants, kept by database name, outlive the drop.
    cloud.manage(*_client(cloud, '/usr/bin/mariadb'), stdin='\n'.join(
        'DROP DATABASE IF EXISTS %s; %s' % (db, _CREATE % db)
        for db in databases))
