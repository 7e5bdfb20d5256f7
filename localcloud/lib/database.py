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

import os

from localcloud import configs


def configure(cloud):
    configs.write_ini(os.path.join(cloud.paths.etc, 'my.cnf'),
                      configs.mariadb_conf(cloud.paths))


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
    for db in configs.DATABASES:
        sql.append('CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8;'
                   % db)
        sql.append("GRANT ALL ON %s.* TO 'openstack'@'127.0.0.1';" % db)
    cloud.once('databases', '/usr/bin/mariadb', '--socket=' + os.path.join(
        cloud.paths.run, 'mariadb.sock'), stdin='\n'.join(sql))
