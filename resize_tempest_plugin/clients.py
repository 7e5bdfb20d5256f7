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

"""openstacksdk connections built from tempest's credentials and settings.

The connection never reads clouds.yaml or OS_* variables: everything comes
from the tempest credentials object (dynamic or pre-provisioned) and from
tempest.conf, so the test talks to the cloud tempest is configured for.
"""

from concurrent import futures
import contextvars

from openstack import connection
from oslo_log import log as logging
from tempest.lib.common.utils import test_utils

APP_NAME = 'resize-tempest-plugin'
LOG = logging.getLogger(__name__)

# The test that made a call from one of side_by_side's threads, whose
# stack find_test_caller cannot follow back to the test.
_CALLER = contextvars.ContextVar('resize_fail_caller', default=None)

# Credential attributes (tempest.lib.auth.KeystoneV3Credentials) that
# keystoneauth's password plugin accepts under the same name.
_AUTH_ATTRIBUTES = (
    'username', 'user_id', 'password',
    'user_domain_name', 'user_domain_id',
    'project_name', 'project_id',
    'project_domain_name', 'project_domain_id',
)


def interface_of(endpoint_type):
    """Map tempest's endpoint_type (publicURL, public...) to an interface."""
    if not endpoint_type:
        return None
    if endpoint_type.endswith('URL'):
        return endpoint_type[:-len('URL')]
    return endpoint_type


def connection_kwargs(credentials, conf):
    """Return the keyword arguments of openstack.connection.Connection.

    :param credentials: a tempest credentials object, for example
        ``cls.os_primary.credentials``; only its v3 password attributes are
        read.
    :param conf: tempest's CONF: identity.uri_v3, compute.region (or
        identity.region), compute.endpoint_type, placement.endpoint_type,
        identity.ca_certificates_file and
        identity.disable_ssl_certificate_validation.
    """
    auth = {'auth_url': conf.identity.uri_v3}
    for attribute in _AUTH_ATTRIBUTES:
        value = getattr(credentials, attribute, None)
        if value:
            auth[attribute] = value
    kwargs = {
        'auth_type': 'password',
        'auth': auth,
        'interface': interface_of(conf.compute.endpoint_type),
        'app_name': APP_NAME,
    }
    # Placement has its own endpoint_type in tempest; compute's is the
    # default for every other service the test calls.
    placement_interface = interface_of(conf.placement.endpoint_type)
    if placement_interface:
        kwargs['placement_interface'] = placement_interface
    region = conf.compute.region or conf.identity.region
    if region:
        kwargs['region_name'] = region
    if conf.identity.disable_ssl_certificate_validation:
        kwargs['verify'] = False
    elif conf.identity.ca_certificates_file:
        kwargs['cacert'] = conf.identity.ca_certificates_file
    return kwargs


def log_response(response, *args, **kwargs):
    """One INFO line per HTTP call, as tempest's own clients log theirs.

    A requests response hook: keystoneauth logs openstacksdk's calls at
    DEBUG only, under a logger tempest keeps at WARN. The line names the
    test, the status, the method, the URL, the time and the request id;
    never a header or a body, so no token or password.
    """
    request_id = (response.headers.get('x-openstack-request-id')
                  or response.headers.get('x-compute-request-id'))
    LOG.info('Request (%s): %s %s %s %.3fs request id %s',
             _caller(), response.status_code,
             response.request.method, response.url,
             response.elapsed.total_seconds(), request_id)


def connect(credentials, conf):
    """Return an openstack.connection.Connection for tempest credentials.

    Every call it makes is logged (log_response). Nothing is sent to the
    cloud until the connection is first used.
    """
    conn = connection.Connection(**connection_kwargs(credentials, conf))
    conn.session.session.hooks['response'].append(log_response)
    return conn


def _caller():
    return _CALLER.get() or test_utils.find_test_caller()


def side_by_side(*calls):
    """Run independent calls at once; return their results in order.

    ``calls``: callables without arguments, each run in a thread of its own
    (their HTTP calls logged with the test that made them). All of them
    end before the first error, in the order of ``calls``, is raised, so
    that every cleanup a call registers is registered whatever the others
    do.
    """
    caller = _caller()

    def run(call):
        _CALLER.set(caller)
        return call()

    with futures.ThreadPoolExecutor(len(calls)) as pool:
        running = [pool.submit(contextvars.copy_context().run, run, call)
                   for call in calls]
    return [future.result() for future in running]
