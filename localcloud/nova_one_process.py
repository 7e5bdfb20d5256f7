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

"""Run nova-conductor or nova-scheduler as one process, as nova-compute runs.

    python -m localcloud.nova_one_process nova-conductor --config-file ...

Under oslo.service's threading backend, nova serves its conductor and
scheduler through a launcher that always forks, even for one worker: a
parent that only waits beside the worker, some 120 MiB each. nova-compute is
served with ``no_fork=True``; this serves the other two the same way. It is
nova's own ``main()`` otherwise.
"""

import importlib
import sys

MAINS = {
    'nova-conductor': 'nova.cmd.conductor',
    'nova-scheduler': 'nova.cmd.scheduler',
}


def main():
    binary = sys.argv[1]
    sys.argv = [binary] + sys.argv[2:]
    # nova.cmd sets the process up (native threads, eventlet kept out) and
    # must be imported before the rest of nova, as nova's own scripts do.
    importlib.import_module(MAINS[binary])
    from nova import service
    serve = service.serve

    def serve_in_this_process(server, workers=None, no_fork=False):
        return serve(server, workers=1, no_fork=True)

    service.serve = serve_in_this_process
    sys.modules[MAINS[binary]].main()


if __name__ == '__main__':
    main()
