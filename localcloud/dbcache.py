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

"""A cache of the databases the services' own syncs make.

nova's functional tests cache the schema they sync once; ``up`` does the
same across clouds. Right after a service's ``*-manage`` sync made its
database, ``mariadb-dump`` writes what the sync made (its tables and rows:
no secret is in a database yet, since users, passwords and cell mappings
come later); the next cloud built from the same installed versions
restores that dump instead of running the migrations. The sync stays the
source of truth: a cache is only ever made from its output, and a missing,
stale or invalid one means the sync runs.

The key (:func:`key`) covers what a sync's result depends on: the version
of each service's package and of every package it requires, as installed,
MariaDB's version and the format of this cache. A nova other than the
venv's (``--nova-source``, ``--nova-patch``) bypasses it for nova's
databases. The cache lives in the home, beside the venv it depends on
(``down --purge`` keeps both), in a 0700 directory of 0600 files;
:meth:`DatabaseCache.valid` checks all of that, and each dump's digest,
before a restore.
"""

import hashlib
import json
import os
import re
import tempfile

# Bump when what is stored, or how, changes.
FORMAT = 1
DUMP_END = b'-- Dump completed\n'
DIRECTORY = 'db-cache'
REQUIREMENT_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]*')
# A requirement's marker that names an extra: "...; extra == 'docs'".
EXTRA = re.compile(r';.*\bextra\s*==')


def key(installed, server_version):
    """The cache key of ``installed`` on a MariaDB of ``server_version``.

    ``installed``: {package: version}; ``server_version``: what
    ``mariadbd --version`` says. Names are compared as packaging normalizes
    them, so that the order or spelling in which they were listed changes
    nothing.
    """
    normalized = sorted('%s==%s' % (_normalize(name), version)
                        for name, version in installed.items())
    digest = hashlib.sha256(json.dumps(
        [FORMAT, server_version.strip(), normalized]).encode())
    return digest.hexdigest()[:32]


def _normalize(name):
    return '-'.join(name.replace('_', '-').replace('.', '-').lower().split())


def installed_packages(roots):
    """{package: version} of ``roots`` and all they require, as installed.

    What the services' syncs import: a package installed beside them (the
    plugin, whose version changes with every commit, or nova's test
    packages) changes nothing. Requirements of extras are left out.
    """
    from importlib import metadata
    dists = {}
    for dist in metadata.distributions():
        if dist.metadata['Name']:
            dists.setdefault(_normalize(dist.metadata['Name']), dist)
    found, todo = {}, [_normalize(name) for name in roots]
    while todo:
        name = todo.pop()
        dist = dists.get(name)
        if dist is None or name in found:
            continue
        found[name] = dist.version
        for requirement in dist.requires or ():
            if not EXTRA.search(requirement):
                todo.append(_normalize(REQUIREMENT_NAME.match(
                    requirement).group(0)))
    return found


class DatabaseCache:
    """The dumps of one key, in ``root``/``key``."""

    def __init__(self, root, cache_key):
        self.root = root
        self.directory = os.path.join(root, cache_key)

    def _dump(self, database):
        return os.path.join(self.directory, database + '.sql')

    def _digest(self, database):
        return os.path.join(self.directory, database + '.sha256')

    def valid(self, databases):
        """Whether a dump of every one of ``databases`` can be trusted.

        (True, None), or (False, the reason).
        """
        for path in (self.root, self.directory):
            reason = _private(path, 0o700)
            if reason:
                return False, reason
        for database in databases:
            dump, digest = self._dump(database), self._digest(database)
            for path in (dump, digest):
                reason = _private(path, 0o600)
                if reason:
                    return False, reason
            with open(dump, 'rb') as f:
                content = f.read()
            with open(digest) as f:
                wanted = f.read().strip()
            if hashlib.sha256(content).hexdigest() != wanted:
                return False, '%s does not match its digest' % dump
            if not content.endswith(DUMP_END):
                return False, '%s is not a whole dump' % dump
        return True, None

    def read(self, database):
        with open(self._dump(database), 'rb') as f:
            return f.read()

    def store(self, database, content):
        """Keep ``content``, a whole dump of ``database``.

        Each file is written aside and renamed into place, so that a cloud
        reading at the same time sees the old file or the new one.
        """
        if not content.endswith(DUMP_END):
            raise ValueError('the dump of %s does not end with %r: it is '
                             'not whole, so it is not kept'
                             % (database, DUMP_END.decode().strip()))
        for path in (self.root, self.directory):
            os.makedirs(path, mode=0o700, exist_ok=True)
            os.chmod(path, 0o700)
        _write_private(self._dump(database), content)
        _write_private(self._digest(database),
                       hashlib.sha256(content).hexdigest().encode())


def _private(path, mode):
    """None if ``path`` is ours with exactly ``mode``, else why not."""
    try:
        stat = os.lstat(path)
    except FileNotFoundError:
        return '%s does not exist' % path
    if stat.st_uid != os.geteuid():
        return '%s belongs to uid %d, not to this user' % (path, stat.st_uid)
    if stat.st_mode & 0o777 != mode:
        return '%s has mode %o, not %o' % (path, stat.st_mode & 0o777, mode)
    return None


def _write_private(path, content):
    fd, partial = tempfile.mkstemp(dir=os.path.dirname(path),
                                   prefix='.partial-')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(content)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
