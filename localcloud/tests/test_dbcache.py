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

"""The database cache: its key, its validation, and the sync's fallback."""

import hashlib
import os
import subprocess

import fixtures

from localcloud import dbcache
from localcloud import layout
from localcloud.lib import database
from localcloud import state as state_mod
from localcloud.tests import base

SERVER = 'mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu\n'
INSTALLED = {'nova': '34.0.0', 'oslo.db': '17.2.0', 'SQLAlchemy': '2.0.41'}
DUMP = b'CREATE TABLE `t` (`id` int);\n' + dbcache.DUMP_END


def dump_of(database_name):
    return b'-- %s\n' % database_name.encode() + DUMP


class KeyTest(base.TestCase):

    def test_the_same_versions_give_the_same_key_in_any_order_or_spelling(
            self):
        self.assertEqual(
            dbcache.key(INSTALLED, SERVER),
            dbcache.key({'sqlalchemy': '2.0.41', 'oslo_db': '17.2.0',
                         'Nova': '34.0.0'}, SERVER + '\n'))

    def test_another_version_of_a_package_gives_another_key(self):
        self.assertNotEqual(dbcache.key(INSTALLED, SERVER), dbcache.key(
            dict(INSTALLED, nova='34.0.1'), SERVER))

    def test_another_package_gives_another_key(self):
        self.assertNotEqual(dbcache.key(INSTALLED, SERVER), dbcache.key(
            dict(INSTALLED, alembic='1.16.0'), SERVER))

    def test_another_mariadb_gives_another_key(self):
        self.assertNotEqual(dbcache.key(INSTALLED, SERVER), dbcache.key(
            INSTALLED, SERVER.replace('10.11.19', '10.11.20')))

    def test_installed_packages_are_the_roots_and_what_they_require(self):
        from importlib import metadata
        found = dbcache.installed_packages(['STestR'])
        self.assertEqual(metadata.version('stestr'), found['stestr'])
        self.assertEqual(metadata.version('python-subunit'),
                         found['python-subunit'])
        # Required by cliff, which stestr requires.
        self.assertIn('stevedore', found)
        self.assertNotIn('hacking', found)

    def test_what_only_an_extra_requires_is_left_out(self):
        from importlib import metadata
        # fixtures requires testtools for its "streams" extra only.
        self.assertEqual({'fixtures': metadata.version('fixtures')},
                         dbcache.installed_packages(['fixtures']))


class DatabaseCacheTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.make_layout().home, dbcache.DIRECTORY)
        self.cache = dbcache.DatabaseCache(self.root, 'k1')

    def test_what_is_stored_is_valid_private_and_read_back(self):
        self.cache.store('nova', dump_of('nova'))
        self.assertEqual((True, None), self.cache.valid(['nova']))
        self.assertEqual(dump_of('nova'), self.cache.read('nova'))
        self.assertEqual(0o700, base.mode(self.root))
        self.assertEqual(0o700, base.mode(self.cache.directory))
        for name in os.listdir(self.cache.directory):
            self.assertEqual(0o600, base.mode(
                os.path.join(self.cache.directory, name)), name)

    def test_a_database_not_stored_is_not_valid(self):
        self.cache.store('nova', dump_of('nova'))
        valid, reason = self.cache.valid(['nova', 'nova_api'])
        self.assertFalse(valid)
        self.assertIn('nova_api.sql does not exist', reason)

    def test_an_empty_cache_is_not_valid(self):
        valid, reason = self.cache.valid(['nova'])
        self.assertFalse(valid)
        self.assertIn('%s does not exist' % self.root, reason)

    def test_a_partial_dump_is_not_stored(self):
        error = self.assertRaises(ValueError, self.cache.store, 'nova',
                                  DUMP[:-5])
        self.assertIn('it is not whole', str(error))
        self.assertFalse(os.path.exists(self.root))

    def test_a_changed_dump_is_not_valid(self):
        self.cache.store('nova', dump_of('nova'))
        with open(self.cache._dump('nova'), 'ab') as f:
            f.write(b'DROP TABLE `t`;\n')
        valid, reason = self.cache.valid(['nova'])
        self.assertFalse(valid)
        self.assertIn('does not match its digest', reason)

    def test_a_cut_dump_with_its_own_digest_is_not_valid(self):
        self.cache.store('nova', dump_of('nova'))
        cut = DUMP[:-len(dbcache.DUMP_END)]
        for path, content in (
                (self.cache._dump('nova'), cut),
                (self.cache._digest('nova'),
                 hashlib.sha256(cut).hexdigest().encode())):
            with open(path, 'wb') as f:
                f.write(content)
        valid, reason = self.cache.valid(['nova'])
        self.assertFalse(valid)
        self.assertIn('is not a whole dump', reason)

    def test_a_file_others_may_read_or_write_is_not_valid(self):
        self.cache.store('nova', dump_of('nova'))
        os.chmod(self.cache._dump('nova'), 0o644)
        valid, reason = self.cache.valid(['nova'])
        self.assertFalse(valid)
        self.assertIn('has mode 644, not 600', reason)

    def test_a_directory_others_may_enter_is_not_valid(self):
        self.cache.store('nova', dump_of('nova'))
        os.chmod(self.cache.directory, 0o755)
        valid, reason = self.cache.valid(['nova'])
        self.assertFalse(valid)
        self.assertIn('has mode 755, not 700', reason)

    def test_a_symlinked_dump_is_not_valid(self):
        self.cache.store('nova', dump_of('nova'))
        elsewhere = os.path.join(self.root, 'elsewhere.sql')
        os.rename(self.cache._dump('nova'), elsewhere)
        os.symlink(elsewhere, self.cache._dump('nova'))
        self.assertFalse(self.cache.valid(['nova'])[0])


class FakeCloud:
    """What database.sync uses of a cloud; each command it runs noted."""

    def __init__(self, paths):
        self.paths = paths
        self.state = state_mod.State(paths)
        self.commands = []

    def manage(self, *cmd, **kwargs):
        self.commands.append(cmd)


class SyncTest(base.TestCase):
    """database.sync against a real cache, MariaDB's clients stood in."""

    def setUp(self):
        super().setUp()
        self.out = self.capture()
        self.home = self.make_layout().home
        self.cache = dbcache.DatabaseCache(
            os.path.join(self.home, dbcache.DIRECTORY), 'k1')
        self.useFixture(fixtures.MockPatchObject(
            database, 'cache_of', return_value=self.cache))
        self.dumped, self.restored = [], []
        self.restore_error = None
        self.useFixture(fixtures.MockPatchObject(
            database, '_dump', self.dump))
        self.useFixture(fixtures.MockPatchObject(
            database, '_restore', self.restore))

    def dump(self, cloud, name):
        self.dumped.append(name)
        return dump_of(name)

    def restore(self, cloud, name, content):
        self.restored.append((name, content))
        return self.restore_error

    def new_cloud(self):
        """A cloud of its own state directory, sharing the home."""
        state = self.useFixture(fixtures.TempDir()).path
        return FakeCloud(layout.Layout(home=self.home, state=state))

    def sync(self, cloud, cacheable=True):
        database.sync(cloud, 'nova-db', ('nova_cell0', 'nova'),
                      'nova-manage', 'db', 'sync', cacheable=cacheable)

    def test_the_first_cloud_syncs_and_keeps_what_the_sync_made(self):
        cloud = self.new_cloud()
        self.sync(cloud)
        self.assertEqual([('nova-manage', 'db', 'sync')], cloud.commands)
        self.assertEqual(['nova_cell0', 'nova'], self.dumped)
        self.assertEqual([], self.restored)
        self.assertEqual((True, None),
                         self.cache.valid(['nova_cell0', 'nova']))
        self.assertTrue(cloud.state.is_done('nova-db'))

    def test_the_next_cloud_restores_instead_of_syncing(self):
        self.sync(self.new_cloud())
        cloud = self.new_cloud()
        self.sync(cloud)
        self.assertEqual([], cloud.commands)
        self.assertEqual([('nova_cell0', dump_of('nova_cell0')),
                          ('nova', dump_of('nova'))], self.restored)
        self.assertTrue(cloud.state.is_done('nova-db'))
        self.assertIn('nova_cell0, nova restored from the database cache',
                      self.out.getvalue())

    def test_a_step_done_runs_nothing(self):
        cloud = self.new_cloud()
        self.sync(cloud)
        self.sync(cloud)
        self.assertEqual(1, len(cloud.commands))
        self.assertEqual([], self.restored)

    def test_not_cacheable_syncs_and_keeps_nothing(self):
        self.sync(self.new_cloud())
        self.dumped = []
        cloud = self.new_cloud()
        self.sync(cloud, cacheable=False)
        self.assertEqual([('nova-manage', 'db', 'sync')], cloud.commands)
        self.assertEqual([], self.restored)
        self.assertEqual([], self.dumped)

    def test_an_invalid_cache_falls_back_to_the_sync(self):
        self.sync(self.new_cloud())
        os.chmod(self.cache._dump('nova'), 0o666)
        cloud = self.new_cloud()
        self.sync(cloud)
        self.assertEqual([('nova-manage', 'db', 'sync')], cloud.commands)
        self.assertEqual([], self.restored)
        self.assertIn('no database cache to use (%s has mode 666, not 600): '
                      'the sync runs' % self.cache._dump('nova'),
                      self.out.getvalue())
        # What the sync made replaced what was there.
        self.assertEqual((True, None),
                         self.cache.valid(['nova_cell0', 'nova']))

    def test_a_failed_restore_empties_the_databases_then_syncs(self):
        self.sync(self.new_cloud())
        self.restore_error = 'ERROR 1050: Table exists'
        cloud = self.new_cloud()
        self.sync(cloud)
        self.assertEqual(2, len(cloud.commands))
        self.assertEqual(('nova-manage', 'db', 'sync'), cloud.commands[1])
        self.assertEqual('/usr/bin/mariadb', cloud.commands[0][0])
        self.assertIn('the restore of nova_cell0 from the database cache '
                      'failed (ERROR 1050: Table exists): the sync runs '
                      'instead', self.out.getvalue())
        self.assertTrue(cloud.state.is_done('nova-db'))

    def test_a_failed_dump_keeps_nothing_but_the_sync_counts(self):
        def fail(cloud, name):
            raise subprocess.CalledProcessError(2, ['mariadb-dump'])
        self.useFixture(fixtures.MockPatchObject(database, '_dump', fail))
        cloud = self.new_cloud()
        self.sync(cloud)
        self.assertTrue(cloud.state.is_done('nova-db'))
        self.assertFalse(self.cache.valid(['nova'])[0])
        self.assertIn('what the sync made is not kept in the database cache',
                      self.out.getvalue())


class CacheOfTest(base.TestCase):

    def setUp(self):
        super().setUp()
        database.cache_of.cache_clear()
        self.addCleanup(database.cache_of.cache_clear)

    def test_no_cache_where_mariadb_cannot_say_its_version(self):
        out = self.capture()
        self.useFixture(fixtures.MockPatchObject(
            layout, 'MARIADBD', '/nonexistent/mariadbd'))
        self.assertIsNone(database.cache_of(self.make_layout()))
        self.assertIn('no database cache: /nonexistent/mariadbd --version '
                      'failed', out.getvalue())

    def test_the_cache_is_in_the_home_keyed_on_the_versions(self):
        paths = self.make_layout()
        home = paths.home
        server = os.path.join(home, 'mariadbd')
        with open(server, 'w') as f:
            f.write("#!/bin/sh\nprintf '%s'\n" % SERVER.replace('\n', '\\n'))
        os.chmod(server, 0o700)
        self.useFixture(fixtures.MockPatchObject(layout, 'MARIADBD', server))
        cache = database.cache_of(paths)
        self.assertEqual(os.path.join(home, dbcache.DIRECTORY),
                         os.path.dirname(cache.directory))
        self.assertEqual(dbcache.key(
            dbcache.installed_packages(database.SYNCING_PACKAGES), SERVER),
            os.path.basename(cache.directory))
