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

"""Serve one OpenStack API with waitress, on loopback, in one process.

    python -m localcloud.wsgi MODULE PORT

MODULE is the service's own WSGI module (``keystone.wsgi.api``,
``nova.wsgi.osapi_compute``, ...). waitress serves with threads in a single
process: no master process beside each API, as gunicorn or uwsgi keep.
"""

import importlib
import sys

from paste import translogger
import waitress

from localcloud import imports_record
from localcloud import layout


def application(module):
    """The WSGI application of ``module``, imported with an argv of its own.

    keystone and neutron parse ``sys.argv`` with oslo.config when their WSGI
    module is imported, and reject arguments that are not theirs.
    """
    sys.argv = [module]
    app = importlib.import_module(module).application
    if module.startswith('neutron.'):
        # neutron's first query after start otherwise fails (500: "type
        # object 'Port' has no attribute 'port_forwardings'") until
        # SQLAlchemy's mappers are configured; nova's first call is that
        # query.
        from sqlalchemy import orm
        orm.configure_mappers()
    return app


def main():
    imports_record.start()
    module, port = sys.argv[1], int(sys.argv[2])
    # An access log line per request, through the service's own logging.
    app = translogger.TransLogger(application(module),
                                  setup_console_handler=False)
    waitress.serve(app, host=layout.LOOPBACK, port=port,
                   threads=layout.WSGI_THREADS,
                   ident=module)


if __name__ == '__main__':
    main()
