"""WSGI entry point for gunicorn: ``localcloud.wsgi:application('MODULE')``.

keystone and neutron parse ``sys.argv`` with oslo.config when their WSGI
module is imported; under gunicorn it holds gunicorn's own arguments, which
they reject as unrecognized. This imports the service's own WSGI module
(``keystone.wsgi.api``, ``nova.wsgi.osapi_compute``, ...) with an argv of
its own, and nothing else.
"""

import importlib
import sys


def application(module):
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
