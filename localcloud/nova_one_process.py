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

"""Run one of nova's services as the local cloud needs it.

    python -m localcloud.nova_one_process nova-conductor --config-file ...

nova-conductor and nova-scheduler: under oslo.service's threading backend,
nova serves them through a launcher that always forks, even for one worker:
a parent that only waits beside the worker, some 120 MiB each. nova-compute
is served with ``no_fork=True``; this serves the other two the same way.

nova-compute: nova's fake drivers take a random node uuid at each start, so
a restarted fake compute would not match its own compute node. Its node
uuid is pinned to one derived from the host (``COMPUTE_HOST`` in the
environment), as nova's ``PredictableNodeUUIDDriver`` derives it, without
changing the driver class the cloud's shape names; the ``compute_id`` file
in its state_path (written by ``up``) holds the same uuid, as nova expects
of a compute that starts again.

Every service reports to nova's service group as soon as it has joined
it (its RPC servers started), not INITIAL_REPORTING_DELAY (5 s) later:
that first report is what tells ``up`` and ``restart`` that the new
process serves (lib/nova ``reports_since``).

It is nova's own ``main()`` otherwise.
"""

import importlib
import os
import sys
import uuid

from localcloud import imports_record

MAINS = {
    'nova-conductor': 'nova.cmd.conductor',
    'nova-scheduler': 'nova.cmd.scheduler',
    'nova-compute': 'nova.cmd.compute',
}
COMPUTE_HOST = 'LOCALCLOUD_COMPUTE_HOST'


def stable_node_uuid(host):
    """The node uuid of the fake compute on ``host``, at every start."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, host))


def pin_fake_node_uuid(host):
    # nova.virt.fake reads the node's uuid from this registry ("node_" and
    # the node's name, which is the host's): an attribute set beforehand is
    # what it finds.
    from oslo_utils.fixture import uuidsentinel
    setattr(uuidsentinel, 'node_%s' % host, stable_node_uuid(host))


def report_at_join():
    from nova.servicegroup import api
    api.INITIAL_REPORTING_DELAY = 0


def serve_in_this_process():
    from nova import service
    serve = service.serve

    def serve_without_fork(server, workers=None, no_fork=False):
        return serve(server, workers=1, no_fork=True)

    service.serve = serve_without_fork


def main():
    imports_record.start()
    binary = sys.argv[1]
    sys.argv = [binary] + sys.argv[2:]
    # nova.cmd sets the process up (native threads, eventlet kept out) and
    # must be imported before the rest of nova, as nova's own scripts do.
    importlib.import_module(MAINS[binary])
    if binary == 'nova-compute':
        pin_fake_node_uuid(os.environ[COMPUTE_HOST])
    else:
        serve_in_this_process()
    report_at_join()
    sys.modules[MAINS[binary]].main()


if __name__ == '__main__':
    main()
